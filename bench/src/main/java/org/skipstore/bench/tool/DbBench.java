package org.skipstore.bench.tool;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.skipstore.bench.store.Stores;

/**
 * A db_bench-style run of Skipstore's two tiers and their peers, side by side, then one table of
 * ops/s, ns/op, the ratio to the peer and the size of the data.
 *
 * <ul>
 *   <li>In memory, the memtable ({@code memtable}) against {@code ConcurrentSkipListMap}
 *       ({@code cslm}): fills, overwrites, point reads, an ordered scan and a mixed read/write
 *       phase with several threads.</li>
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
 *   bash bench/bench.sh --help
 * </pre>
 */
public final class DbBench {

    static final List<String> ALL = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "readreverse",
            "mixed");
    /** The phases of the in-memory engines. */
    static final List<String> MEMORY_PHASES = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq",
            "mixed");
    /** The phases of the stores. */
    static final List<String> STORE_PHASES = List.of("fillseq", "fillrandom", "readrandom", "readseq", "readreverse");

    static final int DEFAULT_NUM = 1_000_000;
    static final int DEFAULT_STORE_NUM = 200_000;

    private DbBench() {
    }

    /** Parsed command line. */
    record Options(int num, int storeNum, int batch, int keySize, int valueSize, int threads, int readPercent,
            List<String> benchmarks, List<String> engines, long seed, boolean progress, Path dir) {

        private static final List<String> NAMES = List.of("num", "store-num", "batch", "key-size", "value-size",
                "threads", "read-percent", "benchmarks", "engine", "seed", "progress", "dir");

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
                    intOption(m, "threads", Runtime.getRuntime().availableProcessors(), 1),
                    intOption(m, "read-percent", 90, 0),
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
            return new Options(n, n, batch, keySize, valueSize, threads, readPercent, benchmarks, engines, newSeed, false,
                    dir);
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
              --threads N        threads of the mixed phase (default: available processors)
              --read-percent N   reads in the mixed phase (default 90)
              --benchmarks LIST  comma-separated phases, in this order (default: all), each run by the engines it
                                 applies to:
                                   memtable, cslm: fillseq,fillrandom,overwrite,readrandom,readseq,mixed
                                   stores:         fillseq,fillrandom,readrandom,readseq,readreverse
              --dir DIR          where the stores' temporary directory goes (default: the system's temporary
                                 directory); it is deleted at the end
              --seed N           random seed (default 42)
              --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)

            Each engine first runs a short warm-up of its phases (untimed). In the table, "vs" is the ratio of
            ops/s to the last engine of the same kind (in memory, or store) on the command line: by default
            memtable to cslm and pagestore to lmdb. "size" after a fill is the memory of the structure
            (memtable: its arena; cslm: the heap it added) or, for a store, its files on disk after the
            last commit, and "B/entry" that per entry (raw: key + value bytes).
            """;

    /** One measured phase. */
    record Result(String benchmark, String engine, long ops, long nanos, long sizeBytes) {
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
            System.out.print(HELP);
            return;
        }
        boolean stores = o.engines.stream().anyMatch(KvEngine::isStore);
        boolean memory = o.engines.stream().anyMatch(e -> !KvEngine.isStore(e));
        System.out.printf(Locale.ROOT, "skipstore bench: %d-byte keys, %d-byte values; %s%s; JDK %s, %d cpus%n",
                o.keySize, o.valueSize,
                memory ? String.format(Locale.ROOT, "in memory %,d entries, %d threads (mixed)", o.num, o.threads) : "",
                stores ? String.format(Locale.ROOT, "%sstores %,d entries, a durable commit every %,d puts",
                        memory ? "; " : "", o.storeNum, o.batch) : "",
                Runtime.version(), Runtime.getRuntime().availableProcessors());
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
        try {
            for (String engine : o.engines) {
                if (o.phases(engine).isEmpty()) {
                    System.out.println("(" + engine + " runs none of --benchmarks " + String.join(",", o.benchmarks)
                            + ")");
                    continue;
                }
                warmUp(engine, o, root);
                results.addAll(new Run(o, engine, root).all());
            }
        } finally {
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
                cleanup.run();
            }
        }
        printTable(System.out, results, o);
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
            for (String b : ALL) {
                for (String engine : kind) {
                    for (Result r : results) {
                        if (!r.engine.equals(engine) || !r.benchmark.equals(b)) {
                            continue;
                        }
                        Result base = peer == null ? null : results.stream()
                                .filter(p -> p.engine.equals(peer) && p.benchmark.equals(b)).findFirst().orElse(null);
                        String ratio = base == null ? "" : String.format(Locale.ROOT, "%.2fx",
                                r.opsPerSecond() / base.opsPerSecond());
                        String perEntry = r.sizeBytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                                (double) r.sizeBytes / o.entries(engine));
                        out.printf(Locale.ROOT, "%-11s %-9s %,14.0f %11.1f %9s %11s %9s%n", r.benchmark, r.engine,
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
            this.permutation = new int[num];
            for (int i = 0; i < num; i++) {
                permutation[i] = i;
            }
            SplittableRandom r = new SplittableRandom(o.seed);
            for (int i = num - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
        }

        List<Result> all() throws InterruptedException {
            List<Result> out = new ArrayList<>();
            try {
                for (String b : o.phases(engineName)) {
                    out.add(phase(b));
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
        void key(byte[] k, long i) {
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

        private Result phase(String b) throws InterruptedException {
            return switch (b) {
                case "fillseq" -> fill(b, false);
                case "fillrandom" -> fill(b, true);
                case "overwrite" -> writes(b);
                case "readrandom" -> reads(b);
                case "readseq" -> scan(b, false);
                case "readreverse" -> scan(b, true);
                case "mixed" -> mixed(b);
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
            return new Result(r.benchmark, r.engine, r.ops, r.nanos, mem);
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
            return new Result(r.benchmark, r.engine, n[0], r.nanos, -1);
        }

        private Result mixed(String name) {
            KvEngine s = existing();
            int per = num / o.threads;
            return timed(name, (long) per * o.threads, o.threads, (t, done) -> {
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
            });
        }

        /** Runs {@code body} on {@code threads} threads at once and times the whole. */
        private Result timed(String name, long ops, int threads, Body body) {
            Progress progress = new Progress(name + " " + engineName, ops, o.progress);
            List<Thread> workers = new ArrayList<>();
            Throwable[] failure = new Throwable[1];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = Thread.ofPlatform().name("bench-" + id).unstarted(() -> body.run(id, progress));
                w.setUncaughtExceptionHandler((th, e) -> {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            try {
                for (Thread w : workers) {
                    w.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long nanos = System.nanoTime() - start;
            progress.finish();
            synchronized (failure) {
                if (failure[0] != null) {
                    throw new IllegalStateException(name + " " + engineName + " failed: " + failure[0], failure[0]);
                }
            }
            return new Result(name, engineName, ops, Math.max(1, nanos), -1);
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
