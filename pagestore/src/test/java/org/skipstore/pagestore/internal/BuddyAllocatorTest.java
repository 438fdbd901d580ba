package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The page allocator ({@link BuddyAllocator}): aligned, disjoint blocks; eager merging of buddies
 * inside a chunk; runs placed by best fit at any page; growth by chunks; its refusals; and all of
 * it against a model that knows only which pages are free.
 */
class BuddyAllocatorTest {

    private static final long M = Chunks.MAX_CHUNK_PAGES;

    /**
     * The free blocks due for the free pages {@code free} (eager merging makes them canonical): per chunk,
     * the largest aligned all-free blocks, in forEachFree's order (lowest order first, then by page).
     */
    static List<Long> canonical(BitSet free, long capacity) {
        List<Long> out = new ArrayList<>();
        for (int k = 0; k < Chunks.count(capacity); k++) {
            split(free, Chunks.start(k), Long.numberOfTrailingZeros(Chunks.size(k)), out);
        }
        out.sort(Comparator.comparingInt(Meta::entryOrder).thenComparingLong(Meta::entryPage));
        return out;
    }

    private static void split(BitSet free, long page, int n, List<Long> out) {
        long end = page + (1L << n);
        if (free.nextClearBit((int) page) >= end) {
            out.add(Meta.freeEntry(page, n));
        } else if (n > 0 && free.nextSetBit((int) page) >= 0 && free.nextSetBit((int) page) < end) {
            split(free, page, n - 1, out);
            split(free, page + (1L << (n - 1)), n - 1, out);
        }
    }

    /** An allocator of {@code capacity} pages whose pages {@code [from, to)} are free, and its model. */
    static BuddyAllocator freeFrom(long capacity, long from, long to, BitSet model) {
        BuddyAllocator a = new BuddyAllocator(capacity);
        a.freeRange(from, to);
        model.set((int) from, (int) to);
        return a;
    }

