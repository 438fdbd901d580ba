package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * The structural check of one committed state: every page of the logical length belongs to
 * exactly one block, and each block is either used by the state (meta pages, free list, commit
 * record, and the blocks the structure on top reports) or listed free; no two blocks overlap,
 * none passes the logical length, and no used one passes the pages of the file the meta records
 * ({@link Meta#filePages}). The tests run it after every recovery.
 */
public final class Checker {

    private final long pageCount;
    private final long filePages;
    private final BitSet used = new BitSet();
    private final BitSet free = new BitSet();

    /** Starts the check of state {@code m}: marks the meta pages, the free list and the record. */
    public Checker(PageFile file, Meta m) {
        this.pageCount = m.pageCount;
        this.filePages = m.filePages;
        mark(used, "meta pages", 0, 1);
        if (m.freeList != 0) {
            mark(used, "the free list", m.freeList, m.freeOrder);
        }
        MemorySegment b = Meta.freeEntries(file, m);
        if (b != null) {
            for (int i = 0; i < m.freeCount; i++) {
                long e = Meta.getEntry(b, i);
                mark(free, "a free block", Meta.entryPage(e), Meta.entryOrder(e));
            }
        }
        if (m.record != 0) {
            mark(used, "the commit record", m.record, m.recordOrder);
        }
        if (!m.metadata.isNone()) {
            mark(used, "the commit metadata", m.metadata.page(), m.metadata.order());
        }
    }

    /** Reports a block that the structure on top uses. */
    public Checker used(long page, int order) {
        mark(used, "a used block", page, order);
        return this;
    }

    /** Reports a {@linkplain Runs run} that the structure on top uses: its pieces. */
    public Checker usedRun(long page, long pages) {
        if (pages < 1 || pages > Chunks.MAX_CHUNK_PAGES || page < 0
                || Chunks.chunkOf(page) != Chunks.chunkOf(page + pages - 1)) {
            throw new IllegalStateException("a run of " + pages + " pages at page " + page
                    + " has a bad size or crosses a chunk's end");
        }
        Runs.forEachPiece(page, pages, this::used);
        return this;
    }

    /**
     * Finishes the check.
     *
     * @throws IllegalStateException naming the first problem found
     */
    public void verify() {
        BitSet both = (BitSet) used.clone();
        both.and(free);
        if (!both.isEmpty()) {
            throw new IllegalStateException("page " + both.nextSetBit(0) + " is both used and free");
        }
        BitSet all = (BitSet) used.clone();
        all.or(free);
        int hole = all.nextClearBit(0);
        if (hole < pageCount) {
            throw new IllegalStateException("page " + hole + " is neither used nor free (leaked)");
        }
    }

    private void mark(BitSet set, String what, long page, int n) {
        if (!Block.isBlock(page, n, pageCount)) { // the reason, for the report
            String why = n < 0 || n > Chunks.MAX_ORDER || (page & ((1L << n) - 1)) != 0 ? "has a bad order or alignment"
                    : page < 0 || page + (1L << n) > pageCount ? "passes the logical length " + pageCount
                    : "crosses a chunk boundary";
            throw new IllegalStateException(what + " at page " + page + "/" + n + " " + why);
        }
        if (set == used && page + (1L << n) > filePages) {
            throw new IllegalStateException(what + " at page " + page + "/" + n + " passes the file's "
                    + filePages + " pages");
        }
        int from = (int) page;
        int to = (int) (page + (1L << n));
        int overlap = set.nextSetBit(from);
        if (overlap >= 0 && overlap < to) {
            throw new IllegalStateException(what + " at page " + page + "/" + n + " overlaps another block at page "
                    + overlap);
        }
        set.set(from, to);
    }
}
