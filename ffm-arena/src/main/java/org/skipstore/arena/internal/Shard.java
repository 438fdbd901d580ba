package org.skipstore.arena.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One shard of a {@code ShardedArena}: a bump pointer inside the shard's current chunk.
 *
 * <h2>State</h2>
 * Two volatile words, both in reference form ({@link Refs}: chunk id | offset):
 * <pre>
 *   chunk 7 (64 KiB)
 *   +---------------------------+-----------------------------+
 *   | handed out                | free                        |
 *   +---------------------------+-----------------------------+
 *   ^ ref(7, 0)                 ^ top = ref(7, used)          ^ limit = ref(7, 65536)
 * </pre>
 * A new shard has {@code top = 0} and {@code limit = -1}, so its first allocation refills.
 *
 * <h2>Allocation (lock-free fast path)</h2>
 * <ol>
 *   <li>Read {@code top}, then {@code limit} (volatile reads, in that order).</li>
 *   <li>Align: {@code start = (top + a - 1) & -a}. The chunk base is aligned to
 *       {@link ChunkTable#CHUNK_ALIGNMENT}, so aligning the offset aligns the address; the
 *       chunk id bits are untouched because offsets stay below 2^40.</li>
 *   <li>If {@code start + size > limit}, take the slow path (below).</li>
 *   <li>CAS {@code top} from the value read to {@code start + size}. This CAS is the
 *       allocation: the winner owns {@code [start, start + size)}. A loser (another thread bound
 *       to the same shard) starts again at step 1.</li>
 *   <li>Add {@code size} to {@code allocated}: an atomic add on a cache line the thread has just
 *       written, cheap while the shard is not shared.</li>
 * </ol>
 *
 * <h2>Refill (slow path, under {@link #lock})</h2>
 * Re-check the fit (another thread may have refilled), ask the {@link ChunkTable} for a chunk
 * (sizes double from the initial size up to the cap; a request larger than the cap gets a chunk
 * of its own and leaves the current chunk in place), then publish it: write {@code top} first,
 * {@code limit} second. Why this order: a fast-path thread that read the old {@code top} and the
 * new {@code limit} would compute a fit against the wrong chunk, but its CAS expects the old
 * {@code top}, which is gone (chunk ids only grow, so it never comes back): the CAS fails. A
 * thread that reads the new {@code top} with the old {@code limit} sees a chunk id larger than the
 * limit's, so it cannot fit and goes to the slow path, where it waits for the lock. Writing them
 * in the other order would let the first thread's CAS succeed past the end of the old chunk.
 *
 * <h2>Padding</h2>
 * The hot words sit between two 64-byte pads (superclass fields are laid out first), so two
 * shards used by two threads never share a cache line.
 */
public final class Shard extends ShardPadAfter {

    /** Returned by {@link #refill} when the caller should run the fast path again. */
    private static final long RETRY = -1;

    private static final VarHandle TOP;
    private static final VarHandle ALLOCATED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TOP = l.findVarHandle(ShardHot.class, "top", long.class);
            ALLOCATED = l.findVarHandle(ShardHot.class, "allocated", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int index;
    private final ChunkTable table;
    private final long maxChunkBytes;
    /** Serializes refills; a ReentrantLock so that a virtual thread never pins its carrier. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Size of the next regular chunk; guarded by {@link #lock}. */
    private long nextChunkBytes;
    /** Bytes of the chunks this shard holds; written under {@link #lock}. */
    private volatile long reserved;
    /** Number of chunks this shard holds; written under {@link #lock}. */
    private volatile int chunks;

    public Shard(int index, ChunkTable table, long initialChunkBytes, long maxChunkBytes) {
        this.index = index;
        this.table = table;
        this.nextChunkBytes = initialChunkBytes;
        this.maxChunkBytes = maxChunkBytes;
        this.top = 0;
        this.limit = -1;
    }

    /**
     * Allocates {@code size} bytes aligned to {@code alignment} (a power of two, at most
     * {@link ChunkTable#CHUNK_ALIGNMENT}); arguments are checked by the caller.
     *
     * @return the reference, or 0 when the memory limit (or the system) refuses
     * @throws IllegalStateException when the arena was closed and a chunk was needed
     */
    public long allocate(long size, long alignment) {
        long mask = alignment - 1;
        for (;;) {
            long t = top;                       // 1
            long start = (t + mask) & ~mask;    // 2
            long end = start + size;
            if (end > limit) {                  // 3
                long r = refill(size, mask);
                if (r != RETRY) {
                    return r;
                }
            } else if (TOP.compareAndSet(this, t, end)) { // 4
                ALLOCATED.getAndAdd(this, size);           // 5
                return start;
            }
        }
    }

    private long refill(long size, long mask) {
        lock.lock();
        try {
            if (table.isClosed()) {
                throw ChunkTable.closedError();
            }
            long start = (top + mask) & ~mask;
            if (start + size <= limit) {
                return RETRY; // another thread refilled while we waited for the lock
            }
            if (size > maxChunkBytes) {
                return dedicatedChunk(size);
            }
            int id = table.newChunk(size, Math.max(size, nextChunkBytes));
            if (id == 0) {
                return 0;
            }
            long bytes = table.chunk(Refs.encode(id, 0)).byteSize();
            reserved += bytes;
            chunks++;
            nextChunkBytes = Math.min(nextChunkBytes * 2, maxChunkBytes);
            top = Refs.encode(id, 0);       // first: see the class comment
            limit = Refs.encode(id, bytes); // second
            return RETRY;
        } finally {
            lock.unlock();
        }
    }

    /** A block larger than any regular chunk: a chunk of its own; the current chunk stays. */
    private long dedicatedChunk(long size) {
        int id = table.newChunk(size, size);
        if (id == 0) {
            return 0;
        }
        reserved += size;
        chunks++;
        ALLOCATED.getAndAdd(this, size);
        return Refs.encode(id, 0);
    }

    public int index() {
        return index;
    }

    /** Bytes handed out by this shard: the exact sum of the sizes of its successful allocations. */
    public long allocatedBytes() {
        return allocated;
    }

    /** Bytes of the chunks this shard holds. */
    public long reservedBytes() {
        return reserved;
    }

    /** Number of chunks this shard holds. */
    public int chunkCount() {
        return chunks;
    }
}

/** 64 bytes of padding before the hot words. */
abstract class ShardPadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The words every allocation touches. */
abstract class ShardHot extends ShardPadBefore {
    /** Reference to the first free byte of the current chunk. */
    volatile long top;
    /** Reference to the end of the current chunk. */
    volatile long limit;
    /** Exact sum of the sizes handed out. */
    volatile long allocated;
}

/** 64 bytes of padding after the hot words. */
abstract class ShardPadAfter extends ShardHot {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}
