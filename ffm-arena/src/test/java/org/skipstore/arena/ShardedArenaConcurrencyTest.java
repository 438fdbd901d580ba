package org.skipstore.arena;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads on one {@link ShardedArena}: more threads than shards, virtual threads, arenas
 * created and closed under running allocators, and close racing readers. The exact interleavings
 * are proven by the jcstress tests in {@code stress/}; these tests push volume.
 */
@Timeout(120)
class ShardedArenaConcurrencyTest {

    /** Each thread writes (thread, sequence) into every word of its blocks; any overlap shows. */
    private static void stamp(MemorySegment chunk, long offset, long words, long tag) {
        for (long w = 0; w < words; w++) {
            chunk.set(JAVA_LONG, offset + w * 8, tag);
        }
    }

    private static boolean stamped(MemorySegment chunk, long offset, long words, long tag) {
        for (long w = 0; w < words; w++) {
            if (chunk.get(JAVA_LONG, offset + w * 8) != tag) {
                return false;
            }
        }
        return true;
    }

    @Test
    void sixtyFourThreadsOnTwoShardsAllocateCorrectly() throws Exception {
        int threads = 64;
        int perThread = 2000;
        try (ShardedArena arena = ShardedArena.builder().shards(2).initialChunkBytes(256).maxChunkBytes(64 * 1024).build()) {
            ConcurrentLinkedQueue<long[]> blocks = new ConcurrentLinkedQueue<>();
            AtomicLong expectedBytes = new AtomicLong();
            AtomicLong corrupt = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    List<long[]> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        long words = 1 + (i + id) % 9;
                        long ref = arena.allocate(words * 8);
                        stamp(arena.chunk(ref), ShardedArena.offset(ref), words, ((long) id << 32) | i);
                        mine.add(new long[] {ref, words * 8, ((long) id << 32) | i});
                        expectedBytes.addAndGet(words * 8);
                    }
                    for (long[] b : mine) {
                        if (!stamped(arena.chunk(b[0]), ShardedArena.offset(b[0]), b[1] / 8, b[2])) {
                            corrupt.incrementAndGet();
                        }
                    }
                    blocks.addAll(mine);
                }));
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertThat(corrupt.get()).as("blocks overwritten by another thread").isZero();
            assertThat(blocks).hasSize(threads * perThread);
            ArenaChecks.assertDisjoint(arena, new ArrayList<>(blocks));
            assertThat(arena.allocatedBytes()).isEqualTo(expectedBytes.get());
            assertThat(arena.shardStats()).allSatisfy(s -> assertThat(s.allocatedBytes()).isPositive());
        }
    }

    @Test
    void threadsUpToTheShardCountEachGetTheirOwnShard() throws Exception {
        try (ShardedArena arena = ShardedArena.builder().shards(4).build()) {
            for (int t = 0; t < 4; t++) {
                long size = 8L << t; // thread t allocates 8 << t bytes, once
                Thread.ofPlatform().start(() -> arena.allocate(size)).join();
            }
            assertThat(arena.shardStats()).extracting(ShardStats::allocatedBytes)
                    .containsExactlyInAnyOrder(8L, 16L, 32L, 64L);
        }
    }

    @Test
    void bindingsBelongToOneArenaAndNeverCarryOverToTheNext() throws Exception {
        // Thread B allocates second in the first arena (shard 1), first in the second (shard 0).
        Thread a;
        Thread b;
        try (ShardedArena first = ShardedArena.builder().shards(2).build();
                ShardedArena second = ShardedArena.builder().shards(2).build()) {
            CountDownLatch aDone = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            a = Thread.ofPlatform().start(() -> {
                first.allocate(8);
                aDone.countDown();
                await(bDone);
                second.allocate(16);
            });
            b = Thread.ofPlatform().start(() -> {
                await(aDone);
                first.allocate(24);
                second.allocate(32);
                bDone.countDown();
            });
            a.join();
            b.join();
            assertThat(first.shardStats()).extracting(ShardStats::allocatedBytes).containsExactly(8L, 24L);
            assertThat(second.shardStats()).extracting(ShardStats::allocatedBytes).containsExactly(32L, 16L);
        }
    }

    @Test
    void tenThousandVirtualThreadsShareFourShards() throws Exception {
        try (ShardedArena arena = ShardedArena.builder().shards(4).initialChunkBytes(1024).build()) {
            int threads = 10_000;
            long[] refs = new long[threads];
            List<Thread> vts = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                int id = t;
                vts.add(Thread.ofVirtual().start(() -> {
                    long ref = arena.allocate(16);
                    stamp(arena.chunk(ref), ShardedArena.offset(ref), 2, id);
                    refs[id] = ref;
                }));
            }
            for (Thread vt : vts) {
                vt.join();
            }
            List<long[]> blocks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                assertThat(stamped(arena.chunk(refs[t]), ShardedArena.offset(refs[t]), 2, t)).isTrue();
                blocks.add(new long[] {refs[t], 16});
            }
            ArenaChecks.assertDisjoint(arena, blocks);
            assertThat(arena.allocatedBytes()).isEqualTo(16L * threads);
            assertThat(arena.shardStats()).extracting(ShardStats::allocatedBytes).containsOnly(16L * threads / 4);
        }
    }

    /**
     * fastskip binds threads to shards by the address of the memtable, so a memtable re-created
     * at the same address hands two threads one shard without synchronization. Here a thousand
     * arenas come and go while long-lived threads allocate from whichever is current: every block
     * a thread gets must hold exactly what that thread wrote until the arena closes under it.
     */
    @Test
    void aThousandArenasComeAndGoUnderLongLivedAllocators() throws Exception {
        AtomicReference<ShardedArena> current = new AtomicReference<>(
                ShardedArena.builder().shards(2).initialChunkBytes(128).maxChunkBytes(1024).build());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wrong = new AtomicLong();
        AtomicLong good = new AtomicLong();
        AtomicLong closedSeen = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                long seq = 0;
                long[] recent = new long[8];
                while (!stop.get()) {
                    ShardedArena arena = current.get();
                    try {
                        for (int i = 0; i < recent.length; i++) {
                            long tag = (id << 48) | seq++;
                            long ref = arena.allocate(24);
                            stamp(arena.chunk(ref), ShardedArena.offset(ref), 3, tag);
                            recent[i] = ref;
                        }
                        for (int i = 0; i < recent.length; i++) {
                            long tag = (id << 48) | (seq - recent.length + i);
                            if (stamped(arena.chunk(recent[i]), ShardedArena.offset(recent[i]), 3, tag)) {
                                good.incrementAndGet();
                            } else {
                                wrong.incrementAndGet();
                            }
                        }
                    } catch (IllegalStateException closed) {
                        assertThat(arena.isClosed()).isTrue();
                        closedSeen.incrementAndGet();
                    }
                }
            }));
        }
        for (int i = 0; i < 1000; i++) {
            ShardedArena next = ShardedArena.builder().shards(2).initialChunkBytes(128).maxChunkBytes(1024).build();
            current.getAndSet(next).close();
            Thread.onSpinWait();
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        current.get().close();
        assertThat(wrong.get()).as("blocks that did not hold what their thread wrote").isZero();
        assertThat(good.get()).isPositive();
        System.out.printf("1000 arenas: %d blocks verified, %d allocations met a closed arena%n",
                good.get(), closedSeen.get());
    }

    @Test
    void readersRacingCloseSeeTheValueOrAnIllegalStateException() throws Exception {
        for (int round = 0; round < 200; round++) {
            ShardedArena arena = ShardedArena.builder().shards(1).build();
            long ref = arena.allocate(64);
            MemorySegment chunk = arena.chunk(ref);
            long offset = ShardedArena.offset(ref);
            chunk.set(JAVA_LONG, offset, 0x5EED_5EEDL);
            AtomicLong wrong = new AtomicLong();
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        for (;;) {
                            if (chunk.get(JAVA_LONG, offset) != 0x5EED_5EEDL) {
                                wrong.incrementAndGet();
                            }
                        }
                    } catch (IllegalStateException expected) {
                        // the arena closed: the only way out of the loop
                    }
                }));
            }
            await(started);
            arena.close();
            for (Thread r : readers) {
                r.join();
            }
            assertThat(wrong.get()).isZero();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
