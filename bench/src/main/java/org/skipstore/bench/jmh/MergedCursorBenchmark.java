package org.skipstore.bench.jmh;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteTransaction;
import org.skipstore.pagestore.internal.engine.MergedCursor;

/**
 * The engine's merged cursor against the plain cursors it merges: the time per step of a whole
 * scan of {@value MemtableWorkload#ENTRIES} entries ({@link MemtableWorkload}'s 16-byte random
 * keys and 100-byte values), forward ({@code next()}) or backward ({@code prev()}). Scores are
 * ns per step (the whole scan is one invocation of {@value MemtableWorkload#ENTRIES} operations).
 *
 * <p>Layouts ({@code -p layout=...}): {@code store}, a plain page store cursor over every entry
 * (a file store, committed, in a temporary directory); {@code memtable}, a plain memtable cursor
 * over every entry; {@code merged-store} and {@code merged-memtable}, the merged cursor over that
 * one source; {@code merged3} and {@code merged6}, the merged cursor over 2 or 5 memtables and the
 * store, each entry in one of them, chosen at random (fixed seed), so consecutive keys come from
 * different sources. Each step reads the key's last byte and the value's length, as a reader would
 * ({@code -p readEntry=false}: it does not, which shows what the moves alone cost and allocate).
 * After each iteration a {@code [cpu]} line gives the scan thread's CPU time per step, which
 * other processes on a shared machine disturb less than the wall-clock score.
 *
 * <pre>
 *   bash bench/bench.sh jmh MergedCursorBenchmark
 *   bash bench/bench.sh jmh MergedCursorBenchmark -prof gc       allocation per step (gc.alloc.rate.norm)
 *   bash bench/bench.sh jmh MergedCursorBenchmark -prof gc -p readEntry=false    the moves' own allocation
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx4g"})
@State(Scope.Benchmark)
public class MergedCursorBenchmark {

    @Param({"store", "memtable", "merged-store", "merged-memtable", "merged3", "merged6"})
    public String layout;

    @Param({"forward", "backward"})
    public String direction;

    /** Whether each step reads the key and value views; false shows what the moves alone cost and allocate. */
    @Param({"true"})
    public boolean readEntry;

    private Path dir;
    private PageStore store;
    private ReadTransaction read;
    private final List<ConcurrentSkipList> memtables = new ArrayList<>();
    private boolean forward;
    /** What the scans read, so that the JIT keeps the reads. */
    private long sink;
    private long cpuNanos;
    private long steps;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        forward = direction.equals("forward");
        int sources = switch (layout) {
            case "store", "memtable", "merged-store", "merged-memtable" -> 1;
            case "merged3" -> 3;
            case "merged6" -> 6;
            default -> throw new IllegalArgumentException("unknown layout " + layout);
        };
        boolean storeLayer = !layout.endsWith("memtable");
        MemtableWorkload w = new MemtableWorkload();
        byte[][] keys = w.keys();
        byte[][] values = w.values();
        // entry i goes to source of[i]: the last source is the store when there is one
        int[] of = new int[keys.length];
        SplittableRandom r = new SplittableRandom(MemtableWorkload.SEED);
        for (int i = 0; i < of.length; i++) {
            of[i] = sources == 1 ? 0 : r.nextInt(sources);
        }
        int memtableCount = storeLayer ? sources - 1 : sources;
        for (int m = 0; m < memtableCount; m++) {
            memtables.add(new ConcurrentSkipList());
        }
        dir = Files.createTempDirectory("merged-cursor-bench");
        store = PageStore.builder().durability(Durability.NO_SYNC).open(dir.resolve("store"));
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> MemtableWorkload.UNSIGNED.compare(keys[a], keys[b])); // ascending: a fast fill
        try (WriteTransaction t = store.write()) {
            for (int i : order) {
                if (storeLayer && of[i] == sources - 1) {
                    t.put(keys[i], values[i]);
                }
            }
            t.commit();
        }
        for (int i = 0; i < keys.length; i++) { // random key order, as writes come: nodes lie apart
            if (of[i] < memtableCount) {
                memtables.get(of[i]).put(keys[i], values[i]);
            }
        }
        read = store.read();
        try (OrderedCursor c = open()) {
            long n = forward ? scan(c) : scanBack(c);
            if (n != keys.length) {
                throw new IllegalStateException(layout + " shows " + n + " entries, not " + keys.length);
            }
        }
    }

    /** A new cursor of the layout. */
    private OrderedCursor open() {
        return switch (layout) {
            case "store" -> read.cursor();
            case "memtable" -> memtables.getFirst().cursor();
            default -> {
                List<OrderedCursor> sources = new ArrayList<>();
                for (ConcurrentSkipList m : memtables) {
                    sources.add(m.cursor());
                }
                if (!layout.endsWith("memtable")) {
                    sources.add(read.cursor());
                }
                yield new MergedCursor(sources);
            }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        read.close();
        store.close();
        for (ConcurrentSkipList m : memtables) {
            m.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(MemtableWorkload.ENTRIES)
    public long scan() {
        long cpu = THREADS.getCurrentThreadCpuTime();
        try (OrderedCursor c = open()) {
            long n = forward ? scan(c) : scanBack(c);
            cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu;
            steps += n;
            return n;
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        cpuNanos = 0;
        steps = 0;
    }

    /** The iteration's CPU time per step: on a shared machine, less disturbed by other processes than the score. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        System.out.printf("[cpu] %.1f ns per step (%s %s, %d steps)%n", (double) cpuNanos / steps, layout, direction,
                steps);
    }

    /** Walks every entry from the first; returns how many. */
    private long scan(OrderedCursor c) {
        long n = 0;
        long sum = 0;
        while (c.next()) {
            n++;
            if (readEntry) {
                sum += c.key().get(ValueLayout.JAVA_BYTE, MemtableWorkload.KEY_BYTES - 1) + c.value().byteSize();
            }
        }
        sink += sum;
        return n;
    }

    /** Walks every entry from the last; returns how many. */
    private long scanBack(OrderedCursor c) {
        long n = 0;
        long sum = 0;
        for (boolean on = c.last(); on; on = c.prev()) {
            n++;
            if (readEntry) {
                sum += c.key().get(ValueLayout.JAVA_BYTE, MemtableWorkload.KEY_BYTES - 1) + c.value().byteSize();
            }
        }
        sink += sum;
        return n;
    }
}
