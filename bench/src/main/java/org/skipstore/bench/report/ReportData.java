package org.skipstore.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a report shows, independent of where it came from: the bench tool's run ({@code DbBench})
 * or saved JMH results ({@link JmhResults}). {@link HtmlReport} draws it. Every list may be empty;
 * a section with nothing to show is left out.
 *
 * @param title      the report's heading
 * @param machine    where it ran
 * @param command    the command that reproduces it
 * @param settings   the exact settings, in the order to show them
 * @param workloads  one bar chart each
 * @param timelines  latency over time (the sustained fill), one chart each
 * @param latencies  percentile rows
 * @param sizes      memory and file bytes per entry
 * @param targets    the goals the run is measured against, each met or not
 */
public record ReportData(String title, Machine machine, String command, Map<String, String> settings,
                         List<Workload> workloads, List<Timeline> timelines, List<LatencyRow> latencies,
                         List<SizeRow> sizes, List<Target> targets) {

    public ReportData {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(command, "command");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings)); // in the caller's order
        workloads = List.copyOf(workloads);
        timelines = List.copyOf(timelines);
        latencies = List.copyOf(latencies);
        sizes = List.copyOf(sizes);
        targets = List.copyOf(targets);
    }

    /** A goal: what is measured, the figure this run measured, the bound (">= 1.50x"), and whether it is met. */
    public record Target(String what, String measured, String bound, boolean met) {
    }

    /**
     * One workload's figure for every engine that ran it: a bar each. {@code higherIsBetter}:
     * throughput (ops/s); false for times (ns/op), where the shortest bar wins.
     *
     * @param group the section it belongs to (in memory, stores, a JMH benchmark class)
     */
    public record Workload(String group, String name, String unit, boolean higherIsBetter, List<Bar> bars) {
        public Workload {
            bars = List.copyOf(bars);
        }

        /** The best figure among the engines other than {@code engine}, or NaN when there is none. */
        public double bestPeer(String engine) {
            return bars.stream().filter(b -> !b.engine().equals(engine)).mapToDouble(Bar::value).filter(Double::isFinite)
                    .reduce((a, b) -> higherIsBetter ? Math.max(a, b) : Math.min(a, b)).orElse(Double.NaN);
        }

        /** How many times better {@code bar} is than the best other engine (above 1: better), or NaN. */
        public double ratioToBestPeer(Bar bar) {
            double best = bestPeer(bar.engine());
            if (Double.isNaN(best) || best == 0 || bar.value() == 0 || !Double.isFinite(bar.value())) {
                return Double.NaN;
            }
            return higherIsBetter ? bar.value() / best : best / bar.value();
        }
    }

    /** One engine's figure; {@code error} is JMH's error margin (NaN when there is none). */
    public record Bar(String engine, double value, double error) {
        public Bar(String engine, double value) {
            this(engine, value, Double.NaN);
        }
    }

    /**
     * Latency over time: {@code points} in time order (seconds from the start), each a window's
     * percentiles in nanoseconds; {@code marks} are spans (flushes, stalls) drawn behind them.
     */
    public record Timeline(String engine, String title, List<Point> points, List<Mark> marks) {
        public Timeline {
            points = List.copyOf(points);
            marks = List.copyOf(marks);
        }
    }

    /** A window of operations: its middle (seconds from the start), its operations, p50, p99 and max latency (ns). */
    public record Point(double seconds, long count, long p50, long p99, long max) {
    }

    /** A span on a timeline: {@code kind} is {@code "flush"} or {@code "stall"}. */
    public record Mark(String kind, double startSeconds, double seconds) {
    }

    /** An engine's latency percentiles for one kind of operation, in nanoseconds. */
    public record LatencyRow(String engine, String what, long count, long p50, long p99, long p999, long max) {
    }

    /**
     * Bytes per entry of one engine after one workload: in memory outside the heap, on the heap,
     * and in its files (NaN where not measured).
     */
    public record SizeRow(String engine, String workload, double offHeap, double heap, double file) {
    }
}
