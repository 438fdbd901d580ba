package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.Range;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;

/** A run of writes goes to the engine in one batch when it fits, else in batches the engine takes. */
class EngineBatchesTest {

    @TempDir
    Path dir;

    @Test
    void aRunThatFitsIsOneBatch() {
        try (Skipstore db = open()) {
            EngineBatches out = new EngineBatches(db, 512 << 10);
            for (int i = 0; i < 100; i++) {
                out.put(key(i), new byte[100]);
            }
            out.delete(key(7));
            assertThat(out.finish()).isEqualTo(1);
            assertThat(db.list(Range.all())).hasSize(99);
            assertThat(db.get(key(7))).isNull();
        }
    }

    @Test
    void aRunPastTheEnginesLimitIsCutIntoBatchesItTakes() {
        try (Skipstore db = open()) {
            // 1 MiB memtables take batches of 512 KiB by the engine's estimate; this run is 3 MiB of values
            EngineBatches out = new EngineBatches(db, 512 << 10);
            for (int i = 0; i < 3000; i++) {
                out.put(key(i), new byte[1000]);
            }
            for (int i = 0; i < 30_000; i++) {
                out.delete(key(i + 1_000_000)); // small operations: the allowance for each counts
            }
            // by its estimate a put takes about 1000 + 20 + 256 bytes, a delete 20 + 256:
            // 3000 * 1276 + 30000 * 276 bytes is 23.1 batches of 512 KiB
            assertThat(out.finish()).isBetween(24, 25);
            assertThat(db.list(Range.all())).hasSize(3000);
        }
    }

    @Test
    void nothingWrittenIsNoBatch() {
        try (Skipstore db = open()) {
            assertThat(new EngineBatches(db, 512 << 10).finish()).isZero();
        }
    }

    @Test
    void theFirstMetadataRidesInTheFirstBatch() {
        try (Skipstore db = open()) {
            EngineBatches alone = new EngineBatches(db, 512 << 10, Map.of("first", new byte[] {1}));
            assertThat(alone.finish()).isEqualTo(1);
            assertThat(db.metadata()).containsKey("first");
        }
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.NO_LOG).memtableBytes(1 << 20)
                .memtableShards(1).open(dir.resolve("split"))) {
            EngineBatches out = new EngineBatches(db, 512 << 10, Map.of("first", new byte[] {2}));
            for (int i = 0; i < 1000; i++) {
                out.put(key(i), new byte[1000]);
            }
            out.put(key(-1), new byte[600 << 10]); // past the engine's limit: the last batch fails
            assertThatThrownBy(out::finish).isInstanceOf(IllegalArgumentException.class);
            // the batches before it were written, the first with the metadata
            assertThat(db.metadata()).containsKey("first");
            assertThat(db.get(key(0))).isNotNull();
        }
    }

    /** A store keeps one EngineBatches: a run dropped after a failure leaves nothing in the next. */
    @Test
    void aDiscardedRunLeavesNothingForTheNext() {
        try (Skipstore db = open()) {
            EngineBatches out = new EngineBatches(db, 512 << 10, Map.of("first", new byte[] {3}));
            out.put(key(1), new byte[] {1});
            out.delete(key(2));
            out.discard(); // as the store does when a commit fails
            out.put(key(3), new byte[] {3});
            assertThat(out.finish()).isEqualTo(1);
            assertThat(db.list(Range.all())).hasSize(1);
            assertThat(db.get(key(1))).isNull();
            assertThat(db.metadata()).containsKey("first"); // still pending after the discard: it went with key 3
            db.put(key(2), new byte[] {2});
            out.put(key(4), new byte[] {4});
            assertThat(out.finish()).isEqualTo(1);
            assertThat(db.get(key(2))).as("the discarded delete").isNotNull();
            assertThat(db.list(Range.all())).hasSize(3);
        }
    }

    private Skipstore open() {
        return Skipstore.builder().durability(WriteDurability.NO_LOG).memtableBytes(1 << 20).memtableShards(1).open(dir);
    }

    private static byte[] key(int i) {
        return String.format("key%08d", i).getBytes();
    }
}
