package org.skipstore.bench.tool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.skipstore.bench.CommandLine;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.Stores;

/**
 * The bench tool's command line: what each option means is {@link #HELP}; which engine runs
 * which phase is {@link #phases(String)}.
 */
record Options(int num, int storeNum, int batch, KvStore.Writes writes, int keySize, int valueSize,
               List<Integer> threads, int readPercent, List<Integer> writers, int writersNum, int repeat,
               int commits, int groupThreads, int groupNum, int sustainedNum, List<String> benchmarks,
               List<String> engines, long seed, Progress.Mode progress, Path dir, Path out, Path report) {

    static final int CORES = Runtime.getRuntime().availableProcessors();

    /** Every phase, in the order they run within an engine (writers: a table of its own, last). */
    static final List<String> ALL = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq",
            "readreverse", "mixed", "readrandom-flushed", "readseq-flushed", "readreverse-flushed", "commit", "group",
            "sustained", "replay", "writers");
    /** The phases of the main job (no {@code --benchmarks}): all but the reverse scans. */
    static final List<String> MAIN_JOB = ALL.stream().filter(b -> !b.startsWith("readreverse")).toList();
    /** The phases of the in-memory engines. */
    static final List<String> MEMORY_PHASES = List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq",
            "mixed");
    /** The phases of the stores. */
    static final List<String> STORE_PHASES = List.of("fillseq", "fillrandom", "readrandom", "readseq", "readreverse",
            "readrandom-flushed", "readseq-flushed", "readreverse-flushed", "commit", "group");
    /** The phases of Skipstore's engine alone: what its statistics tell and its peers have no counterpart of. */
    static final List<String> ENGINE_PHASES = List.of("sustained", "replay");
    /** The engine that runs {@link #ENGINE_PHASES}. */
    static final String ENGINE = "skipstore";

    static final String DEFAULT_ENGINES = "memtable,cslm,skipstore,rocksdb,lmdb";
    static final int DEFAULT_NUM = 1_000_000;
    static final int DEFAULT_WRITERS_NUM = 100_000;
    static final int DEFAULT_COMMITS = 2_000;
    static final int DEFAULT_GROUP_NUM = 5_000;
    static final int DEFAULT_SUSTAINED_NUM = 5_000_000;
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
     * {@link #DEFAULT_WRITERS} up to one above the cores. All writers one above the cores show
     * issue 13's collapse; the counts further up are where a collapsing memtable spends most of its
     * time (about 30 of the full phase's 40 s on 2 cores), more than the main job can give.
     */
    static final List<Integer> MAIN_JOB_WRITERS = DEFAULT_WRITERS.stream().filter(w -> w <= CORES + 1).toList();

    private static final List<String> NAMES = List.of("num", "store-num", "batch", "writes", "key-size", "value-size",
            "threads", "read-percent", "writers", "writers-num", "repeat", "commits", "group-threads", "group-num",
            "sustained-num", "benchmarks", "engine", "seed", "progress", "dir", "out", "report");

    /** {@code counts} with {@code n} added where it is missing, in ascending order. */
    static List<Integer> withCount(List<Integer> counts, int n) {
        return Stream.concat(counts.stream(), Stream.of(n)).distinct().sorted().toList();
    }

    /** The options of {@code args}, or null for {@code --help}; throws IllegalArgumentException for bad ones. */
    static Options parse(String[] args) {
        Map<String, String> m = CommandLine.options(args, NAMES,
                Map.of("--progress", Map.entry("progress", "true"), "--no-progress", Map.entry("progress", "false")),
                Map.of("engines", "engine")); // --engines: the old spelling
        if (m == null) {
            return null;
        }
        int num = intOption(m, "num", DEFAULT_NUM, 1);
        String writes = m.getOrDefault("writes", "per-put");
        if (!writes.equals("per-put") && !writes.equals("batch")) {
            throw new IllegalArgumentException("--writes takes per-put or batch: " + writes);
        }
        Options o = new Options(
                num,
                intOption(m, "store-num", num, 1),
                intOption(m, "batch", 1000, 1),
                writes.equals("batch") ? KvStore.Writes.BATCH : KvStore.Writes.PER_PUT,
                intOption(m, "key-size", 16, 8),
                intOption(m, "value-size", 100, 0),
                intList(m, "threads", DEFAULT_THREADS),
                intOption(m, "read-percent", 90, 0),
                intList(m, "writers", m.containsKey("benchmarks") ? DEFAULT_WRITERS : MAIN_JOB_WRITERS),
                intOption(m, "writers-num", DEFAULT_WRITERS_NUM, 1),
                intOption(m, "repeat", 3, 1),
                intOption(m, "commits", DEFAULT_COMMITS, 1),
                intOption(m, "group-threads", 4, 1),
                intOption(m, "group-num", DEFAULT_GROUP_NUM, 1),
                intOption(m, "sustained-num", DEFAULT_SUSTAINED_NUM, 1),
                m.containsKey("benchmarks") ? List.of(m.get("benchmarks").split(",")) : MAIN_JOB,
                List.of(m.getOrDefault("engine", DEFAULT_ENGINES).split(",")),
                Long.parseLong(m.getOrDefault("seed", "42")),
                !m.containsKey("progress") ? (terminal() ? Progress.Mode.BAR : Progress.Mode.LINES)
                        : Boolean.parseBoolean(m.get("progress")) ? Progress.Mode.BAR : Progress.Mode.NONE,
                m.containsKey("dir") ? Path.of(m.get("dir")) : null,
                out(m),
                m.containsKey("report") ? Path.of(m.get("report")) : null);
        o.check();
        return o;
    }

    /**
     * Whether the output is a terminal: since JDK 22 {@code System.console()} may be a console
     * that is not one (output redirected), where a bar redrawn in place would fill a log.
     */
    private static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** {@code --out}; by default a new folder named for the time, or for {@code --report} the folder of its results. */
    private static Path out(Map<String, String> m) {
        if (m.containsKey("out")) {
            return Path.of(m.get("out"));
        }
        if (m.containsKey("report")) {
            Path results = Path.of(m.get("report")).toAbsolutePath();
            return java.nio.file.Files.isDirectory(results) ? results : results.getParent();
        }
        return Path.of("skipstore-bench-" + java.time.LocalDateTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", java.util.Locale.ROOT)));
    }

    private void check() {
        for (String b : benchmarks) {
            if (!ALL.contains(b)) {
                throw new IllegalArgumentException("unknown benchmark '" + b + "' (known: " + String.join(",", ALL) + ")");
            }
        }
        for (String e : engines) {
            if (!KvEngine.known().contains(e)) {
                throw new IllegalArgumentException("unknown engine '" + e + "' (known: "
                        + String.join(", ", KvEngine.known()) + ")");
            }
            if (KvEngine.isStore(e) && !Stores.available(e)) {
                throw new IllegalArgumentException(Stores.missingPeerMessage(e));
            }
        }
        if (engines.stream().distinct().count() != engines.size()) {
            throw new IllegalArgumentException("an engine is named twice in --engine " + String.join(",", engines));
        }
        if (readPercent > 100) {
            throw new IllegalArgumentException("--read-percent must be at most 100");
        }
    }

    private static int intOption(Map<String, String> m, String name, int dflt, int min) {
        String v = m.get(name);
        return v == null ? dflt : number(name, v, min);
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

    /** Entries of every fill and read phase of {@code engine}. */
    int entries(String engine) {
        return KvEngine.isStore(engine) ? storeNum : num;
    }

    /** The phases of {@link #benchmarks} that {@code engine} runs, in order (writers apart). */
    List<String> phases(String engine) {
        List<String> own = new ArrayList<>(KvEngine.isStore(engine) ? STORE_PHASES : MEMORY_PHASES);
        if (engine.equals(ENGINE)) {
            own.addAll(ENGINE_PHASES);
        }
        return ALL.stream().filter(b -> own.contains(b) && benchmarks.contains(b)).toList();
    }

    /** The options of a warm-up: every size small, no progress, and the phases that gain from one. */
    Options warmUp() {
        int n = Math.min(num, 100_000);
        int s = Math.min(storeNum, 50_000);
        List<String> phases = benchmarks.stream().filter(b -> !ENGINE_PHASES.contains(b)).toList();
        return new Options(n, s, batch, writes, keySize, valueSize, threads, readPercent, writers, writersNum, repeat,
                Math.min(commits, 100), groupThreads, Math.min(groupNum, 500), sustainedNum, phases, engines,
                seed + 1, Progress.Mode.NONE, dir, out, null);
    }

    /** Thread counts as the command line gives them: 2,3. */
    static String counts(List<Integer> counts) {
        return counts.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static final String HELP = """
            Usage: bash bench/bench.sh [--peers] [options]
              --engine LIST      comma-separated engines, run in this order (default %6$s):
                                   memtable, cslm        in memory: Skipstore's memtable, ConcurrentSkipListMap
                                   skipstore             Skipstore's engine (log, memtables, page store)
                                   rocksdb, lmdb         its peers (RocksDB's jar is on the class path bench.sh makes)
                                   pagestore             Skipstore's page store alone (SYNC)
                                   mvstore, mapdb        more durable peers, only with bench.sh --peers
                                 (--engines is accepted too)
              --num N            entries per phase of every engine (default 1000000)
              --store-num N      entries of the stores' fills and reads (default: --num)
              --batch N          stores: puts per durable commit in the fills (default 1000)
              --writes MODE      how skipstore and rocksdb take a batch (the others: one transaction):
                                   per-put  each put a write of its own, the batch's last one durable (default:
                                            skipstore NO_SYNC writes and a SYNC one; rocksdb sync=false, sync=true)
                                   batch    one WriteBatch of the batch's puts, written durably (SYNC, sync=true)
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
              --commits N        one-put durable commits of the commit phase, per engine (default %7$d)
              --group-threads N  threads of the group phase (default 4)
              --group-num N      one-put durable commits of the group phase, all threads together (default %8$d)
              --sustained-num N  entries of skipstore's sustained fill (default %9$d)
              --benchmarks LIST  comma-separated phases (default: all but readreverse and readreverse-flushed);
                                 they run engine by engine, in the order below, each by the engines it
                                 applies to:
                                   memtable, cslm: fillseq,fillrandom,overwrite,readrandom,readseq,mixed,writers
                                   stores:         fillseq,fillrandom,readrandom,readseq,readreverse,
                                                   readrandom-flushed,readseq-flushed,readreverse-flushed,
                                                   commit,group
                                   skipstore also: sustained,replay
              --dir DIR          where the stores' temporary directory goes (default: the system's temporary
                                 directory); it is deleted at the end
              --seed N           random seed (default 42)
              --progress / --no-progress   a progress bar on stderr / none (default: the bar on a
                                 terminal, elsewhere a line on stdout every 5 s of a phase)
              --out DIR          the run's output folder: its HTML report (report.html) goes there (default:
                                 skipstore-bench-<date-time> in the working directory; bench.sh passes
                                 bench/target/reports/<date-time>)
              --report PATH      no run: turn saved JMH results (a -rf csv or -rf json file, or a folder of
                                 them, e.g. bench/target/jmh-result.csv) into the same HTML report, in --out
                                 (default: the folder of PATH)

            Stores. The fills write --store-num entries into a new store with a durable commit every --batch
            puts. The read phases read the store the random fill left: readrandom, readseq and readreverse as
            it was once its background work ended (skipstore: its sealed memtables flushed, the active
            one still holding its part; rocksdb: its flushes and compactions done, part of the data in
            its memtable and level-0 files), the -flushed ones after the store settled (skipstore:
            flush(); rocksdb: a flush and a full compaction; the others have nothing to do). commit: --commits puts each committed durably on
            its own by one thread (skipstore: SYNC), with latency percentiles, in blocks of 100 alternating
            with the floor: one 4 KiB write plus fdatasync of a preallocated file in the same directory.
            group: --group-threads threads each committing one put durably at a time (skipstore: GROUP,
            where the threads share forces; rocksdb: sync=true, which it groups too; lmdb: a transaction).

            Skipstore's engine alone (its statistics, EngineStats): sustained, a random fill of
            --sustained-num entries with default settings and a durable commit every --batch puts: put
            latency percentiles, stalls, flush throughput, bytes written (log and store, the store's from its
            commit events) per user byte, peak memtable memory against the budget; replay, a child JVM that
            fills one memtable's worth of log and is killed (SIGKILL), then the reopen's replay rate.

            Each engine first runs a short warm-up of its phases (untimed). A line per phase as it ends, then
            the tables. In the table, "vs X" is the ratio of ops/s to engine X, for the first engine of each
            kind (in memory: memtable to cslm; stores: skipstore to rocksdb and lmdb). "size" after a fill is
            the memory of the structure (memtable: its arena; cslm: the heap it added) or, for a store, its
            files on disk after the last commit, and "B/entry" that per entry (raw: key + value bytes).
            "mixed 3t" is the mixed phase on 3 threads: by default it runs on as many threads as cpus and on
            one more, where a structure whose threads spin while they wait for each other collapses. Then the
            engine's own reports and its targets (issue 15), each with its figure and whether it is met.

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
                WriterScaling.reference(DEFAULT_WRITERS), counts(MAIN_JOB_WRITERS), DEFAULT_ENGINES, DEFAULT_COMMITS,
                DEFAULT_GROUP_NUM, DEFAULT_SUSTAINED_NUM);
    }
}
