package org.skipstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.bench.report.ReportData.Bar;
import org.skipstore.bench.report.ReportData.LatencyRow;
import org.skipstore.bench.report.ReportData.Mark;
import org.skipstore.bench.report.ReportData.Point;
import org.skipstore.bench.report.ReportData.SizeRow;
import org.skipstore.bench.report.ReportData.Timeline;
import org.skipstore.bench.report.ReportData.Workload;

/**
 * The report drawn from a small fixed result set: every workload and engine is there with the
 * figures given (read back from the bars' data attributes and the tables' cells), the ratios are
 * to the best other engine, the timeline has its lines and bands, and the page needs nothing
 * from a network.
 */
class HtmlReportTest {

    private static final Machine MACHINE = new Machine("Test CPU <x86>", 2, 24L << 30, "JDK 25", "Linux 6.1", 0.5);

    private static ReportData data() {
        List<Workload> workloads = List.of(
                new Workload("stores", "fillrandom", "ops/s", true,
                        List.of(new Bar("skipstore", 250_000), new Bar("rocksdb", 200_000), new Bar("lmdb", 100_000.5))),
                new Workload("stores", "readseq", "ops/s", true,
                        List.of(new Bar("skipstore", 9_000_000), new Bar("lmdb", 12_000_000))),
                new Workload("StoreBenchmark", "readSeq:entry", "ns/op", false,
                        List.of(new Bar("pagestore", 35.07, 3.2), new Bar("mvstore", 56.6, Double.NaN))));
        Timeline t = new Timeline("skipstore", "put latency", List.of(new Point(0, 1000, 2_000, 9_000, 50_000),
                new Point(1.5, 1000, 2_500, 12_000, 4_000_000), new Point(3, 1000, 2_100, 8_000, 60_000)),
                List.of(new Mark("flush", 0.5, 1.0), new Mark("stall", 1.6, 0.01), new Mark("flush", 2.5, 0.4)));
        List<LatencyRow> latencies = List.of(new LatencyRow("skipstore", "commit: one put", 2000, 80_000, 150_000,
                400_000, 2_000_000), new LatencyRow("floor", "4 KiB write + fdatasync", 2000, 75_000, 140_000, 390_000,
                1_900_000));
        List<SizeRow> sizes = List.of(new SizeRow("skipstore", "fillrandom", Double.NaN, Double.NaN, 142.4),
                new SizeRow("memtable", "fillseq", 151.2, Double.NaN, Double.NaN),
                new SizeRow("cslm", "fillseq", Double.NaN, 230.5, Double.NaN));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("--num", "1000000");
        settings.put("--engine", "skipstore,rocksdb,lmdb");
        return new ReportData("Skipstore bench & co", MACHINE, "bash bench/bench.sh --num 1000000", settings, workloads,
                List.of(t), latencies, sizes, List.of(new ReportData.Target("fillrandom vs rocksdb", "1.25x", ">= 1.50x",
                false), new ReportData.Target("commit p50 / floor p50", "1.05x", "<= 1.10x", true)));
    }

    @Test
    void everyWorkloadAndEngineIsChartedWithTheFiguresGiven() {
        ReportData d = data();
        String html = HtmlReport.render(d);
        for (Workload w : d.workloads()) {
            String chart = section(html, "<div class=\"workload\" data-group=\"" + Svg.esc(w.group()) + "\" data-name=\""
                    + Svg.esc(w.name()) + "\">", "</div>");
            List<String[]> bars = bars(chart);
            assertEquals(w.bars().size(), bars.size(), w.name());
            for (int i = 0; i < bars.size(); i++) {
                Bar b = w.bars().get(i);
                assertEquals(b.engine(), bars.get(i)[0], w.name());
                assertEquals(b.value(), Double.parseDouble(bars.get(i)[1]), 0.0, w.name() + " " + b.engine());
            }
        }
        // The ratio is to the best other engine: time units lower, rates higher.
        List<String[]> fill = bars(section(html, "data-name=\"fillrandom\"", "</div>"));
        assertEquals(1.25, Double.parseDouble(fill.get(0)[2]), 1e-9); // 250 k against rocksdb's 200 k
        assertEquals(200_000 / 250_000.0, Double.parseDouble(fill.get(1)[2]), 1e-9);
        List<String[]> ns = bars(section(html, "data-name=\"readSeq:entry\"", "</div>"));
        assertEquals(56.6 / 35.07, Double.parseDouble(ns.get(0)[2]), 1e-9);
        assertTrue(html.contains("35.07 ± 3.20"), "the error margin beside the figure");
    }

    @Test
    void theTablesHoldTheLatenciesAndSizesGiven() {
        ReportData d = data();
        String html = HtmlReport.render(d);
        String table = section(html, "<section id=\"latencies\">", "</section>");
        List<String> nanos = all(table, "data-nanos=\"(\\d+)\"");
        List<String> expected = new ArrayList<>();
        for (LatencyRow r : d.latencies()) {
            for (long v : new long[] {r.p50(), r.p99(), r.p999(), r.max()}) {
                expected.add(Long.toString(v));
            }
        }
        assertEquals(expected, nanos);
        String sizes = section(html, "<section id=\"sizes\">", "</section>");
        assertEquals(List.of("skipstore", "memtable", "cslm"), all(sizes, "<tr class=\"size\" data-engine=\"([^\"]+)\""));
        assertEquals(List.of("", "", "142.4", "151.2", "", "", "", "230.5", ""), all(sizes, "<td data-value=\"([^\"]*)\""));
        // a chart of file bytes after fillrandom (one engine), of memory after fillseq (two)
        assertTrue(sizes.contains("bytes per entry in files after fillrandom"));
        assertEquals(List.of("memtable", "cslm"), all(section(sizes, "in memory (off-heap + heap) after fillseq", "</svg>"),
                "data-engine=\"([^\"]+)\""));
    }

