package org.skipstore.pagestore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tour of the PageStore API, written as a test so that it keeps working. Read it top to
 * bottom; each step says what it shows.
 */
class TutorialTest {

    @TempDir
    Path dir;

    @Test
    void tutorial() throws IOException {
        Path file = dir.resolve("tutorial.skip");

        // 1. Open a store: one file, created when missing. The builder sets the options; the
        //    defaults are 1 KiB pages, SYNC durability (a commit that returned survives a crash)
        //    and partitions of about 20 nodes.
        try (PageStore store = PageStore.builder().durability(Durability.SYNC).open(file)) {

            // 2. The simplest use: each put and delete is a committed transaction of its own.
            store.put("apple".getBytes(UTF_8), "red".getBytes(UTF_8));
            store.put("banana".getBytes(UTF_8), "yellow".getBytes(UTF_8));
            assertThat(store.get("apple".getBytes(UTF_8))).isEqualTo("red".getBytes(UTF_8));
            assertThat(store.delete("banana".getBytes(UTF_8))).isTrue();

            // 3. Several changes at once: a write transaction. Nothing is visible to readers
            //    until commit(); closing it without a commit aborts it. One at a time per store.
            try (WriteTransaction txn = store.write()) {
                for (String fruit : List.of("cherry", "date", "elderberry", "fig", "grape")) {
                    txn.put(fruit.getBytes(UTF_8), ("a " + fruit).getBytes(UTF_8));
                }
                txn.delete("apple".getBytes(UTF_8));
                assertThat(txn.count()).isEqualTo(5); // the transaction reads its own changes
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

                // 5. Cursors move in key order (unsigned bytes), both ways.
                try (Cursor c = txn.cursor()) {
                    assertThat(c.seek("d".getBytes(UTF_8))).isTrue(); // the first key >= "d"
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("date");
                    assertThat(c.next()).isTrue();
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("elderberry");
                    assertThat(c.prev() && c.prev()).isTrue();
                    assertThat(new String(c.keyBytes(), UTF_8)).isEqualTo("cherry");
                }

                // 6. Range scans: bounds, direction, a limit, and keys only.
                List<KeyValue> lastTwo = txn.list(Range.lessThan("g".getBytes(UTF_8)).reversed().limit(2));
                assertThat(lastTwo).extracting(kv -> new String(kv.key(), UTF_8)).containsExactly("fig", "elderberry");
                long[] keyBytes = {0};
                txn.scan(Range.all().keysOnly(), (key, value) -> {
                    keyBytes[0] += key.byteSize(); // a view, valid during the call
                    return true;                   // false stops the scan
                });
                assertThat(keyBytes[0]).isEqualTo("cherrydateelderberryfiggrape".length());
            }

            // 7. What the store holds, and a full structural check (as an fsck would).
            PageStoreStats stats = store.verify();
            assertThat(stats.entries()).isEqualTo(6);
        }

        // 8. Reopen: everything committed is there. After a crash, open recovers the last whole
        //    commit by itself; nothing to replay.
        try (PageStore store = PageStore.open(file)) {
            assertThat(store.list(Range.closedOpen("e".getBytes(UTF_8), "h".getBytes(UTF_8))))
                    .extracting(kv -> new String(kv.key(), UTF_8)).containsExactly("elderberry", "fig", "grape");
        }
    }
}
