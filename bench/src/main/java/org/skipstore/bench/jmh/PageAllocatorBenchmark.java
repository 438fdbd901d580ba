package org.skipstore.bench.jmh;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.skipstore.pagestore.internal.BuddyAllocator;
import org.skipstore.pagestore.internal.Chunks;

/**
 * Throughput of the page allocator alone (no file): one operation allocates a block of a random
 * order (0 three times in four, else 1 to 4) and frees the block allocated 4096 operations
 * before, so that about 4096 blocks are live and splits and buddy merges both happen.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PageAllocatorBenchmark {

    static final int LIVE = 4096;

    BuddyAllocator allocator;
    long[] pages = new long[LIVE];
    int[] orders = new int[LIVE];
    int next;
    SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void setUp() {
        long capacity = Chunks.MIN_PAGES;
        while (capacity < 1 << 16) {
            capacity = Chunks.next(capacity);
        }
        allocator = new BuddyAllocator(capacity);
        allocator.freeRange(2, capacity);
        for (int i = 0; i < LIVE; i++) {
            orders[i] = order();
            pages[i] = allocator.allocate(orders[i]);
        }
    }

    private int order() {
        int r = random.nextInt(16);
        return r < 12 ? 0 : r - 11;
    }

    @Benchmark
    public long allocateAndFree() {
        int i = next;
        next = (i + 1) & (LIVE - 1);
        allocator.free(pages[i], orders[i]);
        int n = order();
        long page = allocator.allocate(n);
        pages[i] = page;
        orders[i] = n;
        return page;
    }
}
