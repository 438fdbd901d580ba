package org.skipstore.bench.report;

import static org.skipstore.bench.report.Svg.esc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.skipstore.bench.report.ReportData.Bar;
import org.skipstore.bench.report.ReportData.LatencyRow;
import org.skipstore.bench.report.ReportData.SizeRow;
import org.skipstore.bench.report.ReportData.Workload;

/**
 * A report as one self-contained HTML file: inline CSS and SVG ({@link Svg}), no script and
 * nothing fetched, so it opens offline and can be mailed or attached to an issue. Sections: where
 * it ran and how to run it again, a bar chart per workload, latency over time, latency
 * percentiles, and bytes per entry.
 */
public final class HtmlReport {

    /** The file a report is written to, in the folder given. */
    public static final String FILE = "report.html";

    /** Engine colors, in the order engines first appear (colorblind-safe, Okabe and Ito). */
    private static final List<String> PALETTE = List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
            "#D55E00", "#F0E442", "#000000");

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#222}
            h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px;margin:18px 0 4px}
            table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
            td:first-child,th:first-child,td.text,th.text{text-align:left}td.text{white-space:normal}pre{background:#f4f4f4;padding:8px;white-space:pre-wrap}
            svg text{font:12px system-ui,sans-serif;fill:#222}svg .axis{fill:#666;font-size:11px}
            svg .win{fill:#1a7f37}svg .loss{fill:#b3261e}td.win{color:#1a7f37}td.loss{color:#b3261e;font-weight:bold}svg .grid{stroke:#ddd}
            svg polyline{fill:none}svg .p50{stroke-width:2}svg .p99{stroke-width:1.2;stroke-dasharray:4 3}
            svg .max{stroke-width:1;opacity:.35}svg .mark.flush{fill:#4a90d9;opacity:.15}svg .mark.stall{fill:#d0021b;opacity:.35}
            """;

    private HtmlReport() {
    }

    /** Writes {@code data} to {@value #FILE} in {@code dir} (made when missing); returns the file. */
    public static Path write(ReportData data, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        Files.writeString(file, render(data), StandardCharsets.UTF_8);
        return file;
    }

    /** The whole page. */
    public static String render(ReportData d) {
        Map<String, String> colors = colors(d);
        StringBuilder h = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(d.title())).append("</title><style>").append(STYLE).append("</style></head><body>");
        h.append("<h1>").append(esc(d.title())).append("</h1><p>")
                .append(esc(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))).append("</p>");
        h.append("<section id=\"machine\"><h2>Machine and settings</h2><p>").append(esc(d.machine().describe()))
                .append("</p><p>To run it again:</p><pre>").append(esc(d.command())).append("</pre>");
        if (!d.settings().isEmpty()) {
            h.append("<table class=\"settings\">");
            d.settings().forEach((k, v) -> h.append("<tr><td>").append(esc(k)).append("</td><td class=\"text\">")
                    .append(esc(v)).append("</td></tr>"));
            h.append("</table>");
        }
        h.append("</section>");
        targets(h, d.targets());
        workloads(h, d.workloads(), colors);
        if (!d.timelines().isEmpty()) {
            double[] y = Svg.decades(d.timelines()); // one latency axis for all, so that the charts compare
            h.append("<section id=\"timelines\"><h2>Latency over time</h2>");
            d.timelines().forEach(t -> h.append("<h3>").append(esc(t.engine() + ": " + t.title())).append("</h3>")
                    .append(Svg.timeline(t, colors.getOrDefault(t.engine(), PALETTE.getFirst()), y[0], y[1])));
            h.append("</section>");
        }
        latencies(h, d.latencies());
        sizes(h, d.sizes(), colors);
        return h.append("</body></html>\n").toString();
    }

    /** The goals first: what a reader of a run wants to know before the charts. */
    private static void targets(StringBuilder h, List<ReportData.Target> targets) {
        if (targets.isEmpty()) {
            return;
        }
        long met = targets.stream().filter(ReportData.Target::met).count();
        h.append("<section id=\"targets\"><h2>Targets: ").append(met).append(" of ").append(targets.size())
                .append(" met</h2><table><tr><th>figure</th><th>measured</th><th>target</th><th class=\"text\">met</th></tr>");
        for (ReportData.Target t : targets) {
            h.append("<tr class=\"target ").append(t.met() ? "met" : "missed").append("\"><td>").append(esc(t.what()))
                    .append("</td><td>").append(esc(t.measured())).append("</td><td>").append(esc(t.bound()))
                    .append("</td><td class=\"text ").append(t.met() ? "win\">yes" : "loss\">NO").append("</td></tr>");
        }
        h.append("</table></section>");
    }

    private static void workloads(StringBuilder h, List<Workload> workloads, Map<String, String> colors) {
        if (workloads.isEmpty()) {
            return;
        }
        h.append("<section id=\"workloads\"><h2>Workloads</h2><p>A bar per engine; on the right, each engine's figure"
                + " against the best of the others (above 1x: it beats them all).</p>");
        String group = null;
        for (Workload w : workloads) {
            if (!w.group().equals(group)) {
                group = w.group();
                h.append("<h2 class=\"group\">").append(esc(group)).append("</h2>");
            }
            h.append("<div class=\"workload\" data-group=\"").append(esc(w.group())).append("\" data-name=\"")
                    .append(esc(w.name())).append("\"><h3>").append(esc(w.name()))
                    .append("</h3>").append(Svg.bars(w, colors)).append("</div>");
        }
        h.append("</section>");
    }

    private static void latencies(StringBuilder h, List<LatencyRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.append("<section id=\"latencies\"><h2>Latency percentiles</h2><table><tr><th>engine</th><th class=\"text\">operation</th>"
                + "<th>count</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        for (LatencyRow r : rows) {
            h.append("<tr class=\"latency\" data-engine=\"").append(esc(r.engine())).append("\"><td>").append(esc(r.engine()))
                    .append("</td><td class=\"text\">").append(esc(r.what())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", r.count())).append("</td>");
            for (long v : new long[] {r.p50(), r.p99(), r.p999(), r.max()}) {
                h.append("<td data-nanos=\"").append(v).append("\">").append(esc(micros(v))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></section>");
    }

    private static void sizes(StringBuilder h, List<SizeRow> rows, Map<String, String> colors) {
        if (rows.isEmpty()) {
            return;
        }
        h.append("<section id=\"sizes\"><h2>Bytes per entry</h2><table><tr><th>engine</th><th class=\"text\">after</th>"
                + "<th>off-heap</th><th>heap</th><th>files</th></tr>");
        for (SizeRow r : rows) {
            h.append("<tr class=\"size\" data-engine=\"").append(esc(r.engine())).append("\"><td>").append(esc(r.engine()))
                    .append("</td><td class=\"text\">").append(esc(r.workload())).append("</td>");
            for (double v : new double[] {r.offHeap(), r.heap(), r.file()}) {
                h.append("<td data-value=\"").append(Double.isNaN(v) ? "" : Svg.number(v)).append("\">")
                        .append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v)).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
        // A chart per workload and kind of bytes that some engine has: fewer bytes is better.
        for (String workload : new LinkedHashSet<>(rows.stream().map(SizeRow::workload).toList())) {
            chart(h, rows, workload, "in files", SizeRow::file, colors);
            chart(h, rows, workload, "in memory (off-heap + heap)", r -> sum(r.offHeap(), r.heap()), colors);
        }
        h.append("</section>");
    }

    private static void chart(StringBuilder h, List<SizeRow> rows, String workload, String kind,
            ToDoubleFunction<SizeRow> f, Map<String, String> colors) {
        List<Bar> bars = new ArrayList<>();
        for (SizeRow r : rows) {
            double v = f.applyAsDouble(r);
            if (r.workload().equals(workload) && !Double.isNaN(v)) {
                bars.add(new Bar(r.engine(), v));
            }
        }
        if (!bars.isEmpty()) {
            String name = "bytes per entry " + kind + " after " + workload;
            h.append("<h3>").append(esc(name)).append("</h3>")
                    .append(Svg.bars(new Workload("sizes", name, "B/entry", false, bars), colors));
        }
    }

    /** NaN only when both are. */
    private static double sum(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : a + b;
    }

    /** A latency in microseconds, or milliseconds from 10 ms on (as the tool's tables print them). */
    public static String micros(long nanos) {
        return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    /** A color per engine, the same in every chart of the report. */
    private static Map<String, String> colors(ReportData d) {
        Set<String> engines = new LinkedHashSet<>();
        d.workloads().forEach(w -> w.bars().forEach(b -> engines.add(b.engine())));
        d.timelines().forEach(t -> engines.add(t.engine()));
        d.sizes().forEach(s -> engines.add(s.engine()));
        Map<String, String> colors = new LinkedHashMap<>();
        for (String e : engines) {
            colors.put(e, PALETTE.get(colors.size() % PALETTE.size()));
        }
        return colors;
    }
}
