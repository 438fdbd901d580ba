package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What the structure on top of the page layer reads: the roots and pages of one state, as a
 * reader ({@link ReadView}) or the writer ({@link WriteTxn}, whose own blocks it sees as written)
 * sees them.
 */
public interface PageSource {

    /** Root word {@code i} of the state. */
    long root(int i);

    /**
     * The state's commit metadata ({@link CommitMetadata}), by name: unmodifiable, empty when it
     * has none; a write transaction's shows its own changes.
     */
    java.util.SortedMap<String, byte[]> metadata();

    /** Pages {@code [page, page + count)}, read-only, as they are (no checksum is checked). */
    MemorySegment read(long page, long count);

    /**
     * The whole block or {@linkplain Runs run} at {@code page} whose page count is the unsigned
     * little-endian 16-bit number at {@code pagesOffset} of its first page (a structure that
     * records its blocks' sizes, as partitions do): read-only, so every slice of it is too, and
     * may go to the user as it is. Its {@link #CHECKSUM} is checked on a state's first read.
     *
     * @throws CorruptBlockException when the block fails its checksum
     */
    MemorySegment block(long page, long pagesOffset);

    /**
     * The run of {@code pages} pages at {@code page} (a structure that knows its blocks' sizes
     * otherwise, as out-of-line values do), read-only, its {@link #CHECKSUM} checked as
     * {@link #block}'s.
     *
     * @throws CorruptBlockException when the run fails its checksum
     */
    MemorySegment run(long page, long pages);

    /**
     * What every {@linkplain WriteTxn#allocateRun run} the structure writes begins with: the
     * CRC32C of the rest of the run, set when its transaction commits ({@link WriteTxn#seal}),
     * checked by {@link BlockChecks}. The structure's own layouts start with it.
     */
    ValueLayout.OfInt CHECKSUM = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The layout of a block's page count. */
    ValueLayout.OfShort PAGES = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes per page. */
    int pageSize();
}
