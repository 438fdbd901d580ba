package org.skipstore.bench.tool;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The tool's results table: per kind of engine (in memory, stores), phase by phase, the engines
 * side by side, and for the first engine of the kind its ratio to each of the others; then the
 * commit phase's latencies beside its floor.
 */
final class Table {

    private Table() {
    }

    static void print(PrintStream out, List<Result> results, Options o) {
        out.println();
        for (boolean store : new boolean[] {false, true}) {
            List<String> kind = o.engines().stream().filter(e -> KvEngine.isStore(e) == store).toList();
            if (!kind.isEmpty() && results.stream().anyMatch(r -> kind.contains(r.engine()))) {
                kind(out, results, o, kind, store);
            }
        }
        out.printf(Locale.ROOT, "(raw: %d B per entry; p50 and p99: latency of one operation, where the phase times"
                + " each)%n", o.keySize() + o.valueSize());
        commitLines(out, results);
    }

    private static void kind(PrintStream out, List<Result> results, Options o, List<String> kind, boolean store) {
        String subject = kind.getFirst();
        List<String> peers = kind.subList(1, kind.size());
        out.println(store ? String.format(Locale.ROOT, "-- stores: %,d entries, a durable commit every %,d puts (%s)",
                o.storeNum(), o.batch(), o.writes() == org.skipstore.bench.store.KvStore.Writes.BATCH
                        ? "skipstore, rocksdb: one durable WriteBatch" : "skipstore, rocksdb: each put a write, the last durable")
                : String.format(Locale.ROOT, "-- in memory: %,d entries", o.num()));
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-20s %-10s %14s %11s", "benchmark", "engine",
                "ops/s", "ns/op"));
        for (String p : peers) {
            header.append(String.format(Locale.ROOT, " %12s", "vs " + p));
        }
        header.append(String.format(Locale.ROOT, " %11s %9s %10s %10s", "size", "B/entry", "p50", "p99"));
        out.println(header);
        // Phase by phase (a phase with several thread counts: count by count), the engines side by side.
        List<String> labels = Options.ALL.stream().flatMap(b -> results.stream().filter(r -> r.benchmark().equals(b)))
                .map(Result::label).distinct().toList();
        for (String label : labels) {
            for (String engine : kind) {
                for (Result r : results) {
                    if (!r.engine().equals(engine) || !r.label().equals(label)) {
                        continue;
                    }
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s %-10s %,14.0f %11.1f",
                            label, r.engine(), r.opsPerSecond(), r.nanosPerOp()));
                    for (String p : peers) {
                        Result base = engine.equals(subject) ? find(results, label, p) : null;
                        row.append(String.format(Locale.ROOT, " %12s", base == null ? "" : String.format(Locale.ROOT,
                                "%.2fx", r.opsPerSecond() / base.opsPerSecond())));
                    }
                    String perEntry = r.sizeBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                            (double) r.sizeBytes() / o.entries(engine));
                    row.append(String.format(Locale.ROOT, " %11s %9s %10s %10s", r.sizeBytes() < 0 ? "-"
                                    : DbBench.mib(r.sizeBytes()), perEntry,
                            r.latency() == null ? "-" : Latencies.Summary.micros(r.latency().p50()),
                            r.latency() == null ? "-" : Latencies.Summary.micros(r.latency().p99())));
                    out.println(row);
                }
            }
        }
    }

    /** The result of phase {@code label} of {@code engine}, or null. */
    static Result find(List<Result> results, String label, String engine) {
        return results.stream().filter(r -> r.engine().equals(engine) && r.label().equals(label)).findFirst()
                .orElse(null);
    }

    /** Each engine's one-put commits against the floor measured beside them. */
    private static void commitLines(PrintStream out, List<Result> results) {
        for (Result r : results) {
            if (r.floor() == null) {
                continue;
            }
            out.printf(Locale.ROOT, "commit %-10s p50 %s = %.2fx the floor's %s (one 4 KiB write + fdatasync, measured"
                            + " alternately); p99 %s, the floor's %s%n", r.engine(),
                    Latencies.Summary.micros(r.latency().p50()), (double) r.latency().p50() / r.floor().p50(),
                    Latencies.Summary.micros(r.floor().p50()), Latencies.Summary.micros(r.latency().p99()),
                    Latencies.Summary.micros(r.floor().p99()));
        }
    }
}
