package org.skipstore.bench.jmh;

import static org.skipstore.bench.jmh.MemtableWorkload.ENTRIES;
import static org.skipstore.bench.jmh.MemtableWorkload.KEY_BYTES;
import static org.skipstore.bench.jmh.MemtableWorkload.VALUE_BYTES;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Cursor;
import org.skipstore.core.Entry;

/**
 * The memtable, {@link ConcurrentSkipList}, against the JDK's {@link ConcurrentSkipListMap}
 * ({@code byte[]} keys and values, {@code Arrays::compareUnsigned} as comparator, the same key
 * order) on the workload of {@link MemtableWorkload}: {@value MemtableWorkload#ENTRIES} random
 * {@value MemtableWorkload#KEY_BYTES}-byte keys with {@value MemtableWorkload#VALUE_BYTES}-byte
 * values. Every score is in nanoseconds per operation (per entry), lower is better.
 *
 * <p>Not part of {@code bench.sh}'s main job (the db_bench-style tool): it takes minutes. Run it
 * with {@code bash bench/bench.sh jmh MemtableBenchmark} (everything) or a narrower regex such as
 * {@code 'MemtableBenchmark\.insert'}; add {@code -prof gc} for the allocation figures.
 *
 * <h2>Peers</h2>
 * <ul>
 *   <li>{@code *MemtableBytes}: the {@code byte[]} API of the memtable ({@code insert(byte[],
 *       byte[])}, {@code get(byte[])}), which wraps each array in a heap segment;</li>
 *   <li>{@code *MemtableSegment}: the {@code MemorySegment} API, given slices of native segments
 *       built before the measurement;</li>
 *   <li>{@code *Cslm}: {@code ConcurrentSkipListMap<byte[], byte[]>}, which keeps the caller's
 *       arrays by reference: it copies no key or value bytes (the memtable copies all 116 into its
 *       arena) and all its entries live on the Java heap, where the collector must trace and copy
 *       them (its young collections are in its scores).</li>
 * </ul>
 * A memtable fill also pays for its arena: each shard's chunks (64 KiB doubling to 16 MiB, about
 * 168 MB in all) are allocated, zeroed by the JDK and page-faulted inside the measurement, as a
 * real memtable pays them.
 *
 * <h2>Benchmarks</h2>
 * <ul>
 *   <li>{@code insert*_t1}, {@code insert*_t2}: one, or two threads fill one empty structure
 *       with all {@value MemtableWorkload#ENTRIES} keys, in index (random key) order; with two,
 *       thread {@code t} inserts the {@code t}-th half. The memtable's {@code insert} is
 *       insert-if-absent, so the map's peer is {@code putIfAbsent}. Mode {@code SingleShotTime}:
 *       an iteration is one fill of a fresh structure, made before it and dropped after it (with a
 *       {@code System.gc()}, outside the measurement, so that one fill's garbage is not collected
 *       during the next). {@code @OperationsPerInvocation} is the whole fill for every thread
 *       count, so the score is the thread's time for the fill divided by <em>all</em> entries:
 *       with two threads that is wall time per entry (the two threads run at the same time),
 *       directly comparable with {@code _t1}: perfect scaling halves the score. Each 2-thread
 *       iteration also prints the exact wall time (first start to last end) as a check, and each
 *       memtable fill prints the memtable's bytes per entry. Keep JMH's batch size ({@code -bs})
 *       at 1: a second fill of the same structure would only find duplicates.</li>
 *   <li>{@code get*}: one thread, one point read of a present key per operation (copies of the
 *       keys, in a shuffled order) on a structure filled before the measurement. The memtable's
 *       {@code get} returns an {@link Entry}; the benchmark returns its value segment, the map's
 *       peer its value array. {@code getMemtableInto} is the zero-garbage read: {@code getInto}
 *       copies the value into a buffer of the thread.</li>
 *   <li>{@code scan*}: one operation is one full ascending scan of the filled structure, reported
 *       per entry. Per entry the benchmark reads the key's first byte and the value's last byte
 *       (so that both are touched, as a flush would), through {@link Cursor#key()} and
 *       {@link Cursor#value()} ({@code scanMemtableCursor}), through the {@link Entry} objects of
 *       {@link ConcurrentSkipList#iterator()} ({@code scanMemtableIterator}), by copying key and
 *       value into buffers of the thread with {@link Cursor#copyKey} and {@link Cursor#copyValue}
 *       (zero garbage, {@code scanMemtableCopy}), or through the map's {@code entrySet()} iterator
 *       ({@code scanCslm}).</li>
 * </ul>
 *
 * <h2>Allocation ({@code -prof gc})</h2>
 * {@code gc.alloc.rate.norm} is bytes allocated per operation as JMH counts operations: for the
 * {@code _t2} benchmarks JMH counts {@value MemtableWorkload#ENTRIES} operations <em>per
 * thread</em>, so their figure is half the true bytes per insert (read it from {@code _t1}). The
 * per-fill setup (a new memtable or map) adds well under 1 byte per operation. The inserts'
 * {@code gc.count} and {@code gc.time} include the {@code System.gc()} after each fill.
 * Allocation that escape analysis can remove depends on the JIT's inlining decisions, so a figure
 * may differ between forks (seen: 40 or 80 B per entry for {@code scanMemtableCursor}).
 *
 * <h2>Memory</h2>
 * The JVM gets a fixed 2 GiB heap ({@code -Xms2g -Xmx2g}) so that heap resizing does not land in
 * a measurement; the live data is well under 1 GiB (the workload's arrays and segments, one
 * structure). The memtable itself is off-heap (about 160 MB for the workload).
 *
 * <p>Past 400 lines on purpose: JMH wants each benchmark's states beside it, and these share
 * their workload ({@link MemtableWorkload}) and must be read side by side to compare.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class MemtableBenchmark {

    /** The layout of the bytes the scans read. */
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    // ---------------------------------------------------------------- data

    /** The workload's arrays, built once per fork. */
    @State(Scope.Benchmark)
    public static class Data {
        MemtableWorkload workload;
        byte[][] keys;
        byte[][] values;

        @Setup(Level.Trial)
        public void build() {
            workload = new MemtableWorkload();
            keys = workload.keys();
            values = workload.values();
        }

        @TearDown(Level.Trial)
        public void close() {
            workload.close();
        }
    }

    /** The workload as native segments, built once per fork for the benchmarks that use them. */
    @State(Scope.Benchmark)
    public static class Segments {
        MemorySegment[] keys;
        MemorySegment[] values;
        MemorySegment[] probes;

        @Setup(Level.Trial)
        public void build(Data data) {
            keys = data.workload.keySegments();
            values = data.workload.valueSegments();
            probes = data.workload.probeSegments();
        }
    }

    /** The keys to look up, in probe order, and a thread's place in them. */
    @State(Scope.Thread)
    public static class Probes {
        byte[][] keys;
        int next;
        /** The thread's value buffer of the zero-garbage reads and scans. */
        MemorySegment valueBuffer;
        /** The thread's key buffer of the zero-garbage scan. */
        MemorySegment keyBuffer;

        @Setup(Level.Trial)
        public void build(Data data) {
            keys = data.workload.probes();
            valueBuffer = Arena.ofAuto().allocate(VALUE_BYTES, 8);
            keyBuffer = Arena.ofAuto().allocate(KEY_BYTES, 8);
        }

        /** The next probe index, wrapping around. */
        int next() {
            int i = next;
            next = i + 1 == keys.length ? 0 : i + 1;
            return i;
        }
    }

    // ---------------------------------------------------------------- insert

    /** What a fill records: each thread's start and end, for the wall-clock check. */
    abstract static class Fill {
        long[] starts;
        long[] ends;

        void reset(BenchmarkParams params) {
            starts = new long[params.getThreads()];
            ends = new long[params.getThreads()];
        }

        /** Prints the wall time per entry of a fill by several threads (JMH scores each thread). */
        void reportWall(String peer) {
            if (starts.length < 2) {
                return;
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            StringBuilder each = new StringBuilder();
            for (int t = 0; t < starts.length; t++) {
                first = Math.min(first, starts[t]);
                last = Math.max(last, ends[t]);
                each.append(t == 0 ? "" : ", ").append(ms(ends[t] - starts[t]));
            }
            System.out.printf(Locale.ROOT, "[%s, %d threads: %d entries in %s wall = %.1f ns/entry; thread times %s]%n",
                    peer, starts.length, ENTRIES, ms(last - first), (double) (last - first) / ENTRIES, each);
        }

        private static String ms(long nanos) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
    }

    /** A fresh, empty memtable (default configuration) for every iteration. */
    @State(Scope.Benchmark)
    public static class EmptyMemtable extends Fill {
        ConcurrentSkipList memtable;

        @Setup(Level.Iteration)
        public void open(BenchmarkParams params) {
            reset(params);
            memtable = new ConcurrentSkipList();
        }

        @TearDown(Level.Iteration)
        public void close() {
            try {
                checkSize("memtable", memtable.size());
                reportWall("memtable");
                System.out.println(footprint(memtable));
            } finally {
                memtable.close();
                memtable = null;
                System.gc();
            }
        }
    }

    /** A fresh, empty map for every iteration. */
    @State(Scope.Benchmark)
    public static class EmptyCslm extends Fill {
        ConcurrentSkipListMap<byte[], byte[]> map;

        @Setup(Level.Iteration)
        public void open(BenchmarkParams params) {
            reset(params);
            map = new ConcurrentSkipListMap<>(MemtableWorkload.UNSIGNED);
        }

        @TearDown(Level.Iteration)
        public void close() {
            checkSize("ConcurrentSkipListMap", map.size());
            reportWall("ConcurrentSkipListMap");
            map = null;
            System.gc();
        }
    }

    static void checkSize(String peer, long size) {
        if (size != ENTRIES) {
            throw new IllegalStateException(peer + " holds " + size + " entries after the fill, not " + ENTRIES);
        }
    }

    /** One line on the memtable's memory per entry: arena bytes in nodes, and held. */
    static String footprint(ConcurrentSkipList memtable) {
        long n = memtable.size();
        double used = (double) memtable.memoryUsage() / n;
        double reserved = (double) memtable.memoryReserved() / n;
        return String.format(Locale.ROOT,
                "[memtable: %d entries, %.1f B/entry in nodes (memoryUsage: %.1f B beyond the %d B of key and value),"
                        + " %.1f B/entry held (memoryReserved)]",
                n, used, used - (KEY_BYTES + VALUE_BYTES), KEY_BYTES + VALUE_BYTES, reserved);
    }

    private static int fillMemtableBytes(EmptyMemtable m, Data d, ThreadParams t) {
        int from = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex(), t.getThreadCount());
        int to = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex() + 1, t.getThreadCount());
        ConcurrentSkipList memtable = m.memtable;
        byte[][] keys = d.keys;
        byte[][] values = d.values;
        int inserted = 0;
        m.starts[t.getThreadIndex()] = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (memtable.insert(keys[i], values[i])) {
                inserted++;
            }
        }
        m.ends[t.getThreadIndex()] = System.nanoTime();
        return inserted;
    }

    private static int fillMemtableSegment(EmptyMemtable m, Segments s, ThreadParams t) {
        int from = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex(), t.getThreadCount());
        int to = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex() + 1, t.getThreadCount());
        ConcurrentSkipList memtable = m.memtable;
        MemorySegment[] keys = s.keys;
        MemorySegment[] values = s.values;
        int inserted = 0;
        m.starts[t.getThreadIndex()] = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (memtable.insert(keys[i], values[i])) {
                inserted++;
            }
        }
        m.ends[t.getThreadIndex()] = System.nanoTime();
        return inserted;
    }

    private static int fillCslm(EmptyCslm m, Data d, ThreadParams t) {
        int from = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex(), t.getThreadCount());
        int to = MemtableWorkload.partStart(ENTRIES, t.getThreadIndex() + 1, t.getThreadCount());
        ConcurrentSkipListMap<byte[], byte[]> map = m.map;
        byte[][] keys = d.keys;
        byte[][] values = d.values;
        int inserted = 0;
        m.starts[t.getThreadIndex()] = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (map.putIfAbsent(keys[i], values[i]) == null) {
                inserted++;
            }
        }
        m.ends[t.getThreadIndex()] = System.nanoTime();
        return inserted;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(1)
    public int insertMemtableBytes_t1(EmptyMemtable m, Data d, ThreadParams t) {
        return fillMemtableBytes(m, d, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(1)
    public int insertMemtableSegment_t1(EmptyMemtable m, Segments s, ThreadParams t) {
        return fillMemtableSegment(m, s, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(1)
    public int insertCslm_t1(EmptyCslm m, Data d, ThreadParams t) {
        return fillCslm(m, d, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(2)
    public int insertMemtableBytes_t2(EmptyMemtable m, Data d, ThreadParams t) {
        return fillMemtableBytes(m, d, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(2)
    public int insertMemtableSegment_t2(EmptyMemtable m, Segments s, ThreadParams t) {
        return fillMemtableSegment(m, s, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Threads(2)
    public int insertCslm_t2(EmptyCslm m, Data d, ThreadParams t) {
        return fillCslm(m, d, t);
    }

    // ---------------------------------------------------------------- get and scan

    /** A memtable filled with the whole workload once per fork. */
    @State(Scope.Benchmark)
    public static class FilledMemtable {
        ConcurrentSkipList memtable;

        @Setup(Level.Trial)
        public void fill(Data d) {
            memtable = new ConcurrentSkipList();
            for (int i = 0; i < ENTRIES; i++) {
                memtable.insert(d.keys[i], d.values[i]);
            }
            checkSize("memtable", memtable.size());
        }

        @TearDown(Level.Trial)
        public void close() {
            memtable.close();
        }
    }

    /** A map filled with the whole workload once per fork. */
    @State(Scope.Benchmark)
    public static class FilledCslm {
        ConcurrentSkipListMap<byte[], byte[]> map;

        @Setup(Level.Trial)
        public void fill(Data d) {
            map = new ConcurrentSkipListMap<>(MemtableWorkload.UNSIGNED);
            for (int i = 0; i < ENTRIES; i++) {
                map.putIfAbsent(d.keys[i], d.values[i]);
            }
            checkSize("ConcurrentSkipListMap", map.size());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public MemorySegment getMemtableBytes(FilledMemtable m, Probes p) {
        return m.memtable.get(p.keys[p.next()]).value();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public MemorySegment getMemtableSegment(FilledMemtable m, Segments s, Probes p) {
        return m.memtable.get(s.probes[p.next()]).value();
    }

    /** The zero-garbage read: {@code getInto} copies the value into the thread's buffer. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public long getMemtableInto(FilledMemtable m, Segments s, Probes p) {
        MemorySegment dst = p.valueBuffer;
        return m.memtable.getInto(s.probes[p.next()], dst) + dst.get(BYTE, VALUE_BYTES - 1);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public byte[] getCslm(FilledCslm m, Probes p) {
        return m.map.get(p.keys[p.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public long scanMemtableCursor(FilledMemtable m) {
        long sum = 0;
        int n = 0;
        try (Cursor c = m.memtable.cursor()) {
            while (c.next()) {
                MemorySegment key = c.key();
                MemorySegment value = c.value();
                sum += key.get(BYTE, 0) + value.get(BYTE, value.byteSize() - 1);
                n++;
            }
        }
        checkSize("memtable scan", n);
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public long scanMemtableCopy(FilledMemtable m, Probes p) {
        long sum = 0;
        int n = 0;
        MemorySegment key = p.keyBuffer;
        MemorySegment value = p.valueBuffer;
        try (Cursor c = m.memtable.cursor()) {
            while (c.next()) {
                c.copyKey(key);
                int vl = c.copyValue(value);
                sum += key.get(BYTE, 0) + value.get(BYTE, vl - 1);
                n++;
            }
        }
        checkSize("memtable scan", n);
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public long scanMemtableIterator(FilledMemtable m) {
        long sum = 0;
        int n = 0;
        for (Entry e : m.memtable) {
            MemorySegment value = e.value();
            sum += e.key().get(BYTE, 0) + value.get(BYTE, value.byteSize() - 1);
            n++;
        }
        checkSize("memtable scan", n);
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(ENTRIES)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Threads(1)
    public long scanCslm(FilledCslm m) {
        long sum = 0;
        int n = 0;
        for (Map.Entry<byte[], byte[]> e : m.map.entrySet()) {
            byte[] value = e.getValue();
            sum += e.getKey()[0] + value[value.length - 1];
            n++;
        }
        checkSize("ConcurrentSkipListMap scan", n);
        return sum;
    }
}
