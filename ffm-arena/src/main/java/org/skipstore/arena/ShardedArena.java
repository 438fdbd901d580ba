package org.skipstore.arena;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.skipstore.arena.internal.ChunkTable;
import org.skipstore.arena.internal.Refs;
import org.skipstore.arena.internal.Shard;

/**
 * An off-heap bump allocator for many threads: each thread allocates in its own shard, without
 * contention, and all memory is released at once by {@link #close()}.
 *
 * <pre>{@code
 * try (ShardedArena arena = ShardedArena.builder().memoryLimit(64 << 20).build()) {
 *     long ref = arena.allocate(24);                 // 8-byte aligned
 *     if (ref == ShardedArena.NULL) { ... }          // the memory limit was reached
 *     MemorySegment block = arena.segment(ref, 24);  // bounds-checked view of the block
 *     block.set(ValueLayout.JAVA_LONG, 0, 42L);
 * }
 * }</pre>
 *
 * <h2>Shards and threads</h2>
 * A thread is bound to a shard at its first allocation, round robin, and keeps that shard for
 * the life of <em>this</em> arena: the binding lives in a {@link ThreadLocal} owned by the arena
 * instance, so a new arena (even one that replaces a closed one) starts with fresh bindings and a
 * binding can never point into another arena. Any number of threads may allocate over the
 * arena's life; when there are more threads than shards, several threads share a shard, and the
 * shard's bump pointer is advanced by compare-and-set, so sharing costs retries, never
 * correctness. The default shard count is the number of available processors.
 *
 * <h2>Chunks and the memory limit</h2>
 * Shards carve blocks out of chunks of FFM memory that the arena owns. A shard's first chunk has
 * {@link Builder#initialChunkBytes}; each next one is twice as large, up to
 * {@link Builder#maxChunkBytes}. A block larger than that gets a chunk of its own. Chunks count
 * against {@link Builder#memoryLimit}; when no chunk can be had within it, {@link #allocate}
 * returns {@link #NULL} rather than throwing, so the hot path of a caller that fills the arena
 * on purpose (a memtable) needs no exception handling. Chunk memory is zeroed by the JDK.
 *
 * <h2>References</h2>
 * An allocation returns a 64-bit reference, never 0 ({@link #NULL}), that decodes in O(1) to the
 * chunk segment that holds the block ({@link #chunk}) and the block's offset in it
 * ({@link #offset}), or to a slice of exactly the block ({@link #segment}). Both are ordinary
 * bounds-checked segments: no restricted method is used, so the module needs no
 * {@code --enable-native-access}. Accesses through {@link #chunk} plus {@link #offset} create no
 * object, which keeps a caller's hot path free of garbage.
 *
 * <h2>Regions</h2>
 * With {@link Builder#regions} above 1, each shard has that many bump pointers, each through
 * chunks of its own, and {@link #allocate(long, long, int)} names the region: a caller keeps the
 * blocks it visits most packed together, apart from the rest (the memtable keeps its skip list's
 * towers apart from the nodes). All regions share the memory limit.
 *
 * <h2>Accounting</h2>
 * {@link #allocatedBytes()} is the exact sum of the sizes of all successful allocations (the
 * counters are updated atomically; the sum is exact whenever no allocation is in flight, and
 * never counts a block twice). It is read in O(shards), independent of the number of
 * allocations: keeping one global counter instead would put every allocation of every thread on
 * one contended cache line, which is what the shards exist to avoid. {@link #reservedBytes()} is
 * one atomic read. {@link #idleBytes()}, {@link #utilization()} and {@link #shardStats()} follow.
 *
 * <h2>Closing</h2>
 * {@link #close()} frees every chunk at once and is idempotent. After it, {@link #allocate},
 * {@link #segment} and every access to a segment obtained from this arena throw
 * {@link IllegalStateException}; the statistics keep their last values. Closing while other
 * threads allocate or read is allowed and safe: each racing allocation either completes before
 * the close (its block is freed with the rest, and accessing it fails cleanly) or throws
 * {@code IllegalStateException}; a racing read either completes before the close or throws
 * {@code IllegalStateException}. The JDK's shared-arena handshake guarantees that no access
 * touches freed memory, so the JVM cannot crash. Closing costs one such handshake.
 *
 * <p>A little past 400 lines, on purpose: most of it is this contract and the builder's, which a
 * user reads here, next to the methods they describe.
 */
