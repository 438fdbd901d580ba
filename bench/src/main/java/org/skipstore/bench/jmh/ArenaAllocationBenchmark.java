package org.skipstore.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import org.skipstore.arena.ShardedArena;

/**
 * Allocation throughput of {@link ShardedArena} against two peers built from plain
 * {@code java.lang.foreign} and {@code java.util.concurrent}, with one and with two threads.
 *
 * <h2>The operation</h2>
 * One operation allocates a {@value #BLOCK_BYTES}-byte block aligned to {@value #ALIGNMENT}
 * bytes, writes one {@code long} (the block's own handle, a value already in a register) into
 * its first 8 bytes through {@link MemorySegment#set(ValueLayout.OfLong, long, long)} with the
 * aligned layout {@link ValueLayout#JAVA_LONG}, and returns the handle to JMH. The write keeps
 * the allocation from being dead code and makes every peer touch the cache line of its block, as
 * a real user would. Block size, alignment, written value and access path are the same for all
 * peers; so is the memory kind (native memory of a shared {@link Arena}, so every access pays the
 * same bounds and liveness checks).
 * <ul>
 *   <li>{@code shardedArena_*}: {@link ShardedArena#allocate(long, long)}, then
 *       {@code chunk(ref).set(JAVA_LONG, offset(ref), ref)}: the zero-garbage access path. The
 *       arena has the default shards and chunk sizes (one shard per available processor, chunks
 *       from 64 KiB doubling to 16 MiB), so each of two threads gets a shard of its own.</li>
 *   <li>{@code ffmSharedArena_*}: {@code Arena.allocate(64, 8)} per block on one
 *       {@link Arena#ofShared()} that all threads share: what the JDK offers for many small
 *       blocks freed at once.</li>
 *   <li>{@code atomicBump_*}: one shared bump pointer ({@code getAndAdd} on one counter) over one
 *       16 MiB segment allocated before the measurement, wrapping to the start at the end.
 *       Not a usable allocator (after a lap it hands out live blocks again); it is the cost floor
 *       of "one shared atomic per allocation", with nothing else.</li>
 * </ul>
 *
 * <h2>What each peer pays that the others do not</h2>
 * <ul>
 *   <li><b>ShardedArena</b>, per block: the thread-to-shard lookup (a {@link ThreadLocal} get,
 *       skipped only with a single shard), the arena's closed check, a CAS on the shard's bump
 *       pointer plus an atomic add on its byte counter (both on the shard's own padded cache line,
 *       uncontended while each thread has its own shard), and the chunk-table load in
 *       {@code chunk(ref)}. Per 16 MiB chunk (after the ramp-up from 64 KiB): the refill lock, a
 *       {@code malloc} of the chunk and <em>the JDK zeroing the whole chunk</em>, which is also
 *       where the operating system's first-touch page faults are paid (the kernel clears each
 *       page it maps); all of it inside the timed region, by the thread that needs the chunk.
 *       Memory that comes fresh from the operating system is thus written three times (kernel,
 *       JDK, user) and memory that {@code malloc} recycles from an earlier iteration twice. How
 *       much is fresh depends on the C library's {@code malloc} (glibc adapts its thresholds
 *       after the first chunks are freed, so the first iterations of a fork are slower; the
 *       warm-up absorbs that). This is what a real user pays for new arenas, so it stays in.</li>
 *   <li><b>Arena.ofShared() per block</b>: a {@code malloc(64)} (about 80 bytes of native memory
 *       for 64, from per-thread malloc arenas), the JDK zeroing the 64 bytes, the segment object
 *       (escape analysis may remove it: the benchmark returns the address, not the segment), and
 *       a cleanup record that the arena pushes by CAS onto <em>one list head shared by all
 *       threads</em> and keeps until close: a contended atomic per block, like the bump peer's,
 *       plus Java heap that stays live until the end of the iteration, which young collections
 *       must copy (their time is in the score; {@code -prof gc} shows 48 bytes per block, 88 when
 *       the segment object is not eliminated).</li>
 *   <li><b>Shared bump pointer</b>: one {@code lock xadd} on one cache line that every thread
 *       writes (it moves between cores on every allocation once there are two threads). It never
 *       fails or retries (unlike a CAS), checks no limit and never switches chunks. Its segment
 *       is allocated, zeroed and page-faulted during setup, outside the timed region, and reused
 *       each lap: no {@code malloc}, no zeroing, no page faults in the score, and each block is
 *       written once. The region is as large as the sharded arena's chunks, so a block's cache
 *       line was last touched as long ago as in the arena (where the JDK zeroed it when the chunk
 *       was made): beyond a core's L2 cache in both. The counter is a padded long updated through a
 *       {@link VarHandle}, which is exactly what {@code AtomicLong.getAndAdd} does (the same
 *       instruction), padded so that no other data shares its cache line: a plain
 *       {@code AtomicLong} can land next to objects the benchmark reads and turn the comparison
 *       into a measurement of false sharing.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Each peer has a method per thread count, {@code _t1} with {@code @Threads(1)} and {@code _t2}
 * with {@code @Threads(2)}, so one run prints the two side by side. Scores are throughput in
 * operations per microsecond summed over all threads: perfect scaling doubles the score from
 * {@code _t1} to {@code _t2}. JMH's {@code -t N} overrides the thread count of every selected
 * method (the suffix then no longer tells the count; the CSV's Threads column does), e.g.
 * {@code bench.sh -t 8 'shardedArena_t1'}.
 *
 * <h2>Memory: why the arenas are renewed every iteration</h2>
 * Neither the sharded arena nor the per-block FFM arena frees a block before it is closed, and at
 * millions to tens of millions of blocks per second they grow by up to gigabytes per second. The
 * options:
 * <ol>
 *   <li>Replace the arena inside the timed region when a memory limit is reached. With several
 *       threads sharing one arena this needs a handover protocol (who closes, while others may
 *       still be allocating) whose cost, including the close handshake with every thread, would
 *       land in the score at points that depend on timing; it measures the protocol, not the
 *       allocator.</li>
 *   <li>Fix the number of allocations per iteration ({@code Mode.SingleShotTime} with a batch
 *       size). Bounded memory, but many short single shots are noisier and a fixed count lasts
 *       a different time on every machine.</li>
 *   <li>Open a fresh arena in {@code @Setup(Level.Iteration)} and close it in
 *       {@code @TearDown(Level.Iteration)}, with short iterations: both outside the timed
 *       region, and every iteration starts from the same empty state.</li>
 * </ol>
 * This class takes the third. Memory then grows with the iteration time (the default is 300 ms of
 * warm-up and 500 ms of measurement per iteration: under a gigabyte per iteration on a 2-core
 * development machine), so as a guard both growing peers get a budget per iteration: the sharded
 * arena as its
 * {@link ShardedArena.Builder#memoryLimit memory limit}, the FFM arena as a per-thread count of
 * bytes (a plain field in a thread-local state: an add and a compare, noise next to a
 * {@code malloc}). Exceeding it fails the run with a message that says how to shorten the
 * iterations or raise the budget, instead of letting the operating system's out-of-memory killer
 * end the machine's other work. The budget defaults to a quarter of the physical (or container)
 * memory and is set in MiB with {@code -jvmArgsAppend -Dskipstore.bench.memoryBudgetMiB=N}. The
 * bump peer allocates its region once per trial and needs no budget.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class ArenaAllocationBenchmark {

    /** Bytes of one block. */
    static final int BLOCK_BYTES = 64;

    /** Alignment of one block. */
    static final long ALIGNMENT = 8;

    /**
     * The sharded arena's largest chunk (its default, 16 MiB) and the bump peer's region: a power
     * of two, a multiple of {@link #BLOCK_BYTES}.
     */
    static final long CHUNK_BYTES = 16L << 20;

    /** The layout of the one write per block: aligned, so every peer pays the same check. */
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;

    /** The system property that sets {@link #BUDGET_BYTES}, in MiB. */
    static final String BUDGET_PROPERTY = "skipstore.bench.memoryBudgetMiB";

    /** Most bytes an arena of the growing peers may take in one iteration; see the class comment. */
    static final long BUDGET_BYTES = budgetBytes();

    private static long budgetBytes() {
        String mib = System.getProperty(BUDGET_PROPERTY);
        if (mib != null) {
            try {
                long v = Long.parseLong(mib.trim());
                if (v > 0) {
                    return v > Long.MAX_VALUE >> 20 ? Long.MAX_VALUE : v << 20;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(BUDGET_PROPERTY + " must be a positive number of MiB: " + mib);
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long physical = os.getTotalMemorySize();
            if (physical > 0) {
                return Math.max(256L << 20, physical / 4);
            }
        }
        return 4L << 30;
    }

    static IllegalStateException budgetExhausted(String peer) {
        return new IllegalStateException(peer + " used up the benchmark's memory budget of "
                + (BUDGET_BYTES >> 20) + " MiB within one iteration (blocks are freed only when the"
                + " iteration ends): shorten the iterations (-w/-r) or raise the budget with"
                + " -jvmArgsAppend -D" + BUDGET_PROPERTY + "=<MiB>");
    }

    // ---------------------------------------------------------------- ShardedArena

    /** One {@link ShardedArena} shared by all threads, new for every iteration. */
    @State(Scope.Benchmark)
    public static class Sharded {
        ShardedArena arena;

        @Setup(Level.Iteration)
        public void open() {
            arena = ShardedArena.builder().maxChunkBytes(CHUNK_BYTES).memoryLimit(BUDGET_BYTES).build();
        }

        @TearDown(Level.Iteration)
        public void close() {
            arena.close();
        }
    }

    private static long sharded(Sharded s) {
        ShardedArena arena = s.arena;
        long ref = arena.allocate(BLOCK_BYTES, ALIGNMENT);
        if (ref == ShardedArena.NULL) {
            throw budgetExhausted("ShardedArena");
        }
        arena.chunk(ref).set(WORD, ShardedArena.offset(ref), ref);
        return ref;
    }

    @Benchmark
    @Threads(1)
    public long shardedArena_t1(Sharded s) {
        return sharded(s);
    }

    @Benchmark
    @Threads(2)
    public long shardedArena_t2(Sharded s) {
        return sharded(s);
    }

    // ---------------------------------------------------------------- Arena.ofShared() per block

    /** One JDK shared arena, shared by all threads, new for every iteration. */
    @State(Scope.Benchmark)
    public static class FfmShared {
        Arena arena;

        @Setup(Level.Iteration)
        public void open() {
            arena = Arena.ofShared();
        }

        @TearDown(Level.Iteration)
        public void close() {
            arena.close(); // frees every block: untimed, but can take a while after many blocks
        }
    }

    /** A thread's share of the memory budget of {@link FfmShared}, renewed every iteration. */
    @State(Scope.Thread)
    public static class FfmQuota {
        long bytesLeft;

        @Setup(Level.Iteration)
        public void reset(ThreadParams threads) {
            bytesLeft = BUDGET_BYTES / threads.getThreadCount();
        }
    }

    private static long ffmShared(FfmShared s, FfmQuota q) {
        if ((q.bytesLeft -= BLOCK_BYTES) < 0) {
            throw budgetExhausted("Arena.ofShared()");
        }
        MemorySegment block = s.arena.allocate(BLOCK_BYTES, ALIGNMENT);
        long address = block.address();
        block.set(WORD, 0, address);
        return address;
    }

    @Benchmark
    @Threads(1)
    public long ffmSharedArena_t1(FfmShared s, FfmQuota q) {
        return ffmShared(s, q);
    }

    @Benchmark
    @Threads(2)
    public long ffmSharedArena_t2(FfmShared s, FfmQuota q) {
        return ffmShared(s, q);
    }

    // ---------------------------------------------------------------- one shared bump pointer

    /** One shared counter over one segment allocated before the measurement. */
    @State(Scope.Benchmark)
    public static class Bump {
        /**
         * Size of the region: the sharded arena's largest chunk
         * ({@link ArenaAllocationBenchmark#CHUNK_BYTES}, its default).
         * A block's cache line is then touched again after as many bytes of allocation as in the
         * arena, where the JDK zeroes a chunk just before the blocks in it are handed out: beyond
         * a core's L2 cache in both, so the write costs about the same in both.
         */
        static final long REGION_BYTES = CHUNK_BYTES;

        final PaddedCounter next = new PaddedCounter();
        Arena arena;
        MemorySegment region;

        @Setup(Level.Trial)
        public void open() {
            arena = Arena.ofShared();
            region = arena.allocate(REGION_BYTES, 4096); // zeroed, so every page is mapped now
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    private static long bump(Bump s) {
        long offset = s.next.getAndAdd(BLOCK_BYTES) & (Bump.REGION_BYTES - 1);
        s.region.set(WORD, offset, offset);
        return offset;
    }

    @Benchmark
    @Threads(1)
    public long atomicBump_t1(Bump s) {
        return bump(s);
    }

    @Benchmark
    @Threads(2)
    public long atomicBump_t2(Bump s) {
        return bump(s);
    }

    /**
     * An {@code AtomicLong} alone on its cache line: {@link #getAndAdd} is the same atomic
     * read-modify-write as {@code AtomicLong.getAndAdd}, and the 64 bytes of padding on each side
     * (superclass fields are laid out first) keep every other object off the line.
     */
    static final class PaddedCounter extends CounterPadAfter {
        private static final VarHandle VALUE;

        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(CounterValue.class, "value", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long getAndAdd(long delta) {
            return (long) VALUE.getAndAdd(this, delta);
        }
    }

    abstract static class CounterPadBefore {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    abstract static class CounterValue extends CounterPadBefore {
        volatile long value;
    }

    abstract static class CounterPadAfter extends CounterValue {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }
}
