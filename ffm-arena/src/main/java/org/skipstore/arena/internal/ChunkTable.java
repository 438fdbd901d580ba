package org.skipstore.arena.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every chunk of one {@code ShardedArena}: the FFM memory they live in, the table that turns a
 * chunk id into its segment, and the memory limit.
 *
 * <p>All chunks come from one shared {@link Arena}, so {@link #close()} frees them at once and
 * the JDK guarantees that any later access to one of their segments, from any thread, throws
 * {@link IllegalStateException} instead of touching freed memory. Closing a shared arena costs
 * a handshake with every thread; it is done once per {@code ShardedArena}, never per chunk.
 *
 * <p>Chunk creation is rare (chunk sizes double up to a cap), so it may take a lock; the table is
 * an array republished through a volatile field when it grows. A reader that holds a reference
 * learned it, through a happens-before edge, from the thread that allocated it, which saw the
 * chunk registered: a plain read of the array element after the volatile read of the array is
 * therefore enough to find the chunk.
 */
public final class ChunkTable {

    /** Every chunk starts at an address aligned to this; the largest alignment a caller may ask. */
    public static final long CHUNK_ALIGNMENT = 4096;

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ChunkTable.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena memory = Arena.ofShared();
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();
    /** Guards {@link #count} and growth of {@link #chunks}; never held while allocating memory. */
    private final ReentrantLock registry = new ReentrantLock();
    /** Index = chunk id; slot 0 is never used so that reference 0 stays null. */
    private volatile MemorySegment[] chunks = new MemorySegment[16];
    private int count;
    private volatile boolean closed;

    public ChunkTable(long memoryLimit) {
        this.limit = memoryLimit;
    }

    /** Bytes of memory held by chunks (what the limit counts). O(1), exact. */
    public long reservedBytes() {
        return reserved.get();
    }

    public long memoryLimit() {
        return limit;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Number of chunks created so far. */
    public int chunkCount() {
        registry.lock();
        try {
            return count;
        } finally {
            registry.unlock();
        }
    }

    /**
     * Creates a chunk of at least {@code minBytes} and at most {@code wantBytes}, as much as the
     * memory limit allows, and returns its id; returns 0 when the limit or the system cannot give
     * {@code minBytes}. The chunk's size is {@code chunk(Refs.encode(id, 0)).byteSize()}.
     *
     * @throws IllegalStateException when the arena is closed
     */
    public int newChunk(long minBytes, long wantBytes) {
        long bytes = reserve(minBytes, wantBytes);
        if (bytes == 0) {
            return 0;
        }
        MemorySegment segment;
        try {
            segment = memory.allocate(bytes, CHUNK_ALIGNMENT);
        } catch (IllegalStateException e) { // the JDK arena was closed under us
            reserved.addAndGet(-bytes);
            throw closedError();
        } catch (OutOfMemoryError e) { // malloc refused: the same result as the limit
            reserved.addAndGet(-bytes);
            return 0;
        }
        registry.lock();
        try {
            if (closed) {
                throw closedError(); // the segment was freed by close() already or is now
            }
            if (count == Refs.MAX_CHUNK_ID) {
                reserved.addAndGet(-bytes); // memory is returned when the arena closes
                return 0;
            }
            MemorySegment[] table = chunks;
            int id = count + 1;
            if (id == table.length) {
                table = Arrays.copyOf(table, (int) Math.min((long) table.length * 2, Refs.MAX_CHUNK_ID + 1L));
            }
            table[id] = segment;
            chunks = table; // volatile write publishes the element (and a grown table)
            count = id;
            return id;
        } finally {
            registry.unlock();
        }
    }

    private long reserve(long minBytes, long wantBytes) {
        for (;;) {
            long r = reserved.get();
            long available = limit - r;
            if (available < minBytes) {
                return 0;
            }
            long bytes = Math.min(wantBytes, available);
            if (reserved.compareAndSet(r, r + bytes)) {
                return bytes;
            }
        }
    }

    /**
     * The segment of the chunk that {@code ref} points into. The segment stays valid until
     * {@link #close()}; after it, every access to it throws {@link IllegalStateException}.
     *
     * @throws IllegalArgumentException when {@code ref} names no chunk of this table
     */
    public MemorySegment chunk(long ref) {
        MemorySegment[] table = chunks;
        int id = Refs.chunkId(ref);
        MemorySegment segment;
        if (ref <= 0 || id >= table.length || (segment = table[id]) == null) {
            throw new IllegalArgumentException("not a reference of this arena: 0x" + Long.toHexString(ref));
        }
        return segment;
    }

    /**
     * Frees every chunk at once. Idempotent. Threads still using chunk segments get
     * {@link IllegalStateException} from their next access.
     *
     * @return true when this call closed the table, false when it was closed already
     */
    public boolean close() {
        registry.lock();
        try {
            if (!CLOSED.compareAndSet(this, false, true)) {
                return false;
            }
        } finally {
            registry.unlock();
        }
        // Some JDK releases refuse to close a shared arena while another thread is inside an
        // access to one of its segments ("acquired"); such accesses are short, so try again.
        for (;;) {
            try {
                memory.close();
                return true;
            } catch (IllegalStateException busy) {
                if (!memory.scope().isAlive()) {
                    return true;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** The error for any use of a closed arena. */
    public static IllegalStateException closedError() {
        return new IllegalStateException("ShardedArena is closed");
    }
}
