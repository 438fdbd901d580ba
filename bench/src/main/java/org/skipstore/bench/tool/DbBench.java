package org.skipstore.bench.tool;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.skipstore.bench.store.Stores;

/**
 * A db_bench-style run of Skipstore's two tiers and their peers, side by side, then one table of
 * ops/s, ns/op, the ratio to the peer and the size of the data.
 *
 * <ul>
 *   <li>In memory, the memtable ({@code memtable}) against {@code ConcurrentSkipListMap}
 *       ({@code cslm}): fills, overwrites, point reads, an ordered scan and a mixed read/write
 *       phase on as many threads as cores and on one more; then a table of put throughput by number
 *       of writers sharing one structure ({@link WriterScaling}: up to one writer more than cores,
 *       or with {@code --benchmarks writers} up to 16).</li>
 *   <li>Durable stores, Skipstore's {@code PageStore} ({@code pagestore}) against LMDB
 *       ({@code lmdb}) and, in the {@code peers} build, RocksDB, H2 MVStore and MapDB: fills in
 *       key order and in random order with a durable commit every {@code --batch} puts, point
 *       reads and scans in both directions, each store in a new directory under a temporary one
 *       that is deleted at the end.</li>
 * </ul>
 *
 * <pre>
 *   bash bench/bench.sh                           defaults: memtable, cslm, pagestore, lmdb
 *   bash bench/bench.sh --engine pagestore,lmdb --store-num 1000000 --batch 1000
 *   bash bench/bench.sh --peers --engine pagestore,lmdb,rocksdb,mvstore,mapdb
 *   bash bench/bench.sh --benchmarks writers      the writer-scaling table
 *   bash bench/bench.sh --help
 * </pre>
 *
 * <p>One file past 600 lines for now: the options with their help text, the phases ({@link Run}),
 * the table and the progress line, each a nested part of one tool. The next change to the tool
 * (issue 18, the report) splits the options and the progress line into files of their own.
 */
public final class DbBench {