    @Test
    void theTargetsComeFirstEachMetOrNot() {
        String html = HtmlReport.render(data());
        String targets = section(html, "<section id=\"targets\">", "</section>");
        assertTrue(html.indexOf("id=\"targets\"") < html.indexOf("id=\"workloads\""));
        assertTrue(targets.contains("Targets: 1 of 2 met"));
        assertEquals(List.of("missed", "met"), all(targets, "<tr class=\"target (\\w+)\""));
        assertTrue(targets.contains("<td>fillrandom vs rocksdb</td><td>1.25x</td><td>&gt;= 1.50x</td><td class=\"text loss\">NO</td>"));
    }

    @Test
    void theTimelineHasItsThreeLinesAndABandPerFlushAndStall() {
        String html = HtmlReport.render(data());
        String svg = section(html, "<section id=\"timelines\">", "</section>");
        assertEquals(3, all(svg, "<polyline class=\"(p50|p99|max)\"").size());
        assertEquals(List.of("flush", "stall", "flush"), all(svg, "<rect class=\"mark (\\w+)\""));
        // each line has a point per window
        for (String points : all(svg, "points=\"([^\"]*)\"")) {
            assertEquals(3, points.split(" ").length);
        }
        assertTrue(svg.contains("2 flushes (blue), 1 stalls (red)"));
    }

    @Test
    void thePageNamesTheMachineAndCommandAndNeedsNoNetwork(@TempDir Path dir) throws Exception {
        Path file = HtmlReport.write(data(), dir.resolve("out"));
        String html = Files.readString(file);
        assertEquals(dir.resolve("out").resolve(HtmlReport.FILE), file);
        assertTrue(html.contains("Test CPU &lt;x86&gt;, 2 cores, 24.0 GiB memory"), "the machine, escaped");
        assertTrue(html.contains("<pre>bash bench/bench.sh --num 1000000</pre>"));
        assertTrue(html.contains("<title>Skipstore bench &amp; co</title>"));
        assertEquals(List.of("--num", "--engine"), all(html, "<tr><td>(--[a-z-]+)</td>"));
        assertFalse(html.contains("<script"), "no script");
        String withoutNamespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(withoutNamespace.matches("(?s).*(src|href)=\"?https?:.*"), "nothing fetched");
    }

    @Test
    void figuresThatAreNoNumbersDrawNoBarAndTakeNoRatio() {
        Workload w = new Workload("g", "odd", "ops/s", true, List.of(new Bar("nan", Double.NaN),
                new Bar("inf", Double.POSITIVE_INFINITY), new Bar("c", 100), new Bar("zero", 0), new Bar("e", 50)));
        String svg = Svg.bars(w, Map.of());
        assertFalse(svg.matches("(?s).* (x|y|width)=\"[^\"]*(NaN|Infinity)\".*"), "no shape has a geometry that is no number");
        assertEquals(3, all(svg, "(<rect )").size()); // c, e, and zero's sliver
        assertEquals(List.of("", "", "2", "", "0.5"), bars(svg).stream().map(b -> b[2]).toList());
        assertTrue(svg.contains("not measured (NaN)") && svg.contains("not measured (Infinity)"));
        // an empty timeline (a fill of no puts) draws its axes and nothing else
        String t = HtmlReport.render(new ReportData("t", MACHINE, "cmd", Map.of(), List.of(), List.of(new Timeline("e",
                "none", List.of(), List.of())), List.of(), List.of(), List.of()));
        assertEquals(List.of("", "", ""), all(t, "<polyline class=\"\\w+\" stroke=\"[^\"]+\" points=\"([^\"]*)\""));
    }

    @Test
    void sectionsWithNothingToShowAreLeftOut() {
        String html = HtmlReport.render(new ReportData("empty", MACHINE, "cmd", Map.of(), List.of(), List.of(),
                List.of(), List.of(), List.of()));
        for (String id : List.of("targets", "workloads", "timelines", "latencies", "sizes")) {
            assertFalse(html.contains("id=\"" + id + "\""), id);
        }
        assertTrue(html.contains("id=\"machine\""));
    }

    /** The text from {@code start} to the first {@code end} after it. */
    private static String section(String html, String start, String end) {
        int a = html.indexOf(start);
        assertTrue(a >= 0, "missing: " + start);
        int b = html.indexOf(end, a + start.length());
        assertTrue(b >= 0, "unterminated: " + start);
        return html.substring(a, b + end.length());
    }

    /** Engine, value and ratio of each bar, in order. */
    private static List<String[]> bars(String chart) {
        List<String[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("<g class=\"bar\" data-engine=\"([^\"]+)\" data-value=\"([^\"]+)\" data-ratio=\"([^\"]*)\"")
                .matcher(chart);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        return out;
    }

    private static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
