package org.skipstore.pagestore.internal;


/**
 * The page allocator: blocks of {@code 2^n} pages, {@code n <= }{@link Chunks#MAX_ORDER}, each
 * starting at a multiple of its size, with no header: {@link #free} takes the order, as quark's
 * allocator does. Free blocks are kept per order in bitmaps (bit {@code i} of order {@code n}:
 * the block at page {@code i << n} is free), so finding the lowest free block, and a block's
 * buddy, costs no search and no garbage.
 *
 * <p>Allocation takes the lowest free block of the smallest order that fits and splits it,
 * keeping the upper halves free: used pages gather at the start of the file. A freed block
 * merges with its buddy ({@code page ^ 2^n}) while the buddy is free and the merged block stays
 * inside one {@linkplain Chunks chunk}. Merging eagerly makes the free state canonical: the same
 * free pages always give the same free blocks.
 *
 * <p>Runs ({@link Runs}) go where {@link FreeExtents}, an index of the free pages as ranges kept
 * beside the bitmaps, finds the smallest free range that holds them (best fit, at any page):
 * their pieces are taken out of the free blocks around them, which split as they must.
 *
 * <p>This class only knows free and not free. When a freed block may be reused (no reader and no
 * recoverable meta can reach it) is the {@link Pager}'s business; it frees a block here only then.
 * Not thread-safe: the single writer owns it.
 */
public final class BuddyAllocator {

    private final FreeBits[] free = new FreeBits[Chunks.MAX_ORDER + 1];
    private final FreeExtents extents = new FreeExtents();
    private long capacity;
    private long freePages;

    /** An allocator of {@code capacity} pages, all of them in use. */
    public BuddyAllocator(long capacity) {
        if (!Chunks.isCapacity(capacity) || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a file capacity: " + capacity);
        }
        for (int n = 0; n < free.length; n++) {
            free[n] = new FreeBits();
        }
        this.capacity = capacity;
    }

    public long capacity() {
        return capacity;
    }

    public long freePages() {
        return freePages;
    }

    /** Free blocks of order {@code n}. */
    public int freeBlocks(int n) {
        return free[n].cardinality();
    }

    /** Free blocks of all orders. */
    public int freeBlocks() {
        int c = 0;
        for (FreeBits b : free) {
            c += b.cardinality();
        }
        return c;
    }

    /** Whether the block at {@code page} of order {@code n} is free as a whole block of that order. */
    public boolean isFreeBlock(long page, int n) {
        return free[n].get((int) (page >>> n));
    }

    /** The lowest free block of order {@code n} or larger, split down to {@code n}; -1 when none. */
    public long allocate(int n) {
        checkOrder(n);
        int m = n;
        int i = -1;
        while (m <= Chunks.MAX_ORDER && (i = free[m].first()) < 0) {
            m++;
        }
        if (m > Chunks.MAX_ORDER) {
            return -1;
        }
        free[m].clear(i);
        long page = (long) i << m;
        while (m > n) { // keep the upper half of each split free
            m--;
            free[m].set((int) ((page >>> m) + 1));
        }
        freePages -= 1L << n;
        extents.remove(page, page + (1L << n));
        return page;
    }

    /**
     * A {@linkplain Runs run} of {@code pages} pages in the smallest range of free pages that holds
     * it, at its start (the lowest of equally small ones); -1 when none does. Inside one chunk.
     */
    public long allocateRun(long pages) {
        if (pages < 1 || pages > Chunks.MAX_CHUNK_PAGES) {
            throw new IllegalArgumentException("a run has 1 to " + Chunks.MAX_CHUNK_PAGES + " pages: " + pages);
        }
        long page = extents.bestFit(pages);
        if (page >= 0) {
            extents.remove(page, page + pages); // once for the run, not per piece
            Runs.forEachPiece(page, pages, this::take);
        }
        return page;
    }

    /**
     * Frees the run of {@code pages} at {@code page}, piece by piece as {@link #free} does, with
     * one update of the free ranges for the whole run.
     */
    public void freeRun(long page, long pages) {
        Runs.forEachPiece(page, pages, this::freeBlock);
        extents.add(page, page + pages);
    }

    /** Ranges of free pages, each inside one chunk ({@link FreeExtents}). */
    public int freeRanges() {
        return extents.count();
    }

    /** Calls {@code action} with the first page and the end of every range of free pages, in page order. */
    void forEachFreeRange(java.util.function.BiConsumer<Long, Long> action) {
        extents.forEach(action);
    }

