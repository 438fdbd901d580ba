package org.skipstore.pagestore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * A tour of the PageStore API, written as a test so that it keeps working. Read it top to
 * bottom; each step says what it shows.
 */
class TutorialTest {

    @TempDir
    Path dir;

    @Test
    void tutorial() {
        Path file = dir.resolve("tutorial.skip");

        // 1. Open a store: one file, created when missing. The builder sets the options; the
        //    defaults are 512-byte pages, SYNC durability (a commit that returned survives a
        //    crash) and partitions of about 32 nodes.
        try (PageStore store = PageStore.builder().durability(Durability.SYNC).open(file)) {

            // 2. The simplest use: each put and delete is a committed transaction of its own.
            //    The store's methods are a transaction's, same names and shapes; what they return
            //    is a copy, since their transaction has ended.
            assertThat(store.put("apple".getBytes(UTF_8), "red".getBytes(UTF_8))).isTrue(); // a new key
            store.put("banana".getBytes(UTF_8), "yellow".getBytes(UTF_8));
            assertThat(store.get("apple".getBytes(UTF_8))).isEqualTo("red".getBytes(UTF_8));
            assertThat(store.delete("banana".getBytes(UTF_8))).isTrue();
            assertThat(store.containsKey("banana".getBytes(UTF_8))).isFalse();

            // 3. Several changes at once: a write transaction. Nothing is visible to readers
            //    until commit(); closing it without a commit aborts it. One at a time per store.
            try (WriteTransaction txn = store.write()) {
                for (String fruit : List.of("cherry", "date", "elderberry", "fig", "grape")) {
                    txn.put(fruit.getBytes(UTF_8), ("a " + fruit).getBytes(UTF_8));
                }
                txn.delete("apple".getBytes(UTF_8));
                assertThat(txn.count()).isEqualTo(5); // the transaction reads its own changes
                // Commit metadata: a few named values committed atomically with the data (how far
                // an import got, a changelog offset), so that after a crash the two always agree.
                txn.putMetadata("imported-up-to", "grape".getBytes(UTF_8));
                txn.commit();
            }

            // 4. Reading: a read transaction sees one snapshot, however many commits follow, and
            //    hands out zero-copy views of the mapped file, valid until it closes.
            try (ReadTransaction txn = store.read()) {
                store.put("kiwi".getBytes(UTF_8), "green".getBytes(UTF_8)); // committed meanwhile...
                assertThat(txn.get("kiwi".getBytes(UTF_8))).isNull();       // ...but not in this snapshot
                MemorySegment v = txn.get(MemorySegment.ofArray("fig".getBytes(UTF_8)));
                assertThat(v.isReadOnly()).isTrue();
                assertThat(new String(v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), UTF_8)).isEqualTo("a fig");

                // 5. Cursors move in key order (unsigned bytes), both ways. Every cursor of
                //    Skipstore (the memtable's too) starts before the first entry, so next() walks
                //    them all; moving off an end returns false, never throws.
                try (Cursor c = txn.cursor()) {
                    int n = 0;
                    while (c.next()) {
                        n++;
                    }
                    assertThat(n).isEqualTo(5);
                    assertThat(c.seek("d".getBytes(UTF_8))).isTrue(); // the first key >= "d"
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("date");
                    assertThat(c.next()).isTrue();
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("elderberry");
                    assertThat(c.prev() && c.prev()).isTrue();
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("cherry");
                    assertThat(c.seekFloor("b".getBytes(UTF_8))).isFalse(); // no key <= "b"
                }

                // 6. A range as a stream of copied entries: close it (try-with-resources) and it
                //    closes its cursor (from the store: its read transaction too).
                try (Stream<KeyValue> s = txn.stream(Range.closed("date".getBytes(UTF_8), "fig".getBytes(UTF_8)))) {
                    assertThat(s.map(kv -> new String(kv.key(), UTF_8)).toList())
                            .containsExactly("date", "elderberry", "fig");
                }

                // 7. Range scans: bounds, direction, a limit, and keys only.
                List<KeyValue> lastTwo = txn.list(Range.lessThan("g".getBytes(UTF_8)).reversed().limit(2));
                assertThat(lastTwo).extracting(kv -> new String(kv.key(), UTF_8)).containsExactly("fig", "elderberry");
                long[] keyBytes = {0};
                txn.scan(Range.all().keysOnly(), (key, value) -> {
                    keyBytes[0] += key.byteSize(); // a view, valid during the call
                    return true;                   // false stops the scan
                });
                assertThat(keyBytes[0]).isEqualTo("cherrydateelderberryfiggrape".length());
            }

            // 8. What the store holds, and a full structural check (as an fsck would).
            PageStoreStats stats = store.verify();
            assertThat(stats.entries()).isEqualTo(6);

            // 9. Errors: unchecked, one family, SkipstoreException, whose problem() says why (the
            //    cause kept). A transaction that ended says how; so does anything closed.
            WriteTransaction ended = store.write();
            ended.commit();
            assertThat(ended.state()).isEqualTo(Transaction.State.COMMITTED);
            assertThatThrownBy(() -> ended.put("x".getBytes(UTF_8), "y".getBytes(UTF_8)))
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            assertThatThrownBy(() -> PageStore.open(file)) // the file is open: its lock is held
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
        }

        // 10. Reopen: everything committed is there. After a crash, open recovers the last whole
        //     commit by itself; nothing to replay.
        try (PageStore store = PageStore.open(file);
             Stream<KeyValue> s = store.stream(Range.closedOpen("e".getBytes(UTF_8), "h".getBytes(UTF_8)))) {
            assertThat(s.map(kv -> new String(kv.key(), UTF_8))).containsExactly("elderberry", "fig", "grape");
            try (ReadTransaction txn = store.read()) { // later commits kept the metadata: none changed it
                assertThat(txn.metadata("imported-up-to")).isEqualTo("grape".getBytes(UTF_8));
            }
        }
    }
}