    /** The maximal ranges of free pages of {@code model}, cut at chunk ends: {start, end} in page order. */
    static List<long[]> ranges(BitSet model, long capacity) {
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < Chunks.count(capacity); k++) {
            long end = Chunks.start(k) + Chunks.size(k);
            for (int p = model.nextSetBit((int) Chunks.start(k)); p >= 0 && p < end; p = model.nextSetBit(p)) {
                int q = (int) Math.min(end, model.nextClearBit(p));
                out.add(new long[] {p, q});
                p = q;
            }
        }
        return out;
    }

    /** Asserts that {@code a} holds exactly the canonical blocks and the free ranges of {@code model}, with matching counts. */
    static void assertAgrees(BuddyAllocator a, BitSet model, String context) {
        List<long[]> ranges = new ArrayList<>();
        a.forEachFreeRange((from, to) -> ranges.add(new long[] {from, to}));
        assertThat(ranges).as("%s: free ranges", context).containsExactlyElementsOf(ranges(model, a.capacity()));
        assertThat(a.freeRanges()).isEqualTo(ranges.size());
        List<Long> expected = canonical(model, a.capacity());
        List<Long> actual = new ArrayList<>();
        a.forEachFree((page, n) -> actual.add(Meta.freeEntry(page, n)));
        assertThat(actual).as("%s: free blocks", context).isEqualTo(expected);
        assertThat(a.freePages()).as("%s: free pages", context).isEqualTo(model.cardinality());
        assertThat(a.freeBlocks()).as("%s: free blocks", context).isEqualTo(expected.size());
        int[] perOrder = new int[Chunks.MAX_ORDER + 1];
        expected.forEach(e -> perOrder[Meta.entryOrder(e)]++);
        for (int n = 0; n <= Chunks.MAX_ORDER; n++) {
            assertThat(a.freeBlocks(n)).as("%s: free blocks of order %d", context, n).isEqualTo(perOrder[n]);
        }
        for (long e : expected) {
            long page = Meta.entryPage(e);
            int n = Meta.entryOrder(e);
            assertThat(a.isFreeBlock(page, n)).as("%s: %d/%d free", context, page, n).isTrue();
            if (n > 0) { // a half of a free block is not a free block of its own order
                assertThat(a.isFreeBlock(page, n - 1)).as("%s: %d/%d not whole", context, page, n - 1).isFalse();
            }
        }
    }

    @Test
    void aNewAllocatorHasEverythingInUse() {
        BuddyAllocator a = new BuddyAllocator(128);
        assertThat(a.capacity()).isEqualTo(128);
        assertAgrees(a, new BitSet(), "new"); // no free page, no free block
        for (int n = 0; n <= Chunks.MAX_ORDER; n++) {
            assertThat(a.allocate(n)).as("order %d", n).isEqualTo(-1); // out of space: -1, not an exception
        }
        assertThat(a.allocateRun(3)).isEqualTo(-1);
    }

    @Test
    void refusesCapacitiesAndOrdersOutsideItsRange() {
        for (long c : new long[] {0, 1, 15, 17, 31, 48, 100, M + 1, 1L << 31}) { // 2^31: a chunk end past int
            assertThatThrownBy(() -> new BuddyAllocator(c)).as("capacity %d", c)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        BuddyAllocator a = freeFrom(64, 0, 64, new BitSet());
        for (int n : new int[] {-1, Chunks.MAX_ORDER + 1}) {
            assertThatThrownBy(() -> a.allocate(n)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.free(0, n)).isInstanceOf(IllegalArgumentException.class);
        }
        for (long pages : new long[] {0, -3, M + 1}) {
            assertThatThrownBy(() -> a.allocateRun(pages)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(a.freePages()).isEqualTo(64);
    }

    /** The class's policy: the lowest block of the smallest order that fits, split, upper halves kept. */
    @Test
    void allocateSplitsTheLowestBlockOfTheSmallestOrderThatFits() {
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(64, 0, 64, model); // 0/4, 16/4, 32/5
        assertThat(a.allocate(0)).isEqualTo(0); // 0/4 split into 0/0 (taken), 1/0, 2/1, 4/2, 8/3
        model.clear(0);
        assertAgrees(a, model, "after allocate(0)");
        assertThat(a.isFreeBlock(1, 0) && a.isFreeBlock(2, 1) && a.isFreeBlock(4, 2) && a.isFreeBlock(8, 3)).isTrue();
        assertThat(a.allocate(4)).isEqualTo(16); // order 4 still has a whole block: no need to split 32/5
        assertThat(a.allocate(1)).isEqualTo(2);
        assertThat(a.allocate(5)).isEqualTo(32);
        assertThat(a.allocate(4)).isEqualTo(-1); // 1/0, 4/2 and 8/3 left: 13 pages, but no block of 16
        assertThat(a.freePages()).isEqualTo(13); // and the refusal took none of them
    }

    @Test
    void blocksAreAlignedInsideOneChunkAndDisjointUntilSpaceRunsOut() {
        for (long capacity : new long[] {16, 32, 128, 4096, 3 * M}) {
            BuddyAllocator a = freeFrom(capacity, 0, capacity, new BitSet());
            BitSet used = new BitSet();
            for (int i = 0; a.freePages() > 0 && i < 16 * capacity; i++) { // (bounded: a bug may strand pages)
                int n = (int) ((i * 7L) % (Chunks.MAX_ORDER + 1)); // orders in a scattered cycle
                long page = a.allocate(n);
                if (page < 0) { // refused only when no free block of order n or larger is left
                    assertThat(IntStream.rangeClosed(n, Chunks.MAX_ORDER).map(a::freeBlocks).sum()).isZero();
                    continue;
                }
                long end = page + (1L << n);
                assertThat(page & ((1L << n) - 1)).as("aligned %d/%d", page, n).isZero();
                assertThat(end).as("inside capacity %d", capacity).isLessThanOrEqualTo(capacity);
                assertThat(Chunks.chunkOf(end - 1)).as("one chunk %d/%d", page, n).isEqualTo(Chunks.chunkOf(page));
                assertThat(used.nextSetBit((int) page)).as("disjoint %d/%d", page, n).matches(s -> s < 0 || s >= end);
                used.set((int) page, (int) end);
            }
            assertThat(used.cardinality()).isEqualTo(capacity);
            assertThat(a.allocate(0)).isEqualTo(-1);
        }
    }

    @Test
    void freeMergesBuddiesOnlyWhenBothAreFree() {
        BuddyAllocator a = new BuddyAllocator(32);
        BitSet model = new BitSet();
        for (int p = 0; p < 32; p += 2) { // every other page: no two buddies free
            a.free(p, 0);
            model.set(p);
        }
        assertThat(a.freeBlocks(0)).isEqualTo(16);
        assertAgrees(a, model, "even pages");
        for (int p = 1; p < 32; p += 2) { // each odd page merges as far as its free neighbours allow
            a.free(p, 0);
            model.set(p);
            assertAgrees(a, model, "odd page " + p);
        }
        assertThat(a.freeBlocks()).isEqualTo(2); // 0/4 and 16/4, not 0/5: two chunks
    }

    @Test
    void freeingEverythingLeavesOneBlockPerChunk() {
        long capacity = 4 * M; // the doubling chunks, and three of the largest size
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(capacity, 0, capacity, model);
        assertThat(a.freeBlocks()).isEqualTo(Chunks.count(capacity));
        List<long[]> blocks = new ArrayList<>();
        while (a.freePages() > 0) {
            long page = a.allocate(blocks.size() % 5);
            int n = page >= 0 ? blocks.size() % 5 : 0; // order 0 fills what is left
            page = page >= 0 ? page : a.allocate(0);
            assertThat(page).as("%d pages free", a.freePages()).isNotNegative();
            blocks.add(new long[] {page, n});
        }
        Collections.shuffle(blocks, new Random(42)); // a fixed shuffle: any order of frees must do
        for (long[] b : blocks) {
            a.free(b[0], (int) b[1]);
        }
        assertAgrees(a, model, "all freed");
        for (int k = 0; k < Chunks.count(capacity); k++) {
            int n = Long.numberOfTrailingZeros(Chunks.size(k));
            assertThat(a.isFreeBlock(Chunks.start(k), n)).as("chunk %d", k).isTrue();
        }
        assertThat(a.freeBlocks(Chunks.MAX_ORDER)).isEqualTo(3); // buddies at the largest order stay apart
    }

    @Test
    void refusesDoubleFreesAndPlacesThatAreNotBlocks() {
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(64, 8, 16, model); // 8/3 free, the rest in use
        a.free(33, 0);
        model.set(33);
        for (long[] b : new long[][] {{8, 3}, {9, 0}, {12, 2}, {0, 4}, {32, 5}, {33, 0}, {32, 1}}) {
            assertThatThrownBy(() -> a.free(b[0], (int) b[1])).as("double free %d/%d", b[0], b[1])
                    .isInstanceOf(IllegalStateException.class);
        }
        for (long[] b : new long[][] {{3, 1}, {4, 3}, {48, 5}, {0, 7}, {64, 0}, {56, 4}}) {
            assertThatThrownBy(() -> a.free(b[0], (int) b[1])).as("not a block %d/%d", b[0], b[1])
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertAgrees(a, model, "after refusals"); // a refusal changes nothing
    }

    @Test
    void aRunGoesIntoTheSmallestRangeThatHoldsItAtAnyPage() {
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(64, 3, 5, model); // pages 3..4: 2 pages, across a buddy boundary
        a.freeRange(7, 12); // 7..11: 5 pages, from page 7 (no piece of order 2 there)
        a.freeRange(13, 16); // 13..15: 3 pages
        a.freeRange(32, 64); // all of 32/5
        model.set(7, 12);
        model.set(13, 16);
        model.set(32, 64);
        assertThat(a.allocateRun(3)).isEqualTo(13); // exactly 3 free there; 7..11 would leave a hole
        model.clear(13, 16);
        assertAgrees(a, model, "3 pages at 13");
        assertThat(a.allocateRun(4)).isEqualTo(7); // 7/0, 8/1, 10/0 out of 7/0 and 8/2
        model.clear(7, 11);
        assertAgrees(a, model, "4 pages at 7");
        assertThat(a.allocateRun(2)).isEqualTo(3); // 3/0 and 4/0: two blocks that are no buddies
        model.clear(3, 5);
        assertThat(a.allocateRun(1)).isEqualTo(11);
        model.clear(11);
        assertThat(a.allocateRun(33)).isEqualTo(-1); // 32 pages left in one range: a refusal takes nothing
        assertAgrees(a, model, "refused");
        assertThat(a.allocateRun(7)).isEqualTo(32);
        model.clear(32, 39);
        assertAgrees(a, model, "7 pages at 32");
        Runs.forEachPiece(7, 4, a::free); // a run's pieces, freed one by one, merge back
        model.set(7, 11);
        assertAgrees(a, model, "4 pages freed");
    }

    @Test
    void aRunNeverCrossesAChunk() {
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(64, 12, 32, model); // 12..15 in chunk 0, then all of chunk 1
        assertThat(a.freeRanges()).isEqualTo(2);
        assertThat(a.allocateRun(5)).isEqualTo(16); // 12..16 would cross into chunk 1
        model.clear(16, 21);
        assertThat(a.allocateRun(4)).isEqualTo(12);
        model.clear(12, 16);
        assertAgrees(a, model, "5 pages at 16, 4 at 12");
    }

    @Test
    void growAddsEachNewChunkAsOneFreeBlock() {
        BitSet model = new BitSet();
        BuddyAllocator a = freeFrom(16, 0, 16, model);
        a.grow(128); // chunks 1, 2 and 3 at once
        model.set(16, 128);
        assertAgrees(a, model, "grown to 128"); // 0/4 and 16/4 stay apart: two chunks
        for (long c : new long[] {128, 64, 200, 1L << 31}) { // not larger, or not a capacity
            assertThatThrownBy(() -> a.grow(c)).as("grow to %d", c).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(a.capacity()).isEqualTo(128);

        long largest = (1L << 31) - M; // the last chunk end an int page number reaches
        a.grow(largest);
        int[] perOrder = new int[Chunks.MAX_ORDER + 1];
        for (int k = 0; k < Chunks.count(largest); k++) {
            perOrder[Long.numberOfTrailingZeros(Chunks.size(k))]++;
        }
        for (int n = 0; n <= Chunks.MAX_ORDER; n++) {
            assertThat(a.freeBlocks(n)).as("order %d", n).isEqualTo(perOrder[n]);
        }
        assertThat(a.freePages()).isEqualTo(largest);
        assertThat(a.capacity()).isEqualTo(largest);
    }

    @Test
    void freeRangeFreesAnyRangeAsTheFewestBlocks() {
        for (int from = 0; from <= 128; from++) { // every range of a file of four chunks
            for (int to = from; to <= 128; to++) {
                BitSet model = new BitSet();
                assertAgrees(freeFrom(128, from, to, model), model, "[" + from + ", " + to + ")");
            }
        }
        for (long[] range : new long[][] {{2, 3 * M}, {M - 3, 2 * M + 5}, {M + 1, 3 * M - 1}, {M / 2 + 1, M + M / 2}}) {
            BitSet model = new BitSet();
            assertAgrees(freeFrom(3 * M, range[0], range[1], model), model, "[" + range[0] + ", " + range[1] + ")");
        }
        BuddyAllocator a = freeFrom(64, 8, 16, new BitSet());
        assertThatThrownBy(() -> a.freeRange(0, 12)).isInstanceOf(IllegalStateException.class); // 8..11 free already
    }

    /**
     * Random allocations, frees, runs, growths and double frees against a page bitmap: each result is the
     * documented policy's pick, and the free blocks are always the canonical blocks of the free pages.
     */
    @Test
    void agreesWithAPageModel() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("BuddyAllocatorTest seed " + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        for (long first = Chunks.MIN_PAGES; first <= M; first *= 2) { // each size of the doubling part, then grown
            long capacity = first;
            BitSet model = new BitSet();
            BuddyAllocator a = freeFrom(capacity, 2, capacity, model); // as a new store: all but the meta pages
            TreeMap<Long, Integer> live = new TreeMap<>(); // allocated blocks: page -> order
            TreeMap<Long, Long> runs = new TreeMap<>(); // allocated runs freed whole: page -> pages
            for (int op = 0; op < 2000; op++) {
                String at = "seed " + seed + ", first capacity " + first + ", op " + op;
                switch (r.nextInt(10)) {
                    case 0, 1, 2, 3 -> {
                        int n = r.nextInt(r.nextInt(1, Chunks.MAX_ORDER + 2)); // small orders more often
                        long page = a.allocate(n);
                        assertThat(page).as("%s: allocate(%d)", at, n).isEqualTo(modelAllocate(model, capacity, n));
                        if (page >= 0) {
                            take(model, live, page, n, at);
                        }
                    }
                    case 4, 5, 6 -> {
                        if (!runs.isEmpty() && r.nextInt(3) == 0) {
                            Map.Entry<Long, Long> run = runs.ceilingEntry((long) r.nextInt((int) capacity));
                            run = run != null ? run : runs.firstEntry();
                            a.freeRun(run.getKey(), run.getValue());
                            runs.remove(run.getKey());
                            model.set(run.getKey().intValue(), (int) (run.getKey() + run.getValue()));
                            break;
                        }
                        Map.Entry<Long, Integer> b = live.ceilingEntry((long) r.nextInt((int) capacity));
                        if (b == null) {
                            continue;
                        }
                        long end = b.getKey() + (1L << live.remove(b.getKey()));
                        if (r.nextBoolean()) {
                            a.free(b.getKey(), b.getValue());
                        } else { // this block and maybe the live blocks right after it, as one range
                            while (r.nextBoolean() && live.containsKey(end)) {
                                end += 1L << live.remove(end);
                            }
                            a.freeRange(b.getKey(), end);
                        }
                        model.set(b.getKey().intValue(), (int) end);
                    }
                    case 7 -> {
                        long pages = r.nextInt(8) == 0 ? r.nextInt(1, 300) : r.nextInt(1, 16);
                        long page = a.allocateRun(pages);
                        assertThat(page).as("%s: allocateRun(%d)", at, pages).isEqualTo(modelRun(model, capacity, pages));
                        if (page >= 0) {
                            TreeMap<Long, Integer> pieces = r.nextBoolean() ? live : new TreeMap<>();
                            Runs.forEachPiece(page, pages, (p, n) -> take(model, pieces, p, n, at));
                            if (pieces != live) { // freed as a whole run later
                                runs.put(page, pages);
                            }
                        }
                    }
                    case 8 -> {
                        long next = Chunks.start(Math.min(13, Chunks.count(capacity) + r.nextInt(1, 3)));
                        if (next > capacity && r.nextInt(4) == 0) { // rarely: small files run out of space
                            a.grow(next);
                            model.set((int) capacity, (int) next);
                            capacity = next;
                        }
                    }
                    default -> {
                        int p = model.nextSetBit(r.nextInt((int) capacity));
                        int n = r.nextInt(3);
                        long b = p & -(1L << n); // a block holding a free page
                        if (p >= 0) {
                            assertThatThrownBy(() -> a.free(b, n)).as("%s: free(%d, %d)", at, b, n)
                                    .isInstanceOf(IllegalStateException.class);
                        }
                    }
                }
                assertThat(a.capacity()).as(at).isEqualTo(capacity);
                assertAgrees(a, model, at);
            }
        }
    }

    /** The documented choice: the lowest free block of the smallest order {@code >= n}. */
    private static long modelAllocate(BitSet model, long capacity, int n) {
        return canonical(model, capacity).stream().filter(e -> Meta.entryOrder(e) >= n)
                .findFirst().map(Meta::entryPage).orElse(-1L);
    }

    /** The documented choice: the start of the smallest free range (inside a chunk) of at least {@code pages}, the lowest of those. */
    private static long modelRun(BitSet model, long capacity, long pages) {
        return ranges(model, capacity).stream().filter(e -> e[1] - e[0] >= pages)
                .min(Comparator.<long[]>comparingLong(e -> e[1] - e[0]).thenComparingLong(e -> e[0]))
                .map(e -> e[0]).orElse(-1L);
    }

    /** Records an allocated block, checking it is aligned, inside one chunk and made of free pages. */
    private static void take(BitSet model, TreeMap<Long, Integer> live, long page, int n, String at) {
        long end = page + (1L << n);
        assertThat(page & ((1L << n) - 1)).as("%s: %d/%d aligned", at, page, n).isZero();
        assertThat(Chunks.chunkOf(end - 1)).as("%s: %d/%d in one chunk", at, page, n).isEqualTo(Chunks.chunkOf(page));
        assertThat((long) model.nextClearBit((int) page)).as("%s: %d/%d free", at, page, n).isGreaterThanOrEqualTo(end);
        model.clear((int) page, (int) end);
        live.put(page, n);
    }

    @Test
    void refusesANegativePage() {
        BuddyAllocator a = new BuddyAllocator(32);
        assertThatThrownBy(() -> a.free(-(1L << 40), 4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(a.allocate(4)).isEqualTo(-1);
    }

    @Test
    void refusesABlockAcrossTwoChunks() {
        BuddyAllocator a = new BuddyAllocator(32);
        assertThatThrownBy(() -> a.free(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(a.allocate(5)).isEqualTo(-1);
    }
}
