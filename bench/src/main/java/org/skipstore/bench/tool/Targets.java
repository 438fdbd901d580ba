package org.skipstore.bench.tool;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.skipstore.bench.report.ReportData;

/**
 * The engine's performance targets (issue 15), each with the figure this run measured and
 * whether it is met: printed when the phases and peers a target compares ran.
 */
final class Targets {

    /** One target: what, the figure, the bound, and whether the figure must be at least or at most it. */
    record Target(String what, double figure, String unit, double bound, boolean atLeast) {
        boolean met() {
            return atLeast ? figure >= bound : figure <= bound;
        }

        String measured() {
            return format(figure);
        }

        /** The bound as the table shows it: ">= 1.50x", "<= 1,000". */
        String boundText() {
            return (atLeast ? ">= " : "<= ") + format(bound);
        }

        private String format(double v) {
            return unit.equals("x") ? String.format(Locale.ROOT, "%.2fx", v) : String.format(Locale.ROOT, "%,.0f", v);
        }

        ReportData.Target forReport() {
            return new ReportData.Target(what, measured(), boundText(), met());
        }
    }

    private Targets() {
    }

    static List<Target> of(List<Result> results, Sustained.Report sustained) {
        List<Target> t = new ArrayList<>();
        String e = Options.ENGINE;
        ratio(t, results, "fillrandom", "rocksdb", 1.5);
        ratio(t, results, "fillseq", "lmdb", 1.5);
        Result commit = Table.find(results, "commit", e);
        if (commit != null && commit.floor() != null) {
            t.add(new Target("commit p50 / floor p50", (double) commit.latency().p50() / commit.floor().p50(), "x", 1.1,
                    false));
        }
        Result rocksCommit = Table.find(results, "commit", "rocksdb");
        if (commit != null && rocksCommit != null) {
            t.add(new Target("commit commits/s vs rocksdb", commit.opsPerSecond() / rocksCommit.opsPerSecond(), "x",
                    1.0, true));
        }
        for (String read : List.of("readrandom", "readseq", "readrandom-flushed", "readseq-flushed")) {
            ratio(t, results, read, "lmdb", 1.0);
        }
        results.stream().filter(r -> r.benchmark().equals("group") && r.engine().equals(e)).findFirst()
                .ifPresent(g -> ratio(t, results, g.label(), "rocksdb", 1.0));
        if (sustained != null) {
            t.add(new Target("sustained put p99.9 (us)", sustained.puts().p999() / 1e3, "us", 1000, false));
            t.add(new Target("sustained flush entries/s", sustained.stats().flushEntriesPerSecond(), "/s", 1e6, true));
            t.add(new Target("memtable peak / budget", (double) sustained.stats().peakMemtableBytes()
                    / sustained.budgetBytes(), "x", 1.0, false));
        }
        return t;
    }

    private static void ratio(List<Target> t, List<Result> results, String label, String peer, double bound) {
        Result a = Table.find(results, label, Options.ENGINE);
        Result b = Table.find(results, label, peer);
        if (a != null && b != null) {
            t.add(new Target(label + " vs " + peer, a.opsPerSecond() / b.opsPerSecond(), "x", bound, true));
        }
    }

    static void print(PrintStream out, List<Target> targets) {
        if (targets.isEmpty()) {
            return;
        }
        out.println("-- issue 15's targets for skipstore in this run");
        out.printf(Locale.ROOT, "%-32s %14s %12s  %s%n", "figure", "measured", "target", "met");
        for (Target t : targets) {
            out.printf(Locale.ROOT, "%-32s %14s %12s  %s%n", t.what(), t.measured(), t.boundText(), t.met() ? "yes" : "NO");
        }
    }
}
