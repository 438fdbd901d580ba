package org.skipstore.pagestore.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Write buffers of transactions, one per block they allocate. Blocks are written into buffers
 * and through the file at commit ({@link PageFile#write}), never by stores into the mapping
 * ({@link Pager}). Up to {@link #POOLED_BYTES} of buffers (or the store's {@code
 * writeBufferPoolBytes}) live in an arena of the pool's and are
 * reused, per block order. Further ones, which a large transaction (an engine's flush rewrites
 * hundreds of megabytes) takes by the hundred thousand, are cut from slabs of
 * {@link #SLAB_BYTES} and reused by the same transaction when it gives them back. Slabs, and
 * buffers too large to cut from one, live in an arena of the transaction's, made when it first
 * passes the pool and closed when it ends ({@link #endTransaction}): their memory goes back at
 * once rather than when a collection finds them unreachable, which a large heap may put off
 * while hundreds of megabytes wait (a Kafka Streams instance bounds its stores' memory). An
 * arena per buffer cost each one a session, a cleaner and a malloc: in a flush of 500 k entries,
 * about a tenth of the writer's time. A meta page may outlive its transaction (a group commit
 * defers it), so it always comes from the pool ({@link #takeLasting}). Guarded by the pager's
 * write lock.
 */
final class BufferPool implements AutoCloseable {

    static final long POOLED_BYTES = org.skipstore.pagestore.PageStore.DEFAULT_WRITE_BUFFER_POOL;
    static final long SLAB_BYTES = 1L << 20;
    /** The largest buffer cut from a slab (larger ones would waste its tail). */
    static final long SLICED_MAX = SLAB_BYTES / 8;

    private final int pageSize;
    /** Bytes of buffers kept in {@link #arena}; {@link #POOLED_BYTES} unless the store's options say less or more. */
    private long pooled = POOLED_BYTES;
    private final Arena arena = Arena.ofShared();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] free = new ArrayDeque[Chunks.MAX_ORDER + 1];
    /** Buffers cut from slabs and given back in this transaction, per order. */
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] sliced = new ArrayDeque[Chunks.MAX_ORDER + 1];
    /** Bytes allocated in {@link #arena}, in use or pooled. */
    private long arenaBytes;
    /** The slab buffers are cut from, and its bytes cut so far. */
    private MemorySegment slab;
    private long slabUsed;
    /** The current transaction's slabs and large buffers; null until it passes the pool. */
    private Arena transaction;

    BufferPool(int pageSize) {
        this.pageSize = pageSize;
    }

    /** Keeps at most {@code bytes} of buffers from now on (set before the first transaction). */
    void limit(long bytes) {
        pooled = bytes;
    }

    /** A buffer for a block of order {@code n}; its content is undefined. */
    MemorySegment take(int n) {
        MemorySegment b = poll(free[n]);
        if (b == null) {
            b = poll(sliced[n]);
        }
        if (b != null) {
            return b;
        }
        long bytes = (long) pageSize << n;
        if (arenaBytes + bytes <= pooled) {
            arenaBytes += bytes;
            return arena.allocate(bytes, pageSize);
        }
        if (transaction == null) {
            transaction = Arena.ofShared(); // a force may run on another thread
        }
        if (bytes > SLICED_MAX) {
            return transaction.allocate(bytes, pageSize);
        }
        if (slab == null || slabUsed + bytes > slab.byteSize()) {
            slab = transaction.allocate(SLAB_BYTES, pageSize);
            slabUsed = 0;
        }
        b = slab.asSlice(slabUsed, bytes); // at a multiple of its size: aligned as the pooled ones
        slabUsed += bytes;
        return b;
    }

    /**
     * A buffer for a block of order {@code n} that may be used after its transaction ends (a
     * deferred meta page): from the pool, past its size if need be (one page per commit at most).
     */
    MemorySegment takeLasting(int n) {
        MemorySegment b = poll(free[n]);
        if (b != null) {
            return b;
        }
        long bytes = (long) pageSize << n;
        arenaBytes += bytes;
        return arena.allocate(bytes, pageSize);
    }

    private static MemorySegment poll(ArrayDeque<MemorySegment> q) {
        return q == null ? null : q.poll();
    }

    /** Gives back a buffer of order {@code n} that {@link #take} returned. */
    void give(MemorySegment b, int n) {
        if (b.scope() == arena.scope()) {
            push(free, b, n);
        } else if (b.byteSize() <= SLICED_MAX) {
            push(sliced, b, n);
        }
    }

    private static void push(ArrayDeque<MemorySegment>[] lists, MemorySegment b, int n) {
        if (lists[n] == null) {
            lists[n] = new ArrayDeque<>();
        }
        lists[n].push(b);
    }

    /** A write transaction ended: its slabs and large buffers are freed. */
    void endTransaction() {
        for (ArrayDeque<MemorySegment> q : sliced) {
            if (q != null) {
                q.clear();
            }
        }
        slab = null;
        if (transaction != null) {
            Arena t = transaction;
            transaction = null;
            t.close();
        }
    }

    @Override
    public void close() {
        endTransaction();
        arena.close();
    }
}
