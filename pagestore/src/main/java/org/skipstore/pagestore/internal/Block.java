package org.skipstore.pagestore.internal;

/**
 * A buddy block: {@code 2^order} pages from {@code page}. What the allocator hands out, a
 * transaction frees, the free list and the commit record name on disk ({@link Meta} packs it
 * into one word there: {@link Meta#freeEntry}); in memory it stays this record.
 */
public record Block(long page, int order) {

    /** Its page count. */
    public long pages() {
        return 1L << order;
    }

    /** The block of a packed free-list or commit-record word. */
    static Block of(long entry) {
        return new Block(Meta.entryPage(entry), Meta.entryOrder(entry));
    }

    /** Its packed on-disk word. */
    long entry() {
        return Meta.freeEntry(page, order);
    }

    /**
     * The one rule for a block any allocation could have returned in a file of
     * {@code pageCount} pages: an order up to {@link Chunks#MAX_ORDER}, a first page aligned to
     * the block's size, every page inside the file and inside one chunk ({@link Chunks}). The
     * meta pages (0 and 1) are not excluded here: callers that read a state say so
     * ({@link #isStoreBlock}).
     */
    public static boolean isBlock(long page, int order, long pageCount) {
        if (order < 0 || order > Chunks.MAX_ORDER || page < 0) {
            return false;
        }
        long size = 1L << order;
        return (page & (size - 1)) == 0 && page <= pageCount - size
                && Chunks.chunkOf(page) == Chunks.chunkOf(page + size - 1);
    }

    /** {@link #isBlock} and past the two meta pages: a block a committed state may name. */
    public static boolean isStoreBlock(long page, int order, long pageCount) {
        return page >= Meta.SLOTS && isBlock(page, order, pageCount);
    }

    /**
     * The smallest order whose block holds {@code pages} pages: the one ceil-log2 of the page
     * layer.
     */
    public static int orderFor(long pages) {
        if (pages < 1 || pages > Chunks.MAX_CHUNK_PAGES) {
            throw new IllegalArgumentException("a block has 1 to " + Chunks.MAX_CHUNK_PAGES + " pages: " + pages);
        }
        return 64 - Long.numberOfLeadingZeros(pages - 1);
    }

    @Override
    public String toString() {
        return page + "/" + order;
    }
}
