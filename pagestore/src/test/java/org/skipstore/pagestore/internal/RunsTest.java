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
    void piecesTileTheRunAsAlignedBlocksAtAnyPage() {
        for (long n0 = 1; n0 <= 300; n0++) {
            long pages = n0;
            int k = Runs.orderOf(pages);
            assertThat(1L << k).isGreaterThanOrEqualTo(pages);
            assertThat(k == 0 || 1L << (k - 1) < pages).isTrue();
            for (long base : new long[] {7L << k, 3 * 1024 + 5, 1001, 64 + 2}) { // at its size's multiple, and anywhere
                List<long[]> pieces = new ArrayList<>();
                Runs.forEachPiece(base, pages, (page, n) -> pieces.add(new long[] {page, n}));
                long at = base;
                for (long[] b : pieces) {
                    assertThat(b[0]).as("contiguous, %d pages at %d", pages, base).isEqualTo(at);
                    assertThat(b[0] & ((1L << b[1]) - 1)).as("aligned to its size").isZero();
                    at += 1L << b[1];
                }
                assertThat(at).isEqualTo(base + pages);
                // no two neighbours that would make one block: the fewest pieces (at most two per order)
                assertThat(pieces.size()).isLessThanOrEqualTo(2 * (k + 1));
                if (base == 7L << k) { // where format 4 placed runs: the binary pieces of n, largest first
                    assertThat(pieces.stream().mapToLong(b -> b[1]).toArray())
                            .containsExactly(java.util.stream.LongStream.range(0, 64).map(n -> 63 - n)
                                    .filter(n -> (pages & (1L << n)) != 0).toArray());
                }
            }
        }
        assertThatThrownBy(() -> Runs.orderOf(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Runs.orderOf(Chunks.MAX_CHUNK_PAGES + 1)).isInstanceOf(IllegalArgumentException.class);
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
