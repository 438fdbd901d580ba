package org.skipstore.bench.tool;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.skipstore.bench.report.Machine;
import org.skipstore.bench.report.ReportData;
import org.skipstore.bench.report.ReportData.Bar;
import org.skipstore.bench.report.ReportData.LatencyRow;
import org.skipstore.bench.report.ReportData.SizeRow;
import org.skipstore.bench.report.ReportData.Workload;

/**
 * A run of the tool as a report ({@link ReportData}): a chart per phase with every engine that ran
 * it (the tables' rows), the writers table's charts, the sustained fill's latency over time, the
 * latency percentiles the phases recorded, the bytes per entry after each fill, and the options,
 * every one of them, with the command that runs the same again.
 */
final class RunReport {

    private RunReport() {
    }

    static ReportData of(Options o, String[] args, Machine machine, List<Result> results, Sustained.Report sustained,
            Replay.Report replay, WriterScaling scaling) {
        List<Workload> workloads = new ArrayList<>();
        for (boolean store : new boolean[] {false, true}) {
            List<String> kind = o.engines().stream().filter(e -> KvEngine.isStore(e) == store).toList();
            String fills = store ? String.format(Locale.ROOT, "stores: %,d entries, a durable commit every %,d puts",
                    o.storeNum(), o.batch()) : String.format(Locale.ROOT, "in memory: %,d entries", o.num());
            String commits = String.format(Locale.ROOT, "stores: one-put durable commits (%,d by one thread, %,d by %d"
                    + " threads at once)", o.commits(), o.groupNum(), o.groupThreads());
            for (String label : labels(results)) {
                String group = store && (label.startsWith("commit") || label.startsWith("group")) ? commits : fills;
                List<Bar> bars = new ArrayList<>();
                for (String engine : kind) {
                    Result r = Table.find(results, label, engine);
                    if (r != null) {
                        bars.add(new Bar(engine, r.opsPerSecond()));
                    }
                }
                if (bars.size() > 1) { // one engine alone (the engine's own phases) is no comparison: its tables say it
                    workloads.add(new Workload(group, label, "ops/s", true, bars));
                }
            }
        }
        if (scaling != null) {
            workloads.addAll(scaling.workloads());
        }
        List<LatencyRow> latencies = new ArrayList<>();
        for (Result r : results) {
            if (r.latency() != null && !r.benchmark().equals("sustained")) {
                latencies.add(row(r.engine(), r.label() + (r.timeline() != null ? ": each put" : ": one operation"),
                        r.latency()));
            }
            if (r.floor() != null) {
                latencies.add(row("floor", "beside " + r.engine() + "'s commits: one 4 KiB write + fdatasync", r.floor()));
            }
        }
        List<ReportData.Timeline> timelines = new ArrayList<>();
        for (Result r : results) {
            if (r.timeline() != null) {
                timelines.add(r.timeline());
            }
        }
        if (sustained != null) {
            latencies.add(row(Options.ENGINE, "sustained fill: every put", sustained.puts()));
            latencies.add(row(Options.ENGINE, "sustained fill: the durable puts (a log force each)", sustained.durablePuts()));
            timelines.add(sustained.timeline());
        }
        List<SizeRow> sizes = results.stream().map(Result::footprint).filter(java.util.Objects::nonNull).toList();
        Map<String, String> settings = settings(o);
        if (replay != null) {
            settings.put("replay (result)", String.format(Locale.ROOT, "%,.0f entries/s",
                    replay.result().opsPerSecond()));
        }
        return new ReportData("Skipstore bench: " + String.join(", ", o.engines()), machine, command(o, args), settings,
                workloads, timelines, latencies, sizes,
                Targets.of(results, sustained).stream().map(Targets.Target::forReport).toList());
    }

    /** The phases' labels (a phase with several thread counts: one a count) in the order they run. */
    private static List<String> labels(List<Result> results) {
        return Options.ALL.stream().flatMap(b -> results.stream().filter(r -> r.benchmark().equals(b)))
                .map(Result::label).distinct().toList();
    }

    private static LatencyRow row(String engine, String what, Latencies.Summary s) {
        return new LatencyRow(engine, what, s.count(), s.p50(), s.p99(), s.p999(), s.max());
    }

    /** Every option as the run used it (defaults included), as {@code --help} spells it. */
    private static Map<String, String> settings(Options o) {
        Map<String, String> m = new LinkedHashMap<>();
        for (RecordComponent c : Options.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(o);
                if (v == null) {
                    continue; // an option not given that has no default (--dir: the system's temporary directory)
                }
                String name = switch (c.getName()) {
                    case "engines" -> "--engine";
                    case "progress" -> "progress"; // two flags: --progress (bar), --no-progress (none); else lines
                    default -> "--" + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
                };
                if (v instanceof Enum<?> e) {
                    v = e.name().toLowerCase(Locale.ROOT).replace('_', '-'); // as the command line spells it
                }
                m.put(name, v instanceof List<?> l
                        ? l.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(v));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    /** The command that runs the same again: bench.sh with this run's arguments (and --peers where they need it). */
    static String command(Options o, String[] args) {
        boolean peers = o.engines().stream().anyMatch(org.skipstore.bench.store.Stores.PEERS::contains);
        StringBuilder b = new StringBuilder("bash bench/bench.sh");
        if (peers) {
            b.append(" --peers");
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--out")) { // where this run's report went: the next run writes its own
                i++;
                continue;
            }
            if (a.startsWith("--out=")) {
                continue;
            }
            b.append(' ').append(a.matches("[A-Za-z0-9_./=:,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }
}
