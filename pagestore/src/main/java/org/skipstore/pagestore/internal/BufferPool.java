package org.skipstore.pagestore.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Write buffers of transactions, one per block they allocate. Blocks are written into buffers
 * and through the file at commit ({@link PageFile#write}), never by stores into the mapping
 * ({@link Pager}). Up to {@link #POOLED_BYTES} of buffers live in an arena of the pool's and are
 * reused, per block order; larger or further ones are left to the collector. Guarded by the
 * pager's write lock.
 */
final class BufferPool implements AutoCloseable {

    static final long POOLED_BYTES = 16L << 20;

    private final int pageSize;
    private final Arena arena = Arena.ofShared();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] free = new ArrayDeque[Chunks.MAX_ORDER + 1];
    /** Bytes allocated in {@link #arena}, in use or pooled. */
    private long arenaBytes;

    BufferPool(int pageSize) {
        this.pageSize = pageSize;
    }

    /** A buffer for a block of order {@code n}; its content is undefined. */
    MemorySegment take(int n) {
        ArrayDeque<MemorySegment> q = free[n];
        MemorySegment b = q == null ? null : q.poll();
        if (b != null) {
            return b;
        }
        long bytes = (long) pageSize << n;
        if (arenaBytes + bytes <= POOLED_BYTES) {
            arenaBytes += bytes;
            return arena.allocate(bytes, pageSize);
        }
        return Arena.ofAuto().allocate(bytes, pageSize);
    }

    /** Gives back a buffer of order {@code n} that {@link #take} returned. */
    void give(MemorySegment b, int n) {
        if (b.scope() == arena.scope()) {
            if (free[n] == null) {
                free[n] = new ArrayDeque<>();
            }
            free[n].push(b);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
