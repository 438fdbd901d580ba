package org.skipstore.bench.tool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.skipstore.bench.report.HtmlReport;
import org.skipstore.bench.report.JmhResults;
import org.skipstore.bench.report.Machine;
import org.skipstore.bench.report.ReportData;
import org.skipstore.bench.store.Stores;

/**
 * A db_bench-style run of Skipstore's engine, its memtable and their peers, side by side, then
 * tables of ops/s, ns/op, the ratio to each peer, the size of the data and latencies, and the
 * engine's targets.
 *
 * <ul>
 *   <li>In memory, the memtable ({@code memtable}) against {@code ConcurrentSkipListMap}
 *       ({@code cslm}): fills, overwrites, point reads, an ordered scan and a mixed read/write
 *       phase on as many threads as cores and on one more; then a table of put throughput by number
 *       of writers sharing one structure ({@link WriterScaling}).</li>
 *   <li>Durable stores, Skipstore's engine ({@code skipstore}) against RocksDB ({@code rocksdb})
 *       and LMDB ({@code lmdb}), and on request the page store alone ({@code pagestore}) and, in
 *       the {@code peers} build, H2 MVStore and MapDB: fills with a durable commit every
 *       {@code --batch} puts, point reads and scans as the fill left the store and after it
 *       settled, one-put durable commits beside the disk's floor ({@link Commits}), and several
 *       threads committing at once; each store in a new directory under a temporary one that is
 *       deleted at the end ({@link Run}). No store is deleted before: deleting one frees its blocks,
 *       which on a file system mounted with {@code discard} (as here) slows the next forces for
 *       seconds, the next engine's commits with them.</li>
 *   <li>The engine alone: a sustained random fill ({@link Sustained}) and a reopen after a kill
 *       ({@link Replay}).</li>
 * </ul>
 *
 * <pre>
 *   bash bench/bench.sh                           the main job: every engine, every phase but the reverse scans
 *   bash bench/bench.sh --engine skipstore,rocksdb,lmdb --benchmarks fillseq,fillrandom
 *   bash bench/bench.sh --benchmarks writers      the writer-scaling table
 *   bash bench/bench.sh --help
 * </pre>
 */
public final class DbBench {

    private DbBench() {
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
            System.out.print(Options.help());
            return;
        }
        Machine machine = Machine.current(); // its load average now, before the run loads the machine
        if (o.report() != null) {
            try {
                report(JmhResults.read(o.report(), machine, RunReport.command(o, args)), o);
            } catch (IllegalArgumentException | IOException e) { // no results there, or not JMH's: say so, no trace
                System.err.println("bench: --report " + o.report() + ": " + e);
                System.exit(2);
            }
            return;
        }
        boolean stores = o.engines().stream().anyMatch(KvEngine::isStore);
        boolean memory = o.engines().stream().anyMatch(e -> !KvEngine.isStore(e));
        // The load average: on a machine other work keeps busy, the figures say more about that work
        // than about the engines.
        System.out.printf(Locale.ROOT, "skipstore bench: %d-byte keys, %d-byte values; %s%s; JDK %s, %d cpus,"
                        + " load average %.1f%n", o.keySize(), o.valueSize(),
                memory ? String.format(Locale.ROOT, "in memory %,d entries, %s threads (mixed)", o.num(),
                        Options.counts(o.threads())) : "",
                stores ? String.format(Locale.ROOT, "%sstores %,d entries, a durable commit every %,d puts",
                        memory ? "; " : "", o.storeNum(), o.batch()) : "",
                Runtime.version(), Options.CORES, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path root = null;
        Thread cleanup = null;
        if (stores) {
            root = Stores.tempDirectory(o.dir(), "skipstore-dbbench-");
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
        Sustained.Report sustained = null;
        Replay.Report replay = null;
        WriterScaling scaling = memory && o.benchmarks().contains("writers") ? new WriterScaling(o) : null;
        try {
            for (String engine : o.engines()) {
                if (o.phases(engine).isEmpty()) {
                    if (KvEngine.isStore(engine) || scaling == null) {
                        System.out.println("(" + engine + " runs none of --benchmarks "
                                + String.join(",", o.benchmarks()) + ")");
                    }
                    continue;
                }
                long t0 = System.nanoTime();
                new Run(o.warmUp(), engine, root, true).all();
                Progress.note(String.format(Locale.ROOT, "%-20s %-10s %.1f s (untimed)", "warm-up", engine,
                        (System.nanoTime() - t0) / 1e9));
                Run run = new Run(o, engine, root, false);
                results.addAll(run.all());
                sustained = run.sustained != null ? run.sustained : sustained;
                replay = run.replay != null ? run.replay : replay;
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
            Table.print(System.out, results, o);
        }
        if (sustained != null) {
            sustained.print(System.out);
        }
        if (replay != null) {
            replay.print(System.out);
        }
        Targets.print(System.out, Targets.of(results, sustained));
        if (scaling != null) {
            scaling.print(System.out);
        }
        report(RunReport.of(o, args, machine, results, sustained, replay, scaling), o);
    }

    /** Writes the report into the run's output folder and says where. */
    private static void report(ReportData data, Options o) throws IOException {
        Path file = HtmlReport.write(data, o.out()).toAbsolutePath();
        System.out.println();
        System.out.println("report: " + file + " (one HTML file, charts inline: open it in a browser)");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
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
