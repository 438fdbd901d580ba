package org.skipstore.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.Stores;
import static org.skipstore.bench.jmh.StoreWorkload.*;

/**
 * Skipstore's engine ({@code Skipstore}) and its page store against the embedded stores they are
 * built to be compared with, in one run, each in its durable default mode, on the workloads of
 * the lmdbjava benchmark suite plus time-series appends: {@code entries} entries (default 1 M) of
 * {@value #KEY_BYTES}-byte keys and {@value #VALUE_BYTES}-byte values (pseudo-random bytes, so
 * that no engine's compression has an easy time), written in batches of {@value #BATCH} puts that
 * each end with a durable commit.
 *
 * <h2>Engines ({@code -p engine=...})</h2>
 * {@code skipstore} (each put a {@code NO_SYNC} write, the batch's last one a {@code SYNC} write),
 * {@code rocksdb} (each put a write with {@code WriteOptions.sync = false}, the batch's last one with
 * {@code sync = true}; rocksdbjni stays out of {@code benchmarks.jar}, bench.sh puts it on the class
 * path), {@code lmdb} (a write transaction a batch, default flags: a commit syncs) and
 * {@code pagestore} ({@code Durability.SYNC}, a transaction a batch) in every build, the first three
 * by default; {@code mvstore} ({@code commit()} then {@code sync()}) and {@code mapdb} (transactions
 * enabled, {@code commit()}) in the {@code peers} build only, which {@code bash bench/bench.sh --peers
 * jmh StoreBenchmark} makes and runs with all six. Asking for an engine the class path lacks fails
 * the trial with a message that says how to get it. The adapters are {@link KvStore}s
 * ({@link Stores#open}, {@link KvStore.Writes#PER_PUT}); their class comments say exactly how each
 * engine is driven.
 *
 * <h2>Benchmarks</h2>
 * Mode {@code AverageTime} in nanoseconds. The primary score is per invocation (a whole fill, a
 * whole scan, one batch); the secondary score {@code :entry} (an {@link AuxCounters} counter) is
 * the time per entry written or read, the figure to compare. Iterations of 1 s, so one fill per
 * iteration at 1 M entries: 1 warm-up and 2 measured iterations for the fills, 1 and 3 for the
 * others. A single fork: the disk and the page cache vary more between runs than the JIT does.
 * <ul>
 *   <li>{@code fillSeq}, {@code fillRandom}: one invocation fills a new, empty store in a new
 *       directory with all entries, keys in ascending or in shuffled order, committing every
 *       {@value #BATCH} puts. Opening, the count check, the size report, closing and deleting the
 *       store are outside the measurement (Skipstore's flushes that are still running at the end
 *       are not). After each iteration the size of the last fill's files on disk is printed:
 *       {@code [size] ...} lines with bytes per entry against the raw {@value #RAW_BYTES} B, the
 *       allocated disk blocks, and the engine's own facts (Skipstore's flushes and log,
 *       {@code PageStore.stats()}, LMDB's page counts, RocksDB's files per level, ...).</li>
 *   <li>{@code readRandom}: one point read of a present key (random, uniform) per invocation;
 *       {@code readSeq}, {@code readReverse}: one invocation scans every entry in ascending or
 *       descending order. They read one store filled in random order before the trial (in batches
 *       of {@value #SETUP_BATCH} puts, untimed; its size is printed) and settled
 *       ({@link KvStore#settle()}: Skipstore flushes every memtable into its store, RocksDB flushes
 *       and compacts). A reader (Skipstore, RocksDB: a snapshot; PageStore, LMDB: a read
 *       transaction) lasts one iteration. Every visit touches a key byte, a value byte and the
 *       value's length; a scan that does not count every entry fails. (Reads while the data are
 *       still in Skipstore's memtables: the bench tool's readrandom and readseq.)</li>
 *   <li>{@code tsAppend}: a time series: keys are an 8-byte big-endian timestamp (one per
 *       second) and an 8-byte big-endian series id ({@value #SERIES} series), so every key is
 *       greater than all before it. A store prefilled with {@code entries} points (in batches of
 *       {@value #BATCH} with commits, untimed) gets one batch per invocation: the next
 *       {@value #BATCH} points ({@value #BATCH}/{@value #SERIES} seconds of every series) and a
 *       durable commit. The store grows by a batch per invocation through the trial (printed at
 *       its end).</li>
 *   <li>{@code tsWindow}: one invocation opens a reader and reads the most recent window of the
 *       prefilled series, the last {@value #WINDOW} points (seek to the window's first timestamp,
 *       scan forward), and closes the reader.</li>
 * </ul>
 * The data, the fill and the size lines are {@link StoreWorkload}'s.
 *
 * <h2>Running</h2>
 * <pre>
 *   bash bench/bench.sh jmh StoreBenchmark                          skipstore, rocksdb and lmdb, 1 M entries
 *   bash bench/bench.sh --peers jmh StoreBenchmark                  all six engines
 *   bash bench/bench.sh jmh StoreBenchmark -p entries=20000 -f 1 -wi 1 -i 1 -w 1s -r 1s   a smoke test
 *   bash bench/bench.sh jmh 'StoreBenchmark\.read' -p engine=skipstore,lmdb,pagestore
 * </pre>
 * The stores live in a temporary directory under {@code java.io.tmpdir} (deleted at the end of
 * each trial); {@code -jvmArgsAppend -Dskipstore.bench.dir=/some/disk} puts them elsewhere. The
 * disk decides the durable numbers: run them on the disk you mean to use.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g", "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens",
        "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class StoreBenchmark {

    public static final int KEY_BYTES = 16;
    public static final int VALUE_BYTES = 100;
    public static final int RAW_BYTES = KEY_BYTES + VALUE_BYTES;
    /** Puts per durable commit. */
    public static final int BATCH = 1000;
    /** Puts per commit of the untimed fill that read benchmarks read. */
    public static final int SETUP_BATCH = 100_000;
    /** Series of the time-series workload. */
    public static final int SERIES = 100;
    /** Points of the time-series window read. */
    public static final int WINDOW = 1000;

    /** The engine, the size and what the trial shares: the shuffled key order and its directory. */
    @State(Scope.Thread)
    public static class Config {
        @Param({"skipstore", "rocksdb", "lmdb"})
        public String engine;

        @Param({"1000000"})
        public int entries;

        /** A permutation of {@code 0..entries-1}: the insertion order of {@code fillRandom}. */
        int[] shuffled;
        Path root;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            if (!Stores.isStore(engine)) {
                throw new IllegalArgumentException("unknown engine '" + engine + "' (known: "
                        + String.join(", ", Stores.all()) + ")");
            }
            if (!Stores.available(engine)) {
                throw new IllegalStateException(Stores.missingPeerMessage(engine));
            }
            if (entries < WINDOW) {
                throw new IllegalArgumentException("entries must be at least " + WINDOW + ": " + entries);
            }
            shuffled = new int[entries];
            SplittableRandom r = new SplittableRandom(42);
            for (int i = 0; i < entries; i++) { // Fisher-Yates, inside-out
                int j = r.nextInt(i + 1);
                shuffled[i] = shuffled[j];
                shuffled[j] = i;
            }
            String dir = System.getProperty("skipstore.bench.dir");
            root = Stores.tempDirectory(dir == null ? null : Path.of(dir), "skipstore-storebench-" + engine + "-");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            Stores.deleteTree(root);
        }

        Path newDirectory(String name) throws IOException {
            return Files.createDirectory(root.resolve(name));
        }
    }

    /** Entries written or read: the {@code :entry} score is the time per entry. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entry;

        @Setup(Level.Iteration)
        public void reset() {
            entry = 0;
        }
    }

    // ---- fills ---------------------------------------------------------------------------------

    /** A new, empty store for every invocation; the size of the last one is printed per iteration. */
    @State(Scope.Thread)
    public static class Fresh {
        KvStore store;
        Path dir;
        int fills;
        String lastSize;

        @Setup(Level.Invocation)
        public void open(Config c) throws IOException {
            dir = c.newDirectory("fill-" + fills++);
            store = Stores.open(c.engine, dir);
        }

        @TearDown(Level.Invocation)
        public void close(Config c, BenchmarkParams params) throws IOException {
            try {
                lastSize = sizeReport(c.engine, benchmarkName(params), store, dir, c.entries);
                checkCount(store, c.entries, benchmarkName(params));
            } finally {
                store.close();
                store = null;
                Stores.deleteTree(dir);
            }
        }

        @TearDown(Level.Iteration)
        public void report() {
            if (lastSize != null) {
                System.out.println(lastSize);
                lastSize = null;
            }
        }
    }

    /** One warm-up and two measured fills: a fill of 1 M entries takes seconds to a minute. */
    @Benchmark
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 2, time = 1)
    public long fillSeq(Fresh f, Config c, Entries e) throws IOException {
        fill(f.store, c.entries, null, BATCH);
        e.entry += c.entries;
        return c.entries;
    }

    @Benchmark
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 2, time = 1)
    public long fillRandom(Fresh f, Config c, Entries e) throws IOException {
        fill(f.store, c.entries, c.shuffled, BATCH);
        e.entry += c.entries;
        return c.entries;
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** One store filled in random order for the trial, and a reader per iteration. */
    @State(Scope.Thread)
    public static class Filled {
        KvStore store;
        Path dir;
        KvStore.Reader reader;
        final byte[] probe = new byte[KEY_BYTES];
        long random = 0x2545F4914F6CDD1DL;

        @Setup(Level.Trial)
        public void open(Config c) throws IOException {
            dir = c.newDirectory("filled");
            store = Stores.open(c.engine, dir);
            fill(store, c.entries, c.shuffled, SETUP_BATCH);
            store.settle();
            checkCount(store, c.entries, "random fill");
            System.out.println(sizeReport(c.engine, "filled in random order for reading", store, dir, c.entries));
        }

        @Setup(Level.Iteration)
        public void begin() throws IOException {
            reader = store.reader();
        }

        @TearDown(Level.Iteration)
        public void end() {
            reader.close();
            reader = null;
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            Stores.deleteTree(dir);
        }

        /** A uniform random index below {@code n} (an LCG's high bits: cheap, no allocation). */
        int nextIndex(int n) {
            random = random * 6364136223846793005L + 1442695040888963407L;
            return (int) (((random >>> 32) * n) >>> 32);
        }
    }

    @Benchmark
    public int readRandom(Filled f, Config c, Entries e) {
        key(f.probe, f.nextIndex(c.entries));
        int n = f.reader.get(f.probe);
        if (n != VALUE_BYTES) {
            throw new IllegalStateException(c.engine + ": a written key reads " + (n < 0 ? "as absent" : n + " bytes"));
        }
        e.entry++;
        return n;
    }

    @Benchmark
    public long readSeq(Filled f, Config c, Entries e) {
        return scan(f, c, e, false);
    }

    @Benchmark
    public long readReverse(Filled f, Config c, Entries e) {
        return scan(f, c, e, true);
    }

    private static long scan(Filled f, Config c, Entries e, boolean reverse) {
        long n = f.reader.scan(reverse);
        if (n != c.entries) {
            throw new IllegalStateException(c.engine + ": a " + (reverse ? "reverse" : "forward") + " scan visited " + n
                    + " entries of " + c.entries);
        }
        e.entry += n;
        return f.reader.checksum();
    }

    // ---- time series ---------------------------------------------------------------------------

    /** A store of {@code entries} time-series points; {@code tsAppend} appends to it. */
    @State(Scope.Thread)
    public static class Series {
        KvStore store;
        Path dir;
        long ticks;
        long appended;
        final byte[] key = new byte[KEY_BYTES];
        final byte[] value = new byte[VALUE_BYTES];

        @Setup(Level.Trial)
        public void open(Config c) throws IOException {
            dir = c.newDirectory("series");
            store = Stores.open(c.engine, dir);
            ticks = c.entries / SERIES;
            int puts = 0;
            for (long t = 0; t < ticks; t++) {
                for (int s = 0; s < SERIES; s++) {
                    seriesKey(key, t, s);
                    value(value, t * SERIES + s);
                    if (++puts % BATCH == 0) {
                        store.putAndCommit(key, value);
                    } else {
                        store.put(key, value);
                    }
                }
            }
            store.commit();
            store.settle();
            System.out.println(sizeReport(c.engine, "time series prefilled", store, dir, ticks * SERIES));
        }

        /** Appends the next {@value #BATCH} points and commits. */
        void appendBatch() throws IOException {
            for (int p = 0; p < BATCH; p++) {
                if (p > 0 && p % SERIES == 0) {
                    ticks++;
                }
                seriesKey(key, ticks, p % SERIES);
                value(value, ticks * SERIES + p % SERIES);
                if (p == BATCH - 1) {
                    store.putAndCommit(key, value);
                } else {
                    store.put(key, value);
                }
            }
            ticks++;
            appended += BATCH;
        }

        @TearDown(Level.Trial)
        public void close(Config c, BenchmarkParams params) throws IOException {
            try {
                if (appended > 0) {
                    System.out.println(sizeReport(c.engine, "time series after " + benchmarkName(params), store, dir,
                            ticks * SERIES));
                }
            } finally {
                store.close();
                Stores.deleteTree(dir);
            }
        }
    }

    @Benchmark
    public long tsAppend(Series s, Entries e) throws IOException {
        s.appendBatch();
        e.entry += BATCH;
        return s.ticks;
    }

    @Benchmark
    public long tsWindow(Series s, Config c, Entries e) throws IOException {
        seriesKey(s.key, s.ticks - WINDOW / SERIES, 0);
        try (KvStore.Reader r = s.store.reader()) {
            long n = r.scanFrom(s.key, WINDOW);
            if (n != WINDOW) {
                throw new IllegalStateException(c.engine + ": the window read " + n + " points of " + WINDOW);
            }
            e.entry += n;
            return r.checksum();
        }
    }
}
