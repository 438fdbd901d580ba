package org.skipstore.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.skipstore.bench.report.ReportData.Bar;
import org.skipstore.bench.report.ReportData.Mark;
import org.skipstore.bench.report.ReportData.Point;
import org.skipstore.bench.report.ReportData.Timeline;
import org.skipstore.bench.report.ReportData.Workload;

/**
 * The report's two kinds of chart, written as SVG text: a bar per engine ({@link #bars}) and
 * latency over time ({@link #timeline}). Written by hand rather than with a charting library:
 * two chart kinds are about as much code as a library's setup, the report stays one file that
 * opens offline, and the benchmark jar gains nothing. Every bar carries its engine and exact
 * figure as {@code data-} attributes, which the report's test reads back.
 */
final class Svg {

    static final int WIDTH = 760;
    private static final int LABEL = 120;
    private static final int RATIO = 150;
    private static final int ROW = 24;

    private Svg() {
    }

    /**
     * A bar per engine, as long as its figure (a time or a rate: read the unit), its figure at its
     * end and its ratio to the best other engine on the right (above 1: better than every other).
     */
    static String bars(Workload w, Map<String, String> colors) {
        double max = w.bars().stream().mapToDouble(Bar::value).filter(Double::isFinite).max().orElse(1);
        int plot = WIDTH - LABEL - RATIO;
        int height = ROW * w.bars().size() + 22;
        StringBuilder s = open(height, w.name() + ": " + w.unit());
        for (int i = 0; i < w.bars().size(); i++) {
            Bar b = w.bars().get(i);
            int y = i * ROW + 4;
            boolean finite = Double.isFinite(b.value());
            double len = max <= 0 || !finite ? 0 : plot * 0.78 * b.value() / max; // room for the figure after the longest
            double ratio = w.ratioToBestPeer(b);
            s.append(String.format(Locale.ROOT, "<g class=\"bar\" data-engine=\"%s\" data-value=\"%s\" data-ratio=\"%s\">",
                    esc(b.engine()), number(b.value()), Double.isNaN(ratio) ? "" : number(ratio)));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", LABEL - 8, y + 15,
                    esc(b.engine())));
            if (finite) { // NaN or infinite (a JMH score it could not measure): no bar, the figure in words
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        LABEL, y, Math.max(len, 1), ROW - 6, colors.getOrDefault(b.engine(), "#888")));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s%s</text>", LABEL + len + 6, y + 15,
                    esc(finite ? figure(b.value()) : "not measured (" + b.value() + ")"),
                    Double.isFinite(b.error()) ? " ± " + esc(figure(b.error())) : ""));
            if (!Double.isNaN(ratio)) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"%s\">%.2fx the best peer</text>",
                        WIDTH - RATIO + 8, y + 15, ratio >= 1 ? "win" : "loss", ratio));
            }
            s.append("</g>");
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\">%s, %s</text>", LABEL, height - 4,
                esc(w.unit()), w.higherIsBetter() ? "higher is better" : "lower is better"));
        return s.append("</svg>").toString();
    }

    /** The decades (powers of ten, in ns) a latency axis spans to show every point of {@code ts}: one axis for all. */
    static double[] decades(List<Timeline> ts) {
        long lo = ts.stream().flatMap(t -> t.points().stream()).mapToLong(Point::p50).filter(v -> v > 0).min()
                .orElse(1_000);
        long hi = ts.stream().flatMap(t -> t.points().stream()).mapToLong(Point::max).max().orElse(1_000_000);
        double yMin = Math.floor(Math.log10(Math.max(lo, 1)));
        return new double[] {yMin, Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(hi, 1))))};
    }

    /**
     * p50, p99 and max latency of each window over time on a logarithmic axis from 10^yMin to
     * 10^yMax ns (a put takes microseconds, a stall milliseconds), with flushes and stalls as
     * bands behind the lines.
     */
    static String timeline(Timeline t, String color, double yMin, double yMax) {
        int left = 64;
        int right = 16;
        int top = 24;
        int plotH = 240;
        int height = top + plotH + 40;
        double end = t.points().isEmpty() ? 1 : t.points().getLast().seconds();
        for (Mark m : t.marks()) {
            end = Math.max(end, m.startSeconds() + m.seconds());
        }
        double span = end <= 0 ? 1 : end;
        int plotW = WIDTH - left - right;
        Scale x = v -> left + plotW * v / span;
        Scale y = v -> top + plotH * (1 - (Math.log10(Math.max(v, 1)) - yMin) / (yMax - yMin));
        StringBuilder s = open(height, t.engine() + ": " + t.title());
        for (Mark m : t.marks()) {
            s.append(String.format(Locale.ROOT, "<rect class=\"mark %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
                    esc(m.kind()), x.at(m.startSeconds()), top, Math.max(1, x.at(m.startSeconds() + m.seconds())
                            - x.at(m.startSeconds())), plotH));
        }
        for (double d = yMin; d <= yMax; d++) { // a line per decade: 1 us, 10 us, ...
            double v = Math.pow(10, d);
            s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s</text>", left, WIDTH - right,
                    y.at(v), y.at(v), left - 6, y.at(v) + 4, esc(duration(v))));
        }
        double step = niceStep(span / 8);
        int decimals = (int) Math.max(0, -Math.floor(Math.log10(step))); // 0.1 s steps: one decimal, not 0.30000000000000004
        for (int k = 0; k * step <= span + 1e-9; k++) { // k times the step: no sum of steps to drift
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%."
                    + decimals + "f s</text>", x.at(k * step), top + plotH + 16, k * step));
        }
        line(s, t.points(), Point::max, x, y, color, "max");
        line(s, t.points(), Point::p99, x, y, color, "p99");
        line(s, t.points(), Point::p50, x, y, color, "p50");
        long flushes = t.marks().stream().filter(m -> m.kind().equals("flush")).count();
        long stalls = t.marks().size() - flushes;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\">latency of each window of puts"
                + " (log scale): p50 bold, p99 dashed, max faint; bands: %d flushes (blue), %d stalls (red)</text>",
                left, height - 6, flushes, stalls));
        return s.append("</svg>").toString();
    }

    private interface Scale {
        double at(double v);
    }

    private static void line(StringBuilder s, List<Point> points, ToLongFunction<Point> f, Scale x, Scale y,
            String color, String kind) {
        StringBuilder p = new StringBuilder();
        for (Point pt : points) {
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.at(pt.seconds()), y.at(f.applyAsLong(pt))));
        }
        s.append(String.format(Locale.ROOT, "<polyline class=\"%s\" stroke=\"%s\" points=\"%s\"/>", kind, color,
                p.toString().trim()));
    }

    private static StringBuilder open(int height, String title) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>%s</title>", WIDTH, height, WIDTH, height,
                esc(title)));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}: axis steps people read at a glance. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** A figure as people read it: thousands separated, one decimal below 100, none above. */
    static String figure(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A number exactly enough for a data attribute: the shortest text that reads back as the same double. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Nanoseconds as "800 ns", "12 us", "3 ms", "1.2 s". */
    static String duration(double nanos) {
        if (nanos < 1_000) {
            return String.format(Locale.ROOT, "%.0f ns", nanos);
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** Text and attribute values escaped for XML (and so for HTML). */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
