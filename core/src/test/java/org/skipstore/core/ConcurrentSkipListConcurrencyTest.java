package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * fastskip defect 4: more writer threads than shards panicked, and a memtable re-created at the
 * same address handed two threads one shard. Here eight writers share two shards, and the
 * memtable is sealed, replaced and closed two hundred times under them, as an LSM engine does.
 *
 * <p>Each memtable is bounded (16 MiB, full writes refused) as an engine's is: eight writers of
 * ascending keys outrun the one thread that flushes, and unbounded, each round's memtable held
 * the writes made during the last flush, so rounds grew without end on a loaded machine.
 */
@Timeout(120)
class ConcurrentSkipListConcurrencyTest {

    private static byte[] key(int thread, long i) {
        return ByteBuffer.allocate(12).putInt(thread).putLong(i).array();
    }

    private static byte[] value(int thread, long i) {
        return ByteBuffer.allocate(24).putLong(i).putInt(thread).putLong(~i).putInt(thread).array();
    }

    private static ConcurrentSkipList memtable() {
        return ConcurrentSkipList.builder().shards(2).initialArenaBytesPerShard(4096)
                .maxMemoryBytes(16 << 20).whenFull(ConcurrentSkipList.WhenFull.REFUSE).build();
    }

    @Test
    void eightWritersOnTwoShardsSurviveTwoHundredSealsAndCloses() throws Exception {
        AtomicReference<ConcurrentSkipList> active = new AtomicReference<>(
                memtable());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wrong = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            writers.add(Thread.ofPlatform().start(() -> {
                long i = 0;
                while (!stop.get()) {
                    ConcurrentSkipList m = active.get();
                    try {
                        InsertResult r = m.put(key(id, i), value(id, i));
                        if (r == InsertResult.INSERTED) {
                            written.incrementAndGet(); // acknowledged: must be flushed or still active
                            Entry e = m.get(key(id, i)); // may be closed meanwhile: then CLOSED
                            if (e == null || !java.util.Arrays.equals(e.valueBytes(), value(id, i))) {
                                wrong.incrementAndGet();
                            }
                        } else {
                            assertThat(r).isIn(InsertResult.SEALED, InsertResult.OUT_OF_MEMORY);
                            refused.incrementAndGet();
                        }
                    } catch (SkipstoreException | IllegalStateException closed) { // CLOSED, or the JDK's when racing the close
                        refused.incrementAndGet(); // the memtable was closed under us: a clean error
                    }
                    i++;
                }
            }));
        }
        long flushedEntries = 0;
        for (int round = 0; round < 200; round++) {
            ConcurrentSkipList m = active.get();
            ConcurrentSkipList.Sealed sealed = m.seal();
            active.set(sealed.fresh());
            // The flush: every entry of the frozen memtable must be intact and in order.
            byte[] prev = null;
            for (Entry e : sealed.frozen()) {
                byte[] k = e.keyBytes();
                ByteBuffer kb = ByteBuffer.wrap(k);
                int thread = kb.getInt();
                long i = kb.getLong();
                if (!java.util.Arrays.equals(e.valueBytes(), value(thread, i))
                        || (prev != null && Keys.compare(prev, k) >= 0)) {
                    wrong.incrementAndGet();
                }
                prev = k;
                flushedEntries++;
            }
            if (round % 20 == 0) {
                assertThat(sealed.frozen().verify().versions()).isEqualTo(sealed.frozen().versionCount());
            }
            sealed.frozen().close();
        }
        stop.set(true);
        for (Thread w : writers) {
            w.join();
        }
        long stillActive = active.get().stream().count();
        active.get().close();
        assertThat(flushedEntries + stillActive).as("every acknowledged write flushed once or still active")
                .isEqualTo(written.get());
        assertThat(wrong.get()).as("entries that did not hold what was written, or out of order").isZero();
        assertThat(written.get()).isPositive();
        assertThat(flushedEntries).isPositive();
        System.out.printf("200 seals: %d writes, %d flushed, %d refused (sealed or closed)%n",
                written.get(), flushedEntries, refused.get());
    }
}
