package org.skipstore.pagestore.internal;

/**
 * Runs: blocks of any number of pages at any page, made of buddy blocks. A run of {@code n}
 * pages at page {@code p} is the fewest aligned buddy blocks that tile {@code [p, p + n)}, taken
 * from the left, each the largest that starts there and fits (its pieces):
 *
 * <pre>
 *   n = 5 at p = 8:    | order 2 (4 pages) | order 0 |
 *                        8                   12
 *   n = 5 at p = 5:    | order 0 | order 1 | order 1 |
 *                        5         6         8
 * </pre>
 *
 * Each piece is aligned to its size, and a run lies inside one chunk, so each piece is a block
 * the page layer knows: its allocator, free list, commit record and checker see the pieces, and
 * freeing them one by one merges them back. A run at a multiple of its largest power of two has
 * the binary pieces of {@code n}, largest first. The allocator places runs in the smallest range
 * of free pages that holds them ({@link BuddyAllocator#allocateRun}). The point of runs is
 * density: a structure sized in pages wastes less than a page per block instead of up to half
 * the block.
 */
public final class Runs {

    /** Receives a piece: its first page and order. */
    @FunctionalInterface
    public interface PieceConsumer {
        void accept(long page, int order);
    }

    private Runs() {
    }

    /** The smallest order whose block holds a run of {@code pages}: the size of its write buffer. */
    public static int orderOf(long pages) {
        return Block.orderFor(pages);
    }

    /** Calls {@code action} with each piece of the run of {@code pages} at {@code page}, in page order. */
    public static void forEachPiece(long page, long pages, PieceConsumer action) {
        orderOf(pages);
        long at = page;
        for (long left = pages; left > 0;) {
            int n = Math.min(Long.numberOfTrailingZeros(at), 63 - Long.numberOfLeadingZeros(left));
            action.accept(at, n);
            at += 1L << n;
            left -= 1L << n;
        }
    }
}