public final class ShardedArena implements AutoCloseable {

    /** The reference that names no memory: the result of an allocation the memory limit refused. */
    public static final long NULL = 0L;

    /** The default alignment of {@link #allocate(long)}. */
    public static final long DEFAULT_ALIGNMENT = Long.BYTES;

    /** The largest alignment {@link #allocate(long, long)} accepts. */
    public static final long MAX_ALIGNMENT = ChunkTable.CHUNK_ALIGNMENT;

    /** The largest block one allocation can return: a chunk's offset has 40 bits. */
    public static final long MAX_ALLOCATION_BYTES = Refs.OFFSET_MASK + 1 - ChunkTable.CHUNK_ALIGNMENT;

    /** The most shards an arena can have. */
    public static final int MAX_SHARDS = 1 << 16;

    /** The most regions a shard can have. */
    public static final int MAX_REGIONS = 8;

    /** Region {@code r} of shard {@code i} is {@code shards[i * regions + r]}. */
    private final Shard[] shards;
    private final int regions;
    private final ChunkTable table;
    private final long initialChunkBytes;
    private final long maxChunkBytes;
    private final AtomicInteger nextShard = new AtomicInteger();
    /** This arena's thread-to-shard binding; holds an Integer so no value pins the arena. */
    private final ThreadLocal<Integer> binding = new ThreadLocal<>();