    /** The order of the free block that holds block {@code page}/{@code n}, or -1. */
    private int freeOrderAround(long page, int n) {
        for (int m = n; m <= Chunks.MAX_ORDER; m++) {
            if (free[m].get((int) (page >>> m))) {
                return m;
            }
        }
        return -1;
    }

    /** Takes block {@code page}/{@code n} out of the free block around it, keeping the rest free; not out of the free ranges. */
    private void take(long page, int n) {
        int m = freeOrderAround(page, n);
        if (m < 0) {
            throw new IllegalStateException("block " + page + "/" + n + " is not free");
        }
        free[m].clear((int) (page >>> m));
        while (m > n) { // split towards the block, the other halves stay free
            m--;
            free[m].set((int) ((page >>> m) ^ 1));
        }
        freePages -= 1L << n;
    }

    /**
     * Returns a block; merges it with free buddies.
     *
     * @throws IllegalArgumentException when no allocation could have returned the block: a
     *                                  negative or misaligned page, past the capacity, or across
     *                                  two chunks
     * @throws IllegalStateException    when a page of it is free already (a double free)
     */
    public void free(long page, int n) {
        freeBlock(page, n);
        extents.add(page, page + (1L << n));
    }

    /** {@link #free} but for the free ranges. */
    private void freeBlock(long page, int n) {
        checkOrder(n);
        if (!Block.isBlock(page, n, capacity)) {
            throw new IllegalArgumentException("no block of order " + n + " at page " + page);
        }
        if (isFreeAnywhere(page, n)) {
            throw new IllegalStateException("block " + page + "/" + n + " is free already (double free)");
        }
        freePages += 1L << n;
        while (n < Chunks.MAX_ORDER) {
            long buddy = page ^ (1L << n);
            long merged = Math.min(page, buddy);
            if (buddy + (1L << n) > capacity || !free[n].get((int) (buddy >>> n))
                    || Chunks.chunkOf(merged) != Chunks.chunkOf(merged + (2L << n) - 1)) {
                break;
            }
            free[n].clear((int) (buddy >>> n));
            page = merged;
            n++;
        }
        free[n].set((int) (page >>> n));
    }

    /** Whether any page of the block is inside a free block (of any order). */
    private boolean isFreeAnywhere(long page, int n) {
        for (int m = 0; m <= Chunks.MAX_ORDER; m++) {
            if (m <= n) { // free blocks of order m inside [page, page + 2^n)
                if (free[m].anySet((int) (page >>> m), (int) ((page + (1L << n)) >>> m))) {
                    return true; // (a bounded check: nextSetBit would scan to the next free block)
                }
            } else if (free[m].get((int) (page >>> m))) { // a larger free block around it
                return true;
            }
        }
        return false;
    }

    /** Adds the chunks up to {@code newCapacity} as free blocks (one per chunk). */
    public void grow(long newCapacity) {
        if (!Chunks.isCapacity(newCapacity) || newCapacity <= capacity || newCapacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot grow " + capacity + " pages to " + newCapacity);
        }
        for (int k = Chunks.count(capacity); k < Chunks.count(newCapacity); k++) {
            long size = Chunks.size(k);
            int n = Long.numberOfTrailingZeros(size);
            free[n].set((int) (Chunks.start(k) >>> n));
            freePages += size;
            extents.add(Chunks.start(k), Chunks.start(k) + size);
        }
        capacity = newCapacity;
    }

    /** Frees pages {@code [from, to)} (in use until now) as the fewest blocks. */
    public void freeRange(long from, long to) {
        long page = from;
        while (page < to) {
            int n = Math.min(Long.numberOfTrailingZeros(page), Chunks.MAX_ORDER);
            while (page + (1L << n) > to || Chunks.chunkOf(page) != Chunks.chunkOf(page + (1L << n) - 1)) {
                n--;
            }
            free(page, n);
            page += 1L << n;
        }
    }

    /** Calls {@code action} with the first page and order of every free block, lowest order first. */
    public void forEachFree(Runs.PieceConsumer action) {
        for (int n = 0; n <= Chunks.MAX_ORDER; n++) {
            FreeBits b = free[n];
            for (int i = b.first(); i >= 0; i = b.nextSetBit(i + 1)) {
                action.accept((long) i << n, n);
            }
        }
    }

    private static void checkOrder(int n) {
        if (n < 0 || n > Chunks.MAX_ORDER) {
            throw new IllegalArgumentException("block order must be between 0 and " + Chunks.MAX_ORDER + ": " + n);
        }
    }
}
