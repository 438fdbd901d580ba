package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * What every {@link PageFile} shares: pages kept in {@linkplain Chunks chunk} segments that are
 * added on growth and never replaced. Growth publishes the new chunk array before the new page
 * count, and {@link #pages} reads the count first, so a reader that sees a page count always
 * finds its chunks. Subclasses say where a chunk's memory comes from (a mapping, the heap of the
 * process, a simulation).
 */
public abstract class ChunkedPageFile implements PageFile {

    /** Makes the memory of one new chunk. */
    @FunctionalInterface
    protected interface ChunkSource {
        MemorySegment chunk(long offset, long bytes) throws IOException;
    }

    protected final int pageSize;
    protected final int pageShift;
    private volatile MemorySegment[] chunks = new MemorySegment[0];
    private volatile long pageCount;
    /** {@link #length()}: raised by every write, under this object's lock. */
    private volatile long length;

    protected ChunkedPageFile(int pageSize) {
        if (Integer.bitCount(pageSize) != 1 || pageSize < 512) {
            throw new IllegalArgumentException("page size must be a power of two of at least 512: " + pageSize);
        }
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
    }

    /** Adds the chunks up to {@code pages} (a capacity), each from {@code source}. */
    protected final synchronized void extendTo(long pages, ChunkSource source) throws IOException {
        MemorySegment[] old = chunks;
        int n = Chunks.count(pages);
        MemorySegment[] grown = Arrays.copyOf(old, n);
        for (int k = old.length; k < n; k++) {
            grown[k] = source.chunk(Chunks.start(k) << pageShift, Chunks.size(k) << pageShift);
        }
        chunks = grown;
        pageCount = pages;
    }

    /** The chunk segments of the first {@code pages} pages, for copies of the whole file. */
    protected final MemorySegment[] chunks() {
        return chunks;
    }

    /** One slice of the chunk: the count is read from the chunk itself. */
    @Override
    public MemorySegment block(long page, long pagesOffset, long statePages) {
        long pages = pageCount; // first, as in pages()
        MemorySegment[] cs = chunks;
        long limit = Math.min(statePages, pages); // past the state's pages the file may end: no read there
        if (page < 0 || page >= limit) {
            throw new IndexOutOfBoundsException("page " + page + " of a state of " + limit + " pages");
        }
        int k = Chunks.chunkOf(page);
        MemorySegment chunk = cs[k];
        long at = (page - Chunks.start(k)) << pageShift;
        int n = Short.toUnsignedInt(chunk.get(PageSource.PAGES, at + pagesOffset));
        if (n == 0 || page + n > limit) { // a damaged count is an exception, never a wild read
            throw new IndexOutOfBoundsException("a block of " + n + " pages at page " + page
                    + " does not fit the state's " + limit + " pages");
        }
        MemorySegment b = chunk.asSlice(at, (long) n << pageShift); // a run never crosses a chunk
        return b.isReadOnly() ? b : b.asReadOnly();
    }

    @Override
    public final int pageSize() {
        return pageSize;
    }

    @Override
    public final long pageCount() {
        return pageCount;
    }

    @Override
    public final long length() {
        return length;
    }

    /** Records that the file holds at least {@code pages} pages: after a write, or as found on open. */
    protected final synchronized void lengthAtLeast(long pages) {
        if (pages > length) {
            length = pages;
        }
    }

    @Override
    public MemorySegment pages(long page, long count) {
        long pages = pageCount; // first: growth publishes the chunks before the count
        return Chunks.slice(chunks, pages, pageShift, page, count);
    }

    /** Copies {@code src} into the pages: what a write is when the memory is the file. */
    @Override
    public void write(long page, MemorySegment src) throws IOException {
        long pages = src.byteSize() >> pageShift;
        long capacity = pageCount; // first, as in pages(); not pages() itself: a write may pass the length
        MemorySegment.copy(src, 0, Chunks.slice(chunks, capacity, pageShift, page, pages), 0, src.byteSize());
        lengthAtLeast(page + pages);
    }
}
