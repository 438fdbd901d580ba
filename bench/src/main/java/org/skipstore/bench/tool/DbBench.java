package org.skipstore.bench.tool;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A db_bench-style run of Skipstore's stores and their peers, side by side: fills, overwrites,
 * point reads, an ordered scan and a mixed read/write phase with several threads, then one table
 * of ops/s, ns/op, the ratio to the first engine's peer and memory.
 *
 * <pre>
 *   bash bench/bench.sh                           defaults: 1 M entries, 16-byte keys, 100-byte values
 *   bash bench/bench.sh --num 200000 --threads 4 --benchmarks fillrandom,readrandom
 *   bash bench/bench.sh --help
 * </pre>
 */
public final class DbBench {

    static final List<String> ALL = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "mixed");

    private DbBench() {
    }

    /** Parsed command line. */
    record Options(int num, int keySize, int valueSize, int threads, int readPercent, List<String> benchmarks,
            List<String> engines, long seed, boolean progress) {

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
                int eq = a.indexOf('=');
                if (eq > 0) {
                    m.put(a.substring(2, eq), a.substring(eq + 1));
                } else if (a.equals("--progress") || a.equals("--no-progress")) {
                    m.put("progress", String.valueOf(a.equals("--progress")));
                } else if (i + 1 < args.length) {
                    m.put(a.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
            }
            if (m.containsKey("help")) {
                return null;
            }
            Options o = new Options(
                    intOption(m, "num", 1_000_000, 1),
                    intOption(m, "key-size", 16, 8),
                    intOption(m, "value-size", 100, 0),
                    intOption(m, "threads", Runtime.getRuntime().availableProcessors(), 1),
                    intOption(m, "read-percent", 90, 0),
                    List.of(m.getOrDefault("benchmarks", String.join(",", ALL)).split(",")),
                    List.of(m.getOrDefault("engines", "memtable,cslm").split(",")),
                    Long.parseLong(m.getOrDefault("seed", "42")),
                    Boolean.parseBoolean(m.getOrDefault("progress", String.valueOf(System.console() != null))));
            for (String b : o.benchmarks) {
                if (!ALL.contains(b)) {
                    throw new IllegalArgumentException("unknown benchmark '" + b + "' (known: " + String.join(",", ALL) + ")");
                }
            }
            o.engines.forEach(e -> KvEngine.create(e).close()); // rejects unknown names now
            if (!m.keySet().stream().allMatch(k -> List.of("num", "key-size", "value-size", "threads", "read-percent",
                    "benchmarks", "engines", "seed", "progress").contains(k))) {
                throw new IllegalArgumentException("unknown option in " + m.keySet() + " (try --help)");
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
            int n = Integer.parseInt(v.replace("_", ""));
            if (n < min) {
                throw new IllegalArgumentException("--" + name + " must be at least " + min + ": " + n);
            }
            return n;
        }
    }

    static final String HELP = """
            Usage: bash bench/bench.sh [options]
              --num N            entries per phase (default 1000000)
              --key-size N       key bytes, at least 8 (default 16)
              --value-size N     value bytes (default 100)
              --threads N        threads of the mixed phase (default: available processors)
              --read-percent N   reads in the mixed phase (default 90)
              --benchmarks LIST  comma-separated, in order (default fillseq,fillrandom,overwrite,readrandom,readseq,mixed)
              --engines LIST     memtable, cslm (default memtable,cslm)
              --seed N           random seed (default 42)
              --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)
            """;

    /** One measured phase. */
    record Result(String benchmark, String engine, long ops, long nanos, long memoryBytes) {
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
        System.out.printf(Locale.ROOT, "skipstore bench: %,d entries, %d-byte keys, %d-byte values, %d threads (mixed), "
                + "JDK %s, %d cpus%n", o.num, o.keySize, o.valueSize, o.threads, Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        List<Result> results = new ArrayList<>();
        for (String engine : o.engines) {
            warmUp(engine, o);
            results.addAll(new Run(o, engine).all());
        }
        printTable(System.out, results, o.engines);
    }

    /** A short run of every phase so that the measured ones do not include JIT compilation. */
    private static void warmUp(String engine, Options o) throws InterruptedException {
        Options small = new Options(Math.min(o.num, 100_000), o.keySize, o.valueSize, o.threads, o.readPercent,
                o.benchmarks, o.engines, o.seed + 1, false);
        new Run(small, engine).all();
    }

    static void printTable(PrintStream out, List<Result> results, List<String> engines) {
        String peer = engines.size() > 1 ? engines.get(engines.size() - 1) : null;
        out.println();
        out.printf(Locale.ROOT, "%-11s %-9s %14s %10s %9s %12s%n", "benchmark", "engine", "ops/s", "ns/op",
                peer == null ? "" : "vs " + peer, "memory");
        for (Result r : results) {
            Result base = peer == null ? null : results.stream()
                    .filter(p -> p.engine.equals(peer) && p.benchmark.equals(r.benchmark)).findFirst().orElse(null);
            String ratio = base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.opsPerSecond() / base.opsPerSecond());
            out.printf(Locale.ROOT, "%-11s %-9s %,14.0f %10.1f %9s %12s%n", r.benchmark, r.engine, r.opsPerSecond(),
                    r.nanosPerOp(), ratio, r.memoryBytes < 0 ? "-" : mib(r.memoryBytes));
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** The phases of one engine. */
    static final class Run {
        private final Options o;
        private final String engineName;
        private final int[] permutation;
        private KvEngine store;

        Run(Options o, String engineName) {
            this.o = o;
            this.engineName = engineName;
            this.permutation = new int[o.num];
            for (int i = 0; i < o.num; i++) {
                permutation[i] = i;
            }
            SplittableRandom r = new SplittableRandom(o.seed);
            for (int i = o.num - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
        }

        List<Result> all() throws InterruptedException {
            List<Result> out = new ArrayList<>();
            try {
                for (String b : o.benchmarks) {
                    out.add(phase(b));
                }
            } finally {
                if (store != null) {
                    store.close();
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

        private Result phase(String b) throws InterruptedException {
            return switch (b) {
                case "fillseq" -> fill(b, false);
                case "fillrandom" -> fill(b, true);
                case "overwrite" -> writes(b);
                case "readrandom" -> reads(b);
                case "readseq" -> scan(b);
                case "mixed" -> mixed(b);
                default -> throw new IllegalArgumentException(b);
            };
        }

        private KvEngine fresh() {
            if (store != null) {
                store.close();
            }
            store = KvEngine.create(engineName);
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
            Result r = timed(name, o.num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                for (int i = 0; i < o.num; i++) {
                    key(k, random ? permutation[i] : i);
                    v[0] = (byte) i;
                    s.put(k, v);
                    done.report(i);
                }
            });
            long mem = s.memoryBytes() >= 0 ? s.memoryBytes() : usedHeap() - heapBefore;
            return new Result(r.benchmark, r.engine, r.ops, r.nanos, mem);
        }

        private Result writes(String name) {
            KvEngine s = existing();
            return timed(name, o.num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                SplittableRandom r = new SplittableRandom(o.seed + 7);
                for (int i = 0; i < o.num; i++) {
                    key(k, r.nextInt(o.num));
                    v[0] = (byte) ~i;
                    s.put(k, v);
                    done.report(i);
                }
            });
        }

        private Result reads(String name) {
            KvEngine s = existing();
            return timed(name, o.num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize];
                SplittableRandom r = new SplittableRandom(o.seed + 11);
                for (int i = 0; i < o.num; i++) {
                    key(k, r.nextInt(o.num));
                    if (!s.get(k)) {
                        throw new IllegalStateException(engineName + ": key " + Long.toHexString(i) + " not found");
                    }
                    done.report(i);
                }
            });
        }

        private Result scan(String name) {
            KvEngine s = existing();
            long[] n = new long[1];
            Result r = timed(name, o.num, 1, (t, done) -> n[0] = s.scan());
            return new Result(r.benchmark, r.engine, n[0], r.nanos, -1);
        }

        private Result mixed(String name) {
            KvEngine s = existing();
            int per = o.num / o.threads;
            return timed(name, (long) per * o.threads, o.threads, (t, done) -> {
                byte[] k = new byte[o.keySize];
                byte[] v = new byte[o.valueSize];
                SplittableRandom r = new SplittableRandom(o.seed * 31 + t);
                for (int i = 0; i < per; i++) {
                    key(k, r.nextInt(o.num));
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
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().name("bench-" + id).start(() -> body.run(id, progress)));
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
