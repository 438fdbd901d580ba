package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;

/**
 * What the structure on top of the page layer reads: the roots and pages of one state, as a
 * reader ({@link ReadView}) or the writer ({@link WriteTxn}, whose own blocks it sees as written)
 * sees them.
 */
public interface PageSource {

    /** Root word {@code i} of the state. */
    long root(int i);

    /** Pages {@code [page, page + count)}, read-only. */
    MemorySegment read(long page, long count);

    /**
     * The whole block at {@code page} whose order is the byte at {@code orderOffset} of its first
     * page (a structure that records its blocks' orders, as partitions do): internal, NOT
     * read-only, for reading; hand out {@code asReadOnly()} slices of it.
     */
    MemorySegment block(long page, long orderOffset);

    /** Bytes per page. */
    int pageSize();
}
