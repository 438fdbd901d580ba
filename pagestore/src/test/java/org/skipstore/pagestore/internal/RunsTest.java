package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.skipstore.pagestore.Durability;

/** Runs of any number of pages, made of buddy blocks ({@link Runs}). */
class RunsTest {

    @Test
    void piecesAndTailTileTheBlockARunIsCutFrom() {
        for (long pages = 1; pages <= 300; pages++) {
            int k = Runs.orderOf(pages);
            assertThat(1L << k).isGreaterThanOrEqualTo(pages);
            assertThat(k == 0 || 1L << (k - 1) < pages).isTrue();
            long base = 7L << k; // any multiple of the block's size
            List<long[]> blocks = new ArrayList<>();
            Runs.forEachPiece(base, pages, (page, n) -> blocks.add(new long[] {page, n, 1}));
            Runs.forEachTailBlock(base, pages, (page, n) -> blocks.add(new long[] {page, n, 0}));
            long at = base;
            long inRun = 0;
            int lastPieceOrder = Integer.MAX_VALUE;
            for (long[] b : blocks) {
                assertThat(b[0]).as("contiguous, pages " + pages).isEqualTo(at);
                assertThat(b[0] & ((1L << b[1]) - 1)).as("aligned to its size").isZero();
                if (b[2] == 1) {
                    assertThat((int) b[1]).as("largest piece first").isLessThan(lastPieceOrder);
                    lastPieceOrder = (int) b[1];
                    inRun += 1L << b[1];
                }
                at += 1L << b[1];
            }
            assertThat(inRun).isEqualTo(pages);
            assertThat(at).isEqualTo(base + (1L << k));
        }
        assertThatThrownBy(() -> Runs.orderOf(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Runs.orderOf(Chunks.MAX_CHUNK_PAGES + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRunIsPlacedWhereItsPiecesAreFreeAndNeverAcrossAChunk() {
        BuddyAllocator a = new BuddyAllocator(32); // two chunks of 16 pages
        a.free(2, 1);
        a.free(4, 0);
        assertThat(a.allocateRunInPlace(3, 64)).isEqualTo(2); // order 1 at 2, order 0 at 4
        assertThat(a.freePages()).isZero();

        BuddyAllocator b = new BuddyAllocator(32);
        b.free(2, 1);
        b.free(5, 0); // page 4 is in use: no room for 3 pages at 2
        assertThat(b.allocateRunInPlace(3, 64)).isEqualTo(-1);
        assertThat(b.freePages()).isEqualTo(3);

        BuddyAllocator c = new BuddyAllocator(32);
        c.free(14, 1);
        c.free(16, 0); // pages 14..16 are free, but 16 starts the next chunk
        assertThat(c.allocateRunInPlace(3, 64)).isEqualTo(-1);

        BuddyAllocator d = new BuddyAllocator(32);
        d.free(8, 3); // a larger free block holds the continuation: it is split around it
        d.free(6, 1);
        assertThat(d.allocateRunInPlace(5, 64)).isEqualTo(-1); // head order 2: none free
        assertThat(d.allocateRunInPlace(3, 64)).isEqualTo(6); // order 1 at 6, order 0 at 8 (split)
        assertThat(d.freePages()).isEqualTo(7);
        assertThat(d.isFreeBlock(9, 0)).isTrue();
        assertThat(d.isFreeBlock(10, 1)).isTrue();
        assertThat(d.isFreeBlock(12, 2)).isTrue();
    }

    /**
     * Random runs allocated, written, freed (own and committed ones), committed and aborted: each
     * committed run reads back what was written, and the pages of every committed state are
     * exactly the live runs plus the free list (no leak, no overlap).
     */
    @Test
    void runsSurviveCommitsAndAbortsAndLeakNothing() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("RunsTest seed " + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        Pager p = Pager.create(SimulatedPageFile.fresh(512), Durability.SYNC, Pager.Hook.NONE);
        Map<Long, long[]> live = new HashMap<>(); // first page -> {pages, stamp}
        long stamp = 0;
        for (int txn = 0; txn < 300; txn++) {
            Map<Long, long[]> next = new HashMap<>(live);
            try (WriteTxn t = p.begin()) {
                for (int op = r.nextInt(1, 12); op > 0; op--) {
                    if (!next.isEmpty() && r.nextInt(3) == 0) {
                        Long victim = next.keySet().stream().skip(r.nextInt(next.size())).findFirst().orElseThrow();
                        t.freeRun(victim, next.remove(victim)[0]);
                    } else {
                        long pages = r.nextInt(8) == 0 ? r.nextInt(1, 70) : r.nextInt(1, 8);
                        long page = t.allocateRun(pages);
                        MemorySegment s = t.write(page);
                        assertThat(s.byteSize()).isEqualTo(pages * 512);
                        stamp++;
                        for (long i = 0; i < pages; i++) {
                            s.set(JAVA_LONG_UNALIGNED, i * 512 + 8, stamp * 1000 + i); // past the run's checksum
                        }
                        next.put(page, new long[] {pages, stamp});
                    }
                }
                if (r.nextInt(5) == 0) {
                    t.abort();
                } else {
                    t.commit();
                    live = next;
                }
            }
            Meta m = p.committed();
            Checker checker = new Checker(p.file(), m);
            for (Map.Entry<Long, long[]> e : live.entrySet()) {
                long page = e.getKey();
                long pages = e.getValue()[0];
                checker.usedRun(page, pages);
                MemorySegment s = p.file().pages(page, pages);
                for (long i = 0; i < pages; i++) {
                    assertThat(s.get(JAVA_LONG_UNALIGNED, i * 512 + 8)).as("run " + page + " page " + i)
                            .isEqualTo(e.getValue()[1] * 1000 + i);
                }
            }
            checker.verify();
        }
        p.close();
    }
}