    private ShardedArena(Builder b) {
        this.table = new ChunkTable(b.memoryLimit);
        this.initialChunkBytes = b.initialChunkBytes;
        this.maxChunkBytes = b.maxChunkBytes;
        this.regions = b.regions;
        this.shards = new Shard[b.shards * b.regions];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, table, b.initialChunkBytes, b.maxChunkBytes);
        }
    }

    /** An arena with the defaults: one shard per available processor, no memory limit. */
    public static ShardedArena create() {
        return builder().build();
    }

    /** A builder with the defaults of {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Allocates {@code size} bytes aligned to {@link #DEFAULT_ALIGNMENT} in the calling thread's
     * shard.
     *
     * @see #allocate(long, long)
     */
    public long allocate(long size) {
        return allocate(size, DEFAULT_ALIGNMENT);
    }

    /**
     * Allocates {@code size} bytes whose address is a multiple of {@code alignment}, in the
     * calling thread's shard. The block is zeroed if the arena never handed its bytes out before
     * (always, since blocks are never reused).
     *
     * @param size      0 to {@link #MAX_ALLOCATION_BYTES}
     * @param alignment a power of two, 1 to {@link #MAX_ALIGNMENT}
     * @return a reference to the block, or {@link #NULL} when the memory limit (or the operating
     *         system) cannot provide the memory
     * @throws IllegalArgumentException on a negative or too large size or a bad alignment
     * @throws IllegalStateException    when the arena is closed
     */
    public long allocate(long size, long alignment) {
        return allocate(size, alignment, 0);
    }

    /**
     * {@link #allocate(long, long)} in region {@code region} of the calling thread's shard. Each
     * region of a shard bumps through chunks of its own, so a caller can keep the blocks it
     * visits most (a skip list's towers) packed together, apart from the rest: fewer cache lines
     * and pages for the same visits.
     *
     * @param region 0 to {@link #regionCount()} - 1
     * @throws IllegalArgumentException also on a region out of range
     */
    public long allocate(long size, long alignment, int region) {
        if (region < 0 || region >= regions) {
            throw new IllegalArgumentException("region must be between 0 and " + (regions - 1) + ": " + region);
        }
        if (size < 0 || size > MAX_ALLOCATION_BYTES) {
            throw badSize(size);
        }
        if (alignment <= 0 || alignment > MAX_ALIGNMENT || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException(
                    "alignment must be a power of two between 1 and " + MAX_ALIGNMENT + ": " + alignment);
        }
        if (table.isClosed()) {
            throw ChunkTable.closedError();
        }
        return shards[shardOfCurrentThread() * regions + region].allocate(size, alignment);
    }

    /** The index of the calling thread's shard. */
    private int shardOfCurrentThread() {
        int n = shards.length / regions;
        if (n == 1) {
            return 0;
        }
        Integer i = binding.get();
        if (i == null) {
            i = Math.floorMod(nextShard.getAndIncrement(), n);
            binding.set(i);
        }
        return i;
    }

    private static IllegalArgumentException badSize(long size) {
        return new IllegalArgumentException(size < 0
                ? "allocation size must not be negative: " + size
                : "allocation size " + size + " exceeds the largest block an arena holds ("
                        + MAX_ALLOCATION_BYTES + " bytes)");
    }

    /**
     * The segment of the whole chunk that holds the block {@code ref} names; the block starts at
     * {@link #offset(long) offset(ref)} in it. Creates no object: this is the zero-garbage way to
     * read and write blocks. Accesses to the segment throw {@link IllegalStateException} once the
     * arena is closed.
     *
     * @throws IllegalArgumentException when {@code ref} is not a reference of this arena
     */
    public MemorySegment chunk(long ref) {
        return table.chunk(ref);
    }

    /** The offset of the block {@code ref} names inside {@link #chunk(long) chunk(ref)}. */
    public static long offset(long ref) {
        return Refs.offset(ref);
    }

    /**
     * The id of the chunk that holds the block {@code ref} names: ids start at 1 and grow by one
     * per chunk an arena creates, so users that pack references into fewer bits (such as the
     * memtable's tower links) can store the id and {@link #offset(long) offset} and rebuild the
     * reference with {@link #reference(int, long)}.
     */
    public static int chunkId(long ref) {
        return Refs.chunkId(ref);
    }

    /** The reference with the given {@link #chunkId(long) chunk id} and offset. */
    public static long reference(int chunkId, long offset) {
        return Refs.encode(chunkId, offset);
    }

    /**
     * A segment of exactly {@code size} bytes starting at the block {@code ref} names.
     *
     * @throws IllegalArgumentException  when {@code ref} is not a reference of this arena
     * @throws IndexOutOfBoundsException when the range leaves the chunk that holds the block
     * @throws IllegalStateException     when the arena is closed
     */
    public MemorySegment segment(long ref, long size) {
        if (table.isClosed()) {
            throw ChunkTable.closedError();
        }
        return table.chunk(ref).asSlice(Refs.offset(ref), size);
    }

    /** Exact sum of the sizes of all successful allocations; see the class comment. */
    public long allocatedBytes() {
        long sum = 0;
        for (Shard s : shards) {
            sum += s.allocatedBytes();
        }
        return sum;
    }

    /** Bytes of all chunks: the memory the arena holds, counted against the limit. O(1). */
    public long reservedBytes() {
        return table.reservedBytes();
    }

    /** Reserved bytes not handed out: free chunk tails, abandoned tails and alignment padding. */
    public long idleBytes() {
        return Math.max(0, reservedBytes() - allocatedBytes());
    }

    /** {@code allocatedBytes() / reservedBytes()}, or 0 when nothing is reserved. */
    public double utilization() {
        long reserved = reservedBytes();
        return reserved == 0 ? 0.0 : (double) allocatedBytes() / reserved;
    }

    /** The figures of every shard (all its regions together), in shard order. */
    public List<ShardStats> shardStats() {
        List<ShardStats> stats = new ArrayList<>(shards.length / regions);
        for (int i = 0; i < shards.length; i += regions) {
            long allocated = 0;
            long reserved = 0;
            int chunks = 0;
            for (int r = 0; r < regions; r++) {
                Shard s = shards[i + r];
                allocated += s.allocatedBytes();
                reserved += s.reservedBytes();
                chunks += s.chunkCount();
            }
            stats.add(new ShardStats(i / regions, allocated, reserved, chunks));
        }
        return List.copyOf(stats);
    }

    /** Number of chunks the arena holds. */
    public int chunkCount() {
        return table.chunkCount();
    }

    public int shardCount() {
        return shards.length / regions;
    }

    /** Regions per shard ({@link Builder#regions}). */
    public int regionCount() {
        return regions;
    }

    /** The memory limit in bytes ({@link Long#MAX_VALUE}: none). */
    public long memoryLimit() {
        return table.memoryLimit();
    }

    public long initialChunkBytes() {
        return initialChunkBytes;
    }

    public long maxChunkBytes() {
        return maxChunkBytes;
    }

    public boolean isClosed() {
        return table.isClosed();
    }

    /**
     * Frees all memory of the arena at once; see the class comment for what racing threads see.
     * Idempotent.
     */
    @Override
    public void close() {
        table.close();
    }

    @Override
    public String toString() {
        return "ShardedArena[shards=" + shardCount() + (regions > 1 ? ", regions=" + regions : "") + ", allocated=" + allocatedBytes()
                + ", reserved=" + reservedBytes() + ", limit=" + memoryLimit()
                + (isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a {@link ShardedArena}; every setter checks its argument at once. */
    public static final class Builder {
        private int shards = Runtime.getRuntime().availableProcessors();
        private long initialChunkBytes = 64 * 1024;
        private long maxChunkBytes = 16 * 1024 * 1024;
        private long memoryLimit = Long.MAX_VALUE;
        private int regions = 1;

        private Builder() {
        }

        /**
         * Regions per shard, 1 to {@link #MAX_REGIONS}: separate bump pointers (and chunks) that
         * {@link ShardedArena#allocate(long, long, int)} chooses between; default 1.
         */
        public Builder regions(int regions) {
            if (regions < 1 || regions > MAX_REGIONS) {
                throw new IllegalArgumentException("regions must be between 1 and " + MAX_REGIONS + ": " + regions);
            }
            this.regions = regions;
            return this;
        }

        /** Number of shards, 1 to {@link #MAX_SHARDS}; default: available processors. */
        public Builder shards(int shards) {
            if (shards < 1 || shards > MAX_SHARDS) {
                throw new IllegalArgumentException("shards must be between 1 and " + MAX_SHARDS + ": " + shards);
            }
            this.shards = shards;
            return this;
        }

        /** Size of each shard's first chunk, 64 bytes to {@link #MAX_ALLOCATION_BYTES}; default 64 KiB. */
        public Builder initialChunkBytes(long bytes) {
            this.initialChunkBytes = chunkBytes("initialChunkBytes", bytes);
            return this;
        }

        /** Cap on the size of a chunk (chunks double up to it), 64 bytes or more; default 16 MiB. */
        public Builder maxChunkBytes(long bytes) {
            this.maxChunkBytes = chunkBytes("maxChunkBytes", bytes);
            return this;
        }

        private static long chunkBytes(String name, long bytes) {
            if (bytes < 64 || bytes > MAX_ALLOCATION_BYTES) {
                throw new IllegalArgumentException(
                        name + " must be between 64 and " + MAX_ALLOCATION_BYTES + ": " + bytes);
            }
            return bytes;
        }

        /** Most bytes of chunk memory the arena may hold; default: no limit. */
        public Builder memoryLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryLimit must be positive: " + bytes);
            }
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * Creates the arena. No memory is taken until the first allocation.
         *
         * @throws IllegalArgumentException when initialChunkBytes exceeds maxChunkBytes
         */
        public ShardedArena build() {
            if (initialChunkBytes > maxChunkBytes) {
                throw new IllegalArgumentException("initialChunkBytes (" + initialChunkBytes
                        + ") exceeds maxChunkBytes (" + maxChunkBytes + ")");
            }
            return new ShardedArena(this);
        }
    }
}
