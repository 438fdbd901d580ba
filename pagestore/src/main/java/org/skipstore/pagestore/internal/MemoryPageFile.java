package org.skipstore.pagestore.internal;

import java.lang.foreign.Arena;

/**
 * A {@link PageFile} in memory: nothing is durable, {@link #force()} does nothing. For stores that
 * need no durability, and for the concurrency tests, which create many small stores per second.
 * Its memory is freed by the collector once the file is unreachable.
 */
public final class MemoryPageFile extends ChunkedPageFile {

    private final Arena arena = Arena.ofAuto();

    /** A zeroed file of {@link Chunks#MIN_PAGES} pages. */
    public MemoryPageFile(int pageSize) {
        super(pageSize);
        grow0(Chunks.MIN_PAGES);
    }

    private void grow0(long pages) {
        try {
            extendTo(pages, (offset, bytes) -> arena.allocate(bytes, pageSize));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // allocation throws no IOException
        }
    }

    @Override
    public void grow(long newPageCount) {
        if (!Chunks.isCapacity(newPageCount) || newPageCount <= pageCount()) {
            throw new IllegalArgumentException("cannot grow " + pageCount() + " pages to " + newPageCount);
        }
        grow0(newPageCount);
    }

    @Override
    public void force() {
        // nothing is durable
    }

    @Override
    public void close() {
        // memory goes with the last reference
    }
}