    static final List<String> ALL = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "readreverse",
            "mixed", "writers");
    /** The phases of the in-memory engines. */
    static final List<String> MEMORY_PHASES = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq",
            "mixed");
    /** The phases of the stores. */
    static final List<String> STORE_PHASES = List.of("fillseq", "fillrandom", "readrandom", "readseq", "readreverse");

    static final int DEFAULT_NUM = 1_000_000;
    static final int DEFAULT_STORE_NUM = 200_000;
    static final int DEFAULT_WRITERS_NUM = 100_000;
    static final int CORES = Runtime.getRuntime().availableProcessors();
    /**
     * Thread counts of the mixed phase: the core count and one more. A structure whose threads
     * wait for each other by spinning can hold up at the core count and collapse as soon as one
     * thread is preempted (issue 13), so the default runs one above the cores too.
     */
    static final List<Integer> DEFAULT_THREADS = List.of(CORES, CORES + 1);
    /** Writer counts of the writers phase: powers of two up to 16, and one above the cores. */
    static final List<Integer> DEFAULT_WRITERS = withCount(List.of(1, 2, 4, 8, 16), CORES + 1);
    /**
     * Writer counts of the writers phase in the main job (no {@code --benchmarks}): those of
     * {@link #DEFAULT_WRITERS} up to one above the cores. The mixed phase one above the cores does
     * not show issue 13's collapse (with 10 % writes its writers rarely meet: on 2 cores the broken
     * memtable kept pace with the map on 3 threads); all writers one above the cores do. The counts
     * further up are where a collapsing memtable spends most of its time (about 30 of the full
     * phase's 40 s on 2 cores), more than the main job's minute leaves.
     */
    static final List<Integer> MAIN_JOB_WRITERS = DEFAULT_WRITERS.stream().filter(w -> w <= CORES + 1).toList();

    private DbBench() {
    }

    /** {@code counts} with {@code n} added where it is missing, in ascending order. */
    static List<Integer> withCount(List<Integer> counts, int n) {
        return Stream.concat(counts.stream(), Stream.of(n)).distinct().sorted().toList();
    }

    /** Parsed command line. */
    record Options(int num, int storeNum, int batch, int keySize, int valueSize, List<Integer> threads,
            int readPercent, List<Integer> writers, int writersNum, int repeat, List<String> benchmarks,
            List<String> engines, long seed, boolean progress, Path dir) {

        private static final List<String> NAMES = List.of("num", "store-num", "batch", "key-size", "value-size",
                "threads", "read-percent", "writers", "writers-num", "repeat", "benchmarks", "engine", "seed",
                "progress", "dir");

        static Options parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    m.put("help", "true");
                    continue;
                }
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "' (try --help)");
                }
                String name;
                String value;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(2, eq);
                    value = a.substring(eq + 1);
                } else if (a.equals("--progress") || a.equals("--no-progress")) {
                    name = "progress";
                    value = String.valueOf(a.equals("--progress"));
                } else if (i + 1 < args.length) {
                    name = a.substring(2);
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                m.put(name.equals("engines") ? "engine" : name, value); // --engines: the old spelling
            }
            if (m.containsKey("help")) {
                return null;
            }
            for (String k : m.keySet()) {
                if (!NAMES.contains(k)) {
                    throw new IllegalArgumentException("unknown option --" + k + " (try --help)");
                }
            }
            int num = intOption(m, "num", DEFAULT_NUM, 1);
            int storeNum = intOption(m, "store-num", m.containsKey("num") ? num : DEFAULT_STORE_NUM, 1);
            Options o = new Options(
                    num,
                    storeNum,
                    intOption(m, "batch", 1000, 1),
                    intOption(m, "key-size", 16, 8),
                    intOption(m, "value-size", 100, 0),
                    intList(m, "threads", DEFAULT_THREADS),
                    intOption(m, "read-percent", 90, 0),
                    intList(m, "writers", m.containsKey("benchmarks") ? DEFAULT_WRITERS : MAIN_JOB_WRITERS),
                    intOption(m, "writers-num", DEFAULT_WRITERS_NUM, 1),
                    intOption(m, "repeat", 3, 1),
                    List.of(m.getOrDefault("benchmarks", String.join(",", ALL)).split(",")),
                    List.of(m.getOrDefault("engine", "memtable,cslm,pagestore,lmdb").split(",")),
                    Long.parseLong(m.getOrDefault("seed", "42")),
                    Boolean.parseBoolean(m.getOrDefault("progress", String.valueOf(System.console() != null))),
                    m.containsKey("dir") ? Path.of(m.get("dir")) : null);
            for (String b : o.benchmarks) {
                if (!ALL.contains(b)) {
                    throw new IllegalArgumentException("unknown benchmark '" + b + "' (known: " + String.join(",", ALL) + ")");
                }
            }
            for (String e : o.engines) {
                if (!KvEngine.known().contains(e)) {
                    throw new IllegalArgumentException("unknown engine '" + e + "' (known: "
                            + String.join(", ", KvEngine.known()) + ")");
                }
                if (KvEngine.isStore(e) && !Stores.available(e)) {
                    throw new IllegalArgumentException(Stores.missingPeerMessage(e));
                }
            }
            if (o.engines.stream().distinct().count() != o.engines.size()) {
                throw new IllegalArgumentException("an engine is named twice in --engine " + String.join(",", o.engines));
            }
            if (o.readPercent > 100) {
                throw new IllegalArgumentException("--read-percent must be at most 100");
            }
            return o;
        }

        private static int intOption(Map<String, String> m, String name, int dflt, int min) {
            String v = m.get(name);
            if (v == null) {
                return dflt;
            }
            return number(name, v, min);
        }

        /** A comma-separated list of counts, each at least 1, in the order given. */
        private static List<Integer> intList(Map<String, String> m, String name, List<Integer> dflt) {
            String v = m.get(name);
            if (v == null) {
                return dflt;
            }
            List<Integer> counts = new ArrayList<>();
            for (String n : v.split(",")) {
                counts.add(number(name, n.trim(), 1));
            }
            return List.copyOf(counts);
        }

        private static int number(String name, String v, int min) {
            int n;
            try {
                n = Integer.parseInt(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " takes a number: " + v);
            }
            if (n < min) {
                throw new IllegalArgumentException("--" + name + " must be at least " + min + ": " + n);
            }
            return n;
        }

        /** Entries of every phase of {@code engine}. */
        int entries(String engine) {
            return KvEngine.isStore(engine) ? storeNum : num;
        }

        /** The phases of {@link #benchmarks} that {@code engine} runs, in order. */
        List<String> phases(String engine) {
            List<String> own = KvEngine.isStore(engine) ? STORE_PHASES : MEMORY_PHASES;
            return benchmarks.stream().filter(own::contains).toList();
        }

        Options withEntries(int n, long newSeed) {
            return new Options(n, n, batch, keySize, valueSize, threads, readPercent, writers, writersNum, repeat,
                    benchmarks, engines, newSeed, false, dir);
        }
    }

    static final String HELP = """
            Usage: bash bench/bench.sh [--peers] [options]
              --engine LIST      comma-separated engines, run in this order (default memtable,cslm,pagestore,lmdb):
                                   memtable, cslm        in memory: Skipstore's memtable, ConcurrentSkipListMap
                                   pagestore, lmdb       durable stores: Skipstore's PageStore (SYNC), LMDB
                                   rocksdb, mvstore, mapdb   durable peers, only with bench.sh --peers
                                 (--engines is accepted too)
              --num N            entries per phase of memtable and cslm (default 1000000); also of the stores
                                 unless --store-num is given
              --store-num N      entries per phase of the stores (default: --num when given, else 200000)
              --batch N          stores: puts per durable commit in the fills (default 1000)
              --key-size N       key bytes, at least 8 (default 16)
              --value-size N     value bytes (default 100)
              --threads LIST     thread counts of the mixed phase, each a row (default: the cpus and one more,
                                 here %1$s)
              --read-percent N   reads in the mixed phase (default 90)
              --writers LIST     writer counts of the writers phase (default 1,2,4,8,16 and the cpus plus one,
                                 here %2$s; in the main job, without --benchmarks, those up to the cpus
                                 plus one, here %5$s)
              --writers-num N    puts per run of the writers phase, all writers together (default %3$d)
              --repeat N         runs of the writers phase per writer count and engine (default 3)
              --benchmarks LIST  comma-separated phases, in this order (default: all; writers always last),
                                 each run by the engines it applies to:
                                   memtable, cslm: fillseq,fillrandom,overwrite,readrandom,readseq,mixed,writers
                                   stores:         fillseq,fillrandom,readrandom,readseq,readreverse
              --dir DIR          where the stores' temporary directory goes (default: the system's temporary
                                 directory); it is deleted at the end
              --seed N           random seed (default 42)
              --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)

            Each engine first runs a short warm-up of its phases (untimed). In the table, "vs" is the ratio of
            ops/s to the last engine of the same kind (in memory, or store) on the command line: by default
            memtable to cslm and pagestore to lmdb. "size" after a fill is the memory of the structure
            (memtable: its arena; cslm: the heap it added) or, for a store, its files on disk after the
            last commit, and "B/entry" that per entry (raw: key + value bytes). "mixed 3t" is the mixed
            phase on 3 threads: by default it runs on as many threads as cpus and on one more, where a
            structure whose threads spin while they wait for each other collapses.

            The writers phase (bash bench/bench.sh --benchmarks writers; under a minute on 2 cores) is a
            table of its own: for each writer count, each in-memory engine gets a fresh structure that all
            writers share and --writers-num puts of distinct keys in random order, split among the writers;
            the time runs from a start gate to the last writer's end, and each row is the median of --repeat
            runs (interleaved), each run's puts/s beside it. The memtable runs through its byte[] API
            (memtable) and its MemorySegment API (memtable-seg). "vs" divides by the last in-memory engine
            on the command line (cslm), "own" by the same engine at the largest writer count up to the cpus
            (here %4$d). The total work is the same at each writer count: past the cpus, a structure that
            scales keeps its puts/s. The main job runs it at the writer counts up to the cpus plus one
            only: a memtable that collapses spends most of the full phase's time at 8 and 16 writers.
            """;

    /** {@link #HELP} with this machine's defaults. */
    static String help() {
        return HELP.formatted(counts(DEFAULT_THREADS), counts(DEFAULT_WRITERS), DEFAULT_WRITERS_NUM,
                WriterScaling.reference(DEFAULT_WRITERS), counts(MAIN_JOB_WRITERS));
    }

    /** One measured phase; {@code threads} is 0 for the phases that have no thread count. */
    record Result(String benchmark, int threads, String engine, long ops, long nanos, long sizeBytes) {

        /** The phase's name in the table: with its thread count where it has one. */
        String label() {
            return threads == 0 ? benchmark : benchmark + " " + threads + "t";
        }

        Result withThreads(int t) {
            return new Result(benchmark, t, engine, ops, nanos, sizeBytes);
        }

        double opsPerSecond() {
            return ops * 1e9 / nanos;
        }

        double nanosPerOp() {
            return (double) nanos / ops;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.print(help());
            return;
        }
        boolean stores = o.engines.stream().anyMatch(KvEngine::isStore);
        boolean memory = o.engines.stream().anyMatch(e -> !KvEngine.isStore(e));
        // The load average: on a machine other work keeps busy, the figures (the writers phase's
        // above all) say more about that work than about the engines.
        System.out.printf(Locale.ROOT, "skipstore bench: %d-byte keys, %d-byte values; %s%s; JDK %s, %d cpus,"
                + " load average %.1f%n",
                o.keySize, o.valueSize,
                memory ? String.format(Locale.ROOT, "in memory %,d entries, %s threads (mixed)", o.num,
                        counts(o.threads)) : "",
                stores ? String.format(Locale.ROOT, "%sstores %,d entries, a durable commit every %,d puts",
                        memory ? "; " : "", o.storeNum, o.batch) : "",
                Runtime.version(), CORES, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path root = null;
        Thread cleanup = null;
        if (stores) {
            root = Stores.tempDirectory(o.dir, "skipstore-dbbench-");
            Path r = root;
            cleanup = new Thread(() -> {
                try {
                    Stores.deleteTree(r);
                } catch (IOException e) {
                    System.err.println("bench: could not delete " + r + ": " + e);
                }
            }, "delete-store-directory");
            Runtime.getRuntime().addShutdownHook(cleanup); // also on Ctrl-C
            System.out.println("stores in " + root + " (deleted at the end)");
        }
        List<Result> results = new ArrayList<>();
        WriterScaling scaling = memory && o.benchmarks.contains("writers") ? new WriterScaling(o) : null;
        try {
            for (String engine : o.engines) {
                if (!o.phases(engine).isEmpty()) {
                    warmUp(engine, o, root);
                    results.addAll(new Run(o, engine, root).all());
                } else if (KvEngine.isStore(engine) || scaling == null) {
                    System.out.println("(" + engine + " runs none of --benchmarks " + String.join(",", o.benchmarks)
                            + ")");
                }
            }
            if (scaling != null) {
                scaling.run();
            }
        } finally {
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
                cleanup.run();
            }
        }
        if (!results.isEmpty()) {
            printTable(System.out, results, o);
        }
        if (scaling != null) {
            scaling.print(System.out);
        }
    }

    /** Thread counts as the command line gives them: 2,3. */
    static String counts(List<Integer> counts) {
        return counts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }

    /** A short run of every phase so that the measured ones do not include JIT compilation. */
    private static void warmUp(String engine, Options o, Path root) throws InterruptedException {
        int n = KvEngine.isStore(engine) ? Math.min(o.storeNum, 50_000) : Math.min(o.num, 100_000);
        new Run(o.withEntries(n, o.seed + 1), engine, root).all();
    }

    static void printTable(PrintStream out, List<Result> results, Options o) {
        out.println();
        out.printf(Locale.ROOT, "%-11s %-9s %14s %11s %9s %11s %9s%n", "benchmark", "engine", "ops/s", "ns/op", "vs",
                "size", "B/entry");
        for (boolean store : new boolean[] {false, true}) {
            List<String> kind = o.engines.stream().filter(e -> KvEngine.isStore(e) == store).toList();
            if (kind.isEmpty() || results.stream().noneMatch(r -> kind.contains(r.engine))) {
                continue;
            }
            String peer = kind.size() > 1 ? kind.get(kind.size() - 1) : null;
            out.println(store ? String.format(Locale.ROOT, "-- stores: %,d entries, a durable commit every %,d puts%s",
                    o.storeNum, o.batch, peer == null ? "" : "; vs " + peer)
                    : String.format(Locale.ROOT, "-- in memory: %,d entries%s", o.num, peer == null ? "" : "; vs " + peer));
            // Phase by phase (a phase with several thread counts: count by count), the engines side by side.
            List<String> labels = ALL.stream().flatMap(b -> results.stream().filter(r -> r.benchmark.equals(b)))
                    .map(Result::label).distinct().toList();
            for (String label : labels) {
                for (String engine : kind) {
                    for (Result r : results) {
                        if (!r.engine.equals(engine) || !r.label().equals(label)) {
                            continue;
                        }
                        Result base = peer == null ? null : results.stream()
                                .filter(p -> p.engine.equals(peer) && p.label().equals(label)).findFirst().orElse(null);
                        String ratio = base == null ? "" : String.format(Locale.ROOT, "%.2fx",
                                r.opsPerSecond() / base.opsPerSecond());
                        String perEntry = r.sizeBytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                                (double) r.sizeBytes / o.entries(engine));
                        out.printf(Locale.ROOT, "%-11s %-9s %,14.0f %11.1f %9s %11s %9s%n", label, r.engine,
                                r.opsPerSecond(), r.nanosPerOp(), ratio, r.sizeBytes < 0 ? "-" : mib(r.sizeBytes),
                                perEntry);
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "(raw: %d B per entry)%n", o.keySize + o.valueSize);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** The phases of one engine. */
    static final class Run {
        private final Options o;
        private final String engineName;
        private final boolean isStore;
        private final int num;
        private final Path root;
        private final int[] permutation;
        private KvEngine store;
        private int stores;

        Run(Options o, String engineName, Path root) {
            this.o = o;
            this.engineName = engineName;
            this.isStore = KvEngine.isStore(engineName);
            this.num = o.entries(engineName);
            this.root = root;
            this.permutation = permutation(num, o.seed);
        }

        /** A random order of {@code 0 .. n-1} (Fisher-Yates). */
        static int[] permutation(int n, long seed) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }

        List<Result> all() throws InterruptedException {
            List<Result> out = new ArrayList<>();
            try {
                for (String b : o.phases(engineName)) {
                    out.addAll(phase(b));
                }
            } finally {
                if (store != null) {
                    store.close();
                    store = null;
                }
            }
            return out;
        }

        /**
         * Key {@code i} as RocksDB's db_bench makes it ({@code GenerateKeyFromInt}): the index
         * big-endian in the first 8 bytes, then ASCII '0' padding; keys sort in index order.
         */
        static void key(byte[] k, long i) {
            for (int b = 0; b < 8; b++) {
                k[b] = (byte) (i >>> (56 - 8 * b));
            }
            for (int b = 8; b < k.length; b++) {
                k[b] = '0';
            }
        }

        /**
         * Value {@code i}. For a store, pseudo-random bytes from a SplitMix64 stream that starts
         * at a point of its own for each value ({@code mix(i)}), so that no two values share a
         * run of bytes and no engine's compression has an easy time with them; in memory, zeros
         * but the first byte (the content does not matter there).
         */
        void value(byte[] v, long i) {
            if (!isStore) {
                v[0] = (byte) i;
                return;
            }
            long z = mix(i ^ 0x6A09E667F3BCC909L);
            for (int at = 0; at < v.length; at += 8) {
                long x = mix(z += 0x9E3779B97F4A7C15L);
                for (int b = at; b < Math.min(at + 8, v.length); b++, x >>>= 8) {
                    v[b] = (byte) x;
                }
            }
        }

        /** SplitMix64's finalizer: a bijection of {@code long} that scatters consecutive inputs. */
        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** The results of phase {@code b}: one, or one per thread count of {@code --threads}. */
        private List<Result> phase(String b) {
            return switch (b) {
                case "fillseq" -> List.of(fill(b, false));
                case "fillrandom" -> List.of(fill(b, true));
                case "overwrite" -> List.of(writes(b));
                case "readrandom" -> List.of(reads(b));
                case "readseq" -> List.of(scan(b, false));
                case "readreverse" -> List.of(scan(b, true));
                case "mixed" -> o.threads.stream().map(t -> mixed(b, t)).toList();
                default -> throw new IllegalArgumentException(b);
            };
        }

        private KvEngine fresh() {
            if (store != null) {
                store.close();
                store = null;
            }
            if (isStore) {
                try {
                    Path dir = Files.createDirectory(root.resolve(engineName + "-" + stores++));
                    store = new KvEngine.Store(engineName, dir, o.batch);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                store = KvEngine.create(engineName);
            }
            return store;
        }

        private KvEngine existing() {
            if (store == null) { // a read phase without a fill before it: fill first, untimed
                fill("fillrandom", true);
            }
            return store;
        }

        private Result fill(String name, boolean random) {
            KvEngine s = fresh();
            long heapBefore = s.memoryBytes() >= 0 ? 0 : usedHeap();
            Result r = timed(name, num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                for (int i = 0; i < num; i++) {
                    int n = random ? permutation[i] : i;
                    key(k, n);
                    value(v, n);
                    s.put(k, v);
                    done.report(i);
                }
                s.endWrites(); // the last commit of a store
            });
            long mem = s.memoryBytes() >= 0 ? s.memoryBytes() : usedHeap() - heapBefore;
            return new Result(r.benchmark, 0, r.engine, r.ops, r.nanos, mem);
        }

        private Result writes(String name) {
            KvEngine s = existing();
            return timed(name, num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                SplittableRandom r = new SplittableRandom(o.seed + 7);
                for (int i = 0; i < num; i++) {
                    key(k, r.nextInt(num));
                    v[0] = (byte) ~i;
                    s.put(k, v);
                    done.report(i);
                }
                s.endWrites();
            });
        }

        private Result reads(String name) {
            KvEngine s = existing();
            return timed(name, num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                SplittableRandom r = new SplittableRandom(o.seed + 11);
                for (int i = 0; i < num; i++) {
                    int n = r.nextInt(num);
                    key(k, n);
                    if (!s.get(k)) {
                        throw new IllegalStateException(engineName + ": key " + Integer.toHexString(n) + " not found");
                    }
                    done.report(i);
                }
            });
        }

        private Result scan(String name, boolean reverse) {
            KvEngine s = existing();
            long[] n = new long[1];
            Result r = timed(name, num, 1, (t, done) -> n[0] = reverse ? s.scanReverse() : s.scan());
            if (n[0] != num) {
                throw new IllegalStateException(engineName + ": " + name + " visited " + n[0] + " entries, " + num
                        + " were written");
            }
            return new Result(r.benchmark, 0, r.engine, n[0], r.nanos, -1);
        }

        private Result mixed(String name, int threads) {
            KvEngine s = existing();
            int per = num / threads;
            return timed(name, (long) per * threads, threads, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                SplittableRandom r = new SplittableRandom(o.seed * 31 + t);
                for (int i = 0; i < per; i++) {
                    key(k, r.nextInt(num));
                    if (r.nextInt(100) < o.readPercent) {
                        s.get(k);
                    } else {
                        s.put(k, v);
                    }
                    done.report(i);
                }
            }).withThreads(threads);
        }

        /** Runs {@code body} on {@code threads} threads at once and times the whole. */
        private Result timed(String name, long ops, int threads, Body body) {
            Progress progress = new Progress(name + " " + engineName, ops, o.progress);
            long nanos = Workers.run(name + "-" + engineName, threads, t -> body.run(t, progress));
            progress.finish();
            return new Result(name, 0, engineName, ops, nanos, -1);
        }
    }

    @FunctionalInterface
    interface Body {
        void run(int thread, Progress done);
    }

    /** A progress bar on stderr for phases longer than a second; costs one volatile add per 4096 ops. */
    static final class Progress {
        private final String label;
        private final long total;
        private final boolean enabled;
        private final AtomicLong done = new AtomicLong();
        private final long started = System.nanoTime();
        private volatile long lastDraw;

        Progress(String label, long total, boolean enabled) {
            this.label = label;
            this.total = Math.max(1, total);
            this.enabled = enabled;
        }

        /** Called after op {@code i} of one thread. */
        void report(long i) {
            if ((i & 4095) == 4095 && enabled) {
                long d = done.addAndGet(4096);
                long now = System.nanoTime();
                if (now - started > 1_000_000_000L && now - lastDraw > 200_000_000L) {
                    lastDraw = now;
                    draw(Math.min(d, total));
                }
            }
        }

        private void draw(long d) {
            int width = 30;
            int filled = (int) (width * d / total);
            System.err.printf(Locale.ROOT, "\r  %-24s [%s%s] %3d%%", label, "#".repeat(filled), ".".repeat(width - filled),
                    100 * d / total);
        }

        void finish() {
            if (enabled && lastDraw != 0) {
                System.err.print("\r" + " ".repeat(70) + "\r");
            }
        }
    }

    /** Heap in use after a collection: the heap peers' memory is the difference around a fill. */
    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
