package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A file of fixed-size pages, seen as memory: what the page layer stands on.
 *
 * <p>The pages are cut into chunks ({@link Chunks}) that are added on growth and never moved, so
 * a segment that {@link #pages} returned stays valid until {@link #close()}. The file on disk is
 * shorter than its chunks: it holds the pages written so far ({@link #length()}) and grows by the
 * writes themselves, so a store is as large as what it wrote, not as its last chunk. Segments are
 * for reading, and only of written pages (a mapped page past the end of the file faults); pages
 * are changed only by {@link #write}. No write is durable until a {@link #force()} that follows
 * it returns, the file's new length included; the operating system may write any dirty page back
 * at any moment before that, in any order, and possibly only in part (a torn page). The commit
 * protocol ({@link Pager}) is built on exactly these promises and no others; {@code
 * MappedPageFile} keeps them with a file mapped read-only and written through its channel, and
 * the tests' fault-injecting file breaks everything they allow.
 */
public interface PageFile extends AutoCloseable {

    /** Bytes per page: a power of two. */
    int pageSize();

    /** Pages the chunks hold now: a {@linkplain Chunks#isCapacity capacity} of the chunk scheme. */
    long pageCount();

    /**
     * Pages of the file: at least the end of every page written, at most {@link #pageCount()}.
     * Pages from here on were never written, and reading them is an error (a mapped file's
     * would fault).
     */
    long length();

    /**
     * The {@code count} pages from {@code page} as one segment, to read: a mapped file's is
     * read-only; change pages with {@link #write}.
     *
     * @throws IndexOutOfBoundsException when the range passes {@link #pageCount()} or crosses a
     *                                   chunk boundary (a naturally aligned block of at most
     *                                   {@link Chunks#MAX_CHUNK_PAGES} pages never does)
     * @throws IllegalStateException     after {@link #close()}
     */
    MemorySegment pages(long page, long count);

    /**
     * The block or run at {@code page} whose page count is the unsigned little-endian 16-bit
     * number at {@code pagesOffset} of its first page, read-only, checked against a state of
     * {@code statePages} pages: what {@link PageSource#block} reads, once per partition.
     */
    MemorySegment block(long page, long pagesOffset, long statePages);

    /**
     * Writes {@code src} (whole pages) at {@code page}: {@link #pages} shows the new bytes at
     * once, and nothing is durable before a {@link #force()}. A mapped file writes through
     * its channel (pwrite), not into the mapping: a store into a clean mapped page would cost a
     * write fault in the kernel (on ext4 about 10 µs a page here), a write through the file costs
     * a copy.
     */
    void write(long page, MemorySegment src) throws IOException;

    /**
     * Writes {@code parts}, whole pages each, one after the other from {@code page} on, as
     * {@link #write(long, MemorySegment)} would one by one; a file may gather them into fewer
     * writes (a commit writes every block it allocated: a flush, a hundred thousand, mostly
     * side by side).
     */
    default void write(long page, java.util.List<MemorySegment> parts) throws IOException {
        long at = page;
        for (MemorySegment part : parts) {
            write(at, part);
            at += part.byteSize() / pageSize();
        }
    }

    /**
     * Adds chunks up to {@code newPageCount} pages: room to write, not yet part of the file, whose
     * {@link #length()} grows only by writes. Every block is written through {@link #write} before
     * a state uses it; a full disk or a file size limit makes that write throw.
     */
    void grow(long newPageCount) throws IOException;

    /** Makes every write made so far durable: one barrier. */
    void force() throws IOException;

    /**
     * Releases the file. A mapped file unmaps it: later accesses to its segments throw
     * {@link IllegalStateException}, never crash; a file in memory keeps its pages until they are
     * unreachable.
     */
    @Override
    void close() throws IOException;
}
