package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * When flushes fall behind, writers slow down and then wait, memory stays within its budget, and
 * nothing fails: the flusher is held at {@link Point#FLUSH_WRITTEN} while a writer fills
 * memtable after memtable, then let go.
 */
class BackpressureTest {

    @TempDir
    Path dir;

    @Test
    void writersSlowDownThenWaitForAHeldFlushAndAllWritesLand() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch flushing = new CountDownLatch(1);
        Point.Hook hold = p -> {
            if (p == Point.FLUSH_WRITTEN) {
                flushing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        long memtable = 1 << 20;
        int maxSealed = 2;
        int n = 60_000; // about 12 memtables of 100-byte values
        try (Skipstore db = Skipstore.builder().memtableBytes(memtable).maxSealedMemtables(maxSealed)
                .durability(WriteDurability.NO_SYNC).hook(hold).open(dir)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < n; i++) {
                    db.put(SkipstoreTest.b(String.format("k%07d", i)), new byte[100]);
                }
            });
            assertThat(flushing.await(30, TimeUnit.SECONDS)).isTrue();
            // the flush is held: the writer fills the active memtable and every one allowed to wait, then stops
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (db.stats().stalls() == 0 && !writer.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling a condition, not timing anything
            }
            EngineStats held = db.stats();
            assertThat(writer).isNotDone();
            assertThat(held.sealedMemtables()).isEqualTo(maxSealed);
            assertThat(held.slowdowns()).isPositive();
            release.countDown();
            writer.get(60, TimeUnit.SECONDS);
            EngineStats done = db.stats();
            assertThat(done.stalls()).isPositive();
            assertThat(done.peakMemtableBytes()).isLessThanOrEqualTo((1 + maxSealed) * memtable);
            for (int i = 0; i < n; i += 101) {
                assertThat(db.get(SkipstoreTest.b(String.format("k%07d", i)))).hasSize(100);
            }
        }
    }
}
