package org.skipstore.pagestore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.OrderedCursor;

/**
 * A tour of the engine, {@link Skipstore}: the database most applications want (the page store
 * alone is {@link TutorialTest}'s). Written as a test so that it keeps working; read it top to
 * bottom.
 */
class EngineTutorialTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void tutorial() {
        Path db = dir.resolve("fruit");

        // 1. Open a database: a directory, created when missing (owner-only files), holding the
        //    page store, its lock file and the write-ahead log. GROUP, the default, makes every
        //    write durable before it returns, and lets concurrent writers share one force.
        try (Skipstore fruit = Skipstore.builder().durability(WriteDurability.GROUP).open(db)) {

            // 2. Writes: each goes to the log and the memtable, and returns durable.
            fruit.put(b("apple"), b("red"));
            fruit.put(b("banana"), b("yellow"));
            fruit.delete(b("banana"));
            assertThat(fruit.get(b("apple"))).isEqualTo(b("red"));
            assertThat(fruit.get(b("banana"))).isNull();

            // 3. Several writes at once, atomically: a WriteBatch. Readers see all or none of
            //    it, and so does a recovery after a crash.
            fruit.write(new WriteBatch().put(b("cherry"), b("dark red")).put(b("date"), b("brown"))
                    .delete(b("apple")));

            // 4. Scans: a Range (bounds, direction, limit) as a stream of copies; close it.
            try (Stream<KeyValue> s = fruit.stream(Range.closed(b("c"), b("e")))) {
                assertThat(s.map(kv -> new String(kv.key(), UTF_8)).toList()).containsExactly("cherry", "date");
            }

            // 5. A snapshot: a consistent view that later writes do not change. Close it soon: it
            //    holds the memtables and store pages it reads.
            try (DbSnapshot before = fruit.snapshot()) {
                fruit.put(b("cherry"), b("black"));
                assertThat(before.get(b("cherry"))).isEqualTo(b("dark red"));
                // A cursor: before the first entry, next() walks them all; key and value are views.
                try (OrderedCursor c = before.cursor()) {
                    assertThat(c.last()).isTrue();
                    assertThat(c.keyBytes()).isEqualTo(b("date"));
                }
            }

            // 6. A write that need not wait for the disk: NO_SYNC for this one. A crash of the
            //    process loses nothing that returned; one of the machine may lose it until the
            //    next force (sync(), a flush, or a later durable write).
            fruit.write(new WriteBatch().put(b("elderberry"), b("purple")), WriteDurability.NO_SYNC);
            fruit.sync();

            // 7. Flushing moves the memtables into the page store (it happens by itself when a
            //    memtable fills); the log behind it is then deleted.
            fruit.flush();
            assertThat(fruit.stats().flushes()).isEqualTo(1);
        }

        // 8. Reopen: the store, plus whatever the log holds above the last flush.
        try (Skipstore fruit = Skipstore.open(db)) {
            assertThat(fruit.list(Range.all()).stream().map(kv -> new String(kv.key(), UTF_8)).toList())
                    .containsExactly("cherry", "date", "elderberry");
        }

        // 9. No log at all (Kafka Streams' way: its changelog topic is the log): writes become
        //    durable at a checkpoint, which commits them with your metadata, atomically.
        try (Skipstore state = Skipstore.builder().durability(WriteDurability.NO_LOG).open(dir.resolve("state"))) {
            state.put(b("count:apple"), b("3"));
            state.checkpoint(Map.of("changelog-offset", b("1041")));
            assertThat(state.metadata().get("changelog-offset")).isEqualTo(b("1041"));
            assertThat(List.copyOf(state.metadata().keySet())).containsExactly("changelog-offset");
        }
    }
}
