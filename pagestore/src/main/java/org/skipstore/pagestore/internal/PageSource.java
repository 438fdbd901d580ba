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

    /** Bytes per page. */
    int pageSize();
}
