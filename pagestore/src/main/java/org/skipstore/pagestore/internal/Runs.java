package org.skipstore.pagestore.internal;

/**
 * Runs: blocks of any number of pages, made of buddy blocks. A run of {@code n} pages is
 * allocated as the block of the smallest order {@code k} with {@code 2^k >= n}, whose tail
 * {@code [n, 2^k)} is freed at once; what stays is one aligned buddy block per bit of {@code n},
 * the largest first (its pieces):
 *
 * <pre>
 *   n = 5 (binary 101), k = 3:   | order 2 (4 pages) | order 0 | order 0: freed | order 1: freed |
 *                                  page              page + 4   page + 5         page + 6
 * </pre>
 *
 * Each piece is aligned to its size because the run's first page is aligned to its largest
 * piece (to {@code 2^k} when cut as above; a run may also be placed where its pieces are free
 * already, {@link BuddyAllocator#allocateRunInPlace}) and the pieces before it add up to a
 * multiple of it. So a run needs nothing new from the page
 * layer's allocator, free list, commit record or checker: they see its pieces, and freeing them
 * one by one merges them back. The point of runs is density: a structure sized in pages wastes
 * less than half a page per block instead of up to half the block.
 */
public final class Runs {

    /** Receives a piece: its first page and order. */
    @FunctionalInterface
    public interface PieceConsumer {
        void accept(long page, int order);
    }

    private Runs() {
    }

    /** The order of the buddy block a run of {@code pages} is cut from. */
    public static int orderOf(long pages) {
        return Block.orderFor(pages);
    }

    /** Calls {@code action} with each piece of the run of {@code pages} at {@code page}, in page order. */
    public static void forEachPiece(long page, long pages, PieceConsumer action) {
        orderOf(pages);
        long at = page;
        for (int n = 63 - Long.numberOfLeadingZeros(pages); n >= 0; n--) {
            if ((pages & (1L << n)) != 0) {
                action.accept(at, n);
                at += 1L << n;
            }
        }
    }

    /** Calls {@code action} with each block of the tail {@code [pages, 2^orderOf(pages))} of the run at {@code page}. */
    static void forEachTailBlock(long page, long pages, PieceConsumer action) {
        long end = page + (1L << orderOf(pages));
        long at = page + pages;
        while (at < end) {
            int n = Long.numberOfTrailingZeros(at - page); // aligned, and never past the end
            action.accept(at, n);
            at += 1L << n;
        }
    }
}
