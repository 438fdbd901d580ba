package org.skipstore.bench.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.skipstore.bench.store.Stores;

/**
 * The Kafka Streams benchmark (issue 16): Skipstore's state store against Kafka Streams' default
 * RocksDB store, under the same aggregation ({@link Aggregation}) through
 * {@code TopologyTestDriver}: records/s processed, at the driver's commit after every record and
 * at longer commit intervals; restore records/s from the changelog the longest run left
 * ({@link ChangelogRestore}); the resident memory outside the heap of each run
 * ({@link ResidentMemory}); then a table with the ratios and issue 16's goals
 * ({@link KafkaTable}).
 *
 * <p>Each run is a child JVM ({@link Child}) with the same class path, a fixed pre-touched heap,
 * and a state directory of its own under a temporary directory, deleted at the end. The runs go
 * engine after engine within each phase, so that a change in the machine's load falls on both.
 *
 * <pre>
 *   bash bench/bench.sh kafka                        the defaults: 1 M records over 100 k keys, a few minutes
 *   bash bench/bench.sh kafka --num 200000 --commit-every 1,1000,10000
 *   bash bench/bench.sh kafka --help
 * </pre>
 */
public final class KafkaBench {

    /** One run's figures: its phase ({@code every} the commit interval, 0 for the restore), engine and figures. */
    record Row(String phase, int every, String engine, Child.Figures figures) {
    }

    private KafkaBench() {
    }

    public static void main(String[] args) throws Exception {
        KafkaOptions o;
        try {
            o = KafkaOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench kafka: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.print(KafkaOptions.HELP);
            return;
        }
        run(o, System.out);
    }

    /** Runs every phase of {@code o}, printing a line per run as it ends and then the table; the rows. */
    static List<Row> run(KafkaOptions o, PrintStream out) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "skipstore kafka bench: %,d records over %,d keys, groupByKey().aggregate through"
                        + " TopologyTestDriver, record cache off; JDK %s, %d cpus%n", o.num(), o.keys(),
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        Path root = Stores.tempDirectory(o.dir(), "skipstore-kafka-bench-");
        Thread cleanup = new Thread(() -> {
            try {
                Stores.deleteTree(root);
            } catch (IOException e) {
                System.err.println("bench kafka: could not delete " + root + ": " + e);
            }
        }, "delete-state-directories");
        Runtime.getRuntime().addShutdownHook(cleanup); // also on Ctrl-C
        List<Row> rows = new ArrayList<>();
        try {
            Path changelog = root.resolve("changelog");
            for (int every : o.commitEvery()) {
                for (String engine : o.engines()) {
                    boolean keep = every == o.changelogInterval() && !Files.exists(changelog);
                    Child.Figures f = child(o, "process", engine, root.resolve(engine + "-process-" + every),
                            String.valueOf(o.num()), String.valueOf(o.keys()), String.valueOf(every),
                            String.valueOf(o.perRecordSeconds()), String.valueOf(o.seed()),
                            keep ? changelog.toString() : "-");
                    rows.add(note(out, new Row(KafkaTable.processLabel(every), every, engine, f)));
                }
            }
            for (String engine : o.engines()) {
                Child.Figures f = child(o, "restore", engine, root.resolve(engine + "-restore"), changelog.toString(),
                        String.valueOf(o.batch()));
                rows.add(note(out, new Row(KafkaTable.restoreLabel(o.batch()), 0, engine, f)));
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup.run();
        }
        KafkaTable.print(out, o, rows);
        return rows;
    }

    /** A run's line as it ends, with the time its store spent in commits where it was counted. */
    private static Row note(PrintStream out, Row r) {
        Child.Figures f = r.figures();
        out.printf(Locale.ROOT, "  %-32s %-10s %,12d records in %8.2f s: %,12.0f records/s%s%n", r.phase(), r.engine(),
                f.records(), f.nanos() / 1e9, f.perSecond(), f.commits() < 0 ? "" : String.format(Locale.ROOT,
                        "; %,d store commits, %.2f s of it", f.commits(), f.commitNanos() / 1e9));
        out.flush();
        return r;
    }

    /** Runs one phase in a child JVM and returns its figures; fails with the child's output when it fails. */
    private static Child.Figures child(KafkaOptions o, String phase, String engine, Path stateDir, String... rest)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        // A fixed heap, touched at start: its committed bytes are resident from the start and stay so,
        // and VmRSS minus them is what lies outside it. RocksDB loads a native library.
        // NMT's summary level tracks the JVM's mallocs at a small cost alike for both engines; it
        // tells Skipstore's own native memory (NativeAllocations) from the JIT's.
        cmd.addAll(List.of("-Xms" + o.heap(), "-Xmx" + o.heap(), "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), phase, engine, stateDir.toString()));
        cmd.addAll(List.of(rest));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        Child.Figures f = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Child.Figures d = Child.Figures.decode(line);
                if (d != null) {
                    f = d;
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || f == null) {
            throw new IllegalStateException("kafka bench: the " + phase + " run of " + engine + " failed (exit " + rc
                    + "):\n" + output);
        }
        return f;
    }
}
