package org.skipstore.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reads saved JMH results (JMH 1.37's {@code -rf csv} and {@code -rf json} files) into a
 * {@link ReportData}, so that a JMH run, or runs of one benchmark per engine saved apart, draw as
 * the same bar charts as the bench tool's own runs. A workload is a benchmark method (or one of its
 * secondary results, {@code readSeq:entry}) in one mode with one set of parameters; the parameter
 * {@code engine} picks its bar. No JSON or CSV library: the bench jar stays as small as JMH's.
 */
public final class JmhResults {

    /** The time units of JMH ({@code ns} to {@code day}) and of its profilers ({@code sec}): a unit per one is a rate. */
    private static final Set<String> TIME_UNITS = Set.of("ns", "us", "µs", "ms", "s", "sec", "min", "hr", "day");

    private JmhResults() {
    }

    /** One result of one benchmark: a primary result, or a secondary one named {@code benchmark:label}. */
    record Row(String benchmark, String mode, double score, double error, String unit, Map<String, String> params) {
        Row {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params)); // in the file's order
        }
    }

    /** What a workload is: rows that agree on all of it are bars of one chart. */
    private record Key(String benchmark, String mode, String unit, Map<String, String> params) {
    }

    /** Reads every *.csv and *.json JMH result file in dir (or the one file when path is a file), in name order. */
    public static ReportData read(Path path, Machine machine, String command) throws IOException {
        List<Path> files = resultFiles(path);
        Map<String, String> settings = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            settings.put(files.size() == 1 ? "file" : "file " + (i + 1), files.get(i).toString());
            rows.addAll(parse(files.get(i)));
        }
        List<ReportData.Workload> workloads = workloads(rows);
        settings.put("benchmarks", Integer.toString(workloads.size()));
        settings.put("machine", "not in JMH's result files: the line above is the machine that drew this report");
        String title = "JMH results: " + files.stream().map(f -> f.getFileName().toString()).collect(Collectors.joining(", "));
        return new ReportData(title, machine, command, settings, workloads, List.of(), List.of(), List.of(),
                List.of());
    }

    /** The result files in {@code path}, by name, or {@code path} itself when it is a file. */
    private static List<Path> resultFiles(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(path)) {
            files = list.filter(f -> Files.isRegularFile(f) && (named(f, ".json") || named(f, ".csv")))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no JMH result file (*.csv or *.json) in " + path);
        }
        return files;
    }

    /** One file's rows; a file that is neither *.json nor *.csv is JSON when it starts as an array. */
    private static List<Row> parse(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            boolean json = named(file, ".json") || (!named(file, ".csv") && text.strip().startsWith("["));
            return json ? parseJson(text) : parseCsv(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static boolean named(Path file, String extension) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension);
    }

    /** The rows of a {@code -rf csv} file: a header, then a line per primary and per secondary result. */
    static List<Row> parseCsv(String text) {
        List<CsvLine> lines = csvLines(text);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("line 1: no header (an empty file)");
        }
        List<String> header = lines.getFirst().fields();
        int benchmark = column(header, "Benchmark");
        int mode = column(header, "Mode");
        int score = column(header, "Score");
        int error = column(header, "Score Error"); // "(99.9%)" follows, in the writer's locale
        int unit = column(header, "Unit");
        List<Row> rows = new ArrayList<>();
        for (CsvLine line : lines.subList(1, lines.size())) {
            List<String> f = line.fields();
            if (f.size() != header.size()) {
                throw new IllegalArgumentException("line " + line.number() + ": " + f.size() + " fields, the header has "
                        + header.size());
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                // a benchmark without the parameter leaves its column empty
                if (header.get(i).startsWith("Param: ") && !f.get(i).isEmpty()) {
                    params.put(header.get(i).substring("Param: ".length()), f.get(i));
                }
            }
            rows.add(new Row(f.get(benchmark), f.get(mode), csvNumber(f.get(score), line), csvNumber(f.get(error), line),
                    f.get(unit), params));
        }
        return rows;
    }

    /** The index of the header's column {@code name}, or {@code name (...)}. */
    private static int column(List<String> header, String name) {
        return IntStream.range(0, header.size())
                .filter(i -> header.get(i).equals(name) || header.get(i).startsWith(name + " (")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("line 1: no column \"" + name + "\" (not a JMH CSV result?)"));
    }

    /** A CSV record: its fields and the line it starts on (from 1). */
    private record CsvLine(int number, List<String> fields) {
    }

    /** RFC 4180, as JMH writes it: a quoted field may hold commas, line breaks and doubled quotes. */
    private static List<CsvLine> csvLines(String text) {
        List<CsvLine> lines = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int start = 1;
        boolean quoted = false; // inside a quoted field
        boolean closed = false; // just after a quoted field's closing quote
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                    line += c == '\n' ? 1 : 0;
                } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                    closed = true;
                }
            } else if (c == ',' || c == '\n' || c == '\r') {
                fields.add(field.toString());
                field.setLength(0);
                closed = false;
                if (c != ',') {
                    i += c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 1 : 0;
                    addRecord(lines, fields, start);
                    start = ++line;
                }
            } else if (closed || (c == '"' && !field.isEmpty())) {
                throw new IllegalArgumentException("line " + line + ": a quote inside a field, or text after its closing quote");
            } else if (c == '"') {
                quoted = true;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("line " + start + ": a quoted field is not closed");
        }
        fields.add(field.toString());
        addRecord(lines, fields, start);
        return lines;
    }

    /** Adds the fields as a record, unless they are a blank line, and empties them. */
    private static void addRecord(List<CsvLine> lines, List<String> fields, int start) {
        if (fields.size() > 1 || !fields.getFirst().isEmpty()) {
            lines.add(new CsvLine(start, List.copyOf(fields)));
        }
        fields.clear();
    }

    /** A score. JMH writes it with %f in its default locale: a decimal comma is a point (%f never groups thousands). */
    private static double csvNumber(String field, CsvLine line) {
        try {
            return Double.parseDouble(field.indexOf('.') < 0 ? field.replace(',', '.') : field);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line.number() + ": \"" + field + "\" is not a number");
        }
    }

    /** The rows of a {@code -rf json} file: an array of benchmarks, each a primary and any secondary metrics. */
    static List<Row> parseJson(String text) {
        if (!(Json.parse(text) instanceof List<?> benchmarks)) {
            throw new IllegalArgumentException("offset 0: not a JSON array (of JMH benchmark results)");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < benchmarks.size(); i++) {
            String where = "benchmark result #" + (i + 1);
            Map<?, ?> result = as(Map.class, benchmarks.get(i), where);
            String name = as(String.class, result.get("benchmark"), where + ": \"benchmark\"");
            String mode = as(String.class, result.get("mode"), where + ": \"mode\"");
            Map<String, String> params = new LinkedHashMap<>(); // absent where the benchmark has none
            as(Map.class, Objects.requireNonNullElse(result.get("params"), Map.of()), where + ": \"params\"")
                    .forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            rows.add(metric(name, mode, params, result.get("primaryMetric"), where + ": \"primaryMetric\""));
            as(Map.class, Objects.requireNonNullElse(result.get("secondaryMetrics"), Map.of()), where + ": \"secondaryMetrics\"")
                    .forEach((label, metric) -> rows.add(metric(name + ":" + label, mode, params, metric,
                            where + ": secondary metric \"" + label + "\"")));
        }
        return rows;
    }

    /** A row from a metric's object: its score, score error and unit. */
    private static Row metric(String benchmark, String mode, Map<String, String> params, Object json, String where) {
        Map<?, ?> metric = as(Map.class, json, where);
        double error = metric.get("scoreError") == null ? Double.NaN : score(metric.get("scoreError"), where + ".scoreError");
        return new Row(benchmark, mode, score(metric.get("score"), where + ".score"), error,
                as(String.class, metric.get("scoreUnit"), where + ".scoreUnit"), params);
    }

    /** A JSON score: a number, or one of the strings JMH writes for what JSON has no number for. */
    private static double score(Object value, String where) {
        if (value instanceof Double d) {
            return d;
        }
        return switch (value instanceof String s ? s : "") {
            case "NaN" -> Double.NaN;
            case "+INF", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-INF", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException(where + " is not a number: " + value);
        };
    }

    /** {@code value} as a {@code type} (a Map: a JSON object; a String), or an error saying where it is not. */
    private static <T> T as(Class<T> type, Object value, String where) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        String what = type == Map.class ? "object" : "string";
        throw new IllegalArgumentException(where + (value == null ? " is missing" : " is not a JSON " + what));
    }

    /** The rows as workloads, in the order each first appears; a bar per engine, in the order each first appears. */
    static List<ReportData.Workload> workloads(List<Row> rows) {
        Map<Key, Map<String, ReportData.Bar>> bars = new LinkedHashMap<>();
        for (Row row : rows) {
            Map<String, String> others = new TreeMap<>(row.params());
            String engine = others.remove("engine");
            engine = engine == null || engine.isEmpty() ? "score" : engine; // a benchmark of one thing: one bar
            // a later file's figure for the same engine replaces the earlier one (one run saved as csv and json)
            bars.computeIfAbsent(new Key(row.benchmark(), row.mode(), row.unit(), others), k -> new LinkedHashMap<>())
                    .put(engine, new ReportData.Bar(engine, row.score(), row.error()));
        }
        return bars.entrySet().stream().map(e -> workload(e.getKey(), e.getValue().values())).toList();
    }

    /** Group: the benchmark's class; name: its method, any secondary label, and the parameters other than the engine. */
    private static ReportData.Workload workload(Key key, Collection<ReportData.Bar> bars) {
        int colon = key.benchmark().indexOf(':'); // a secondary label may hold dots (gc.alloc.rate)
        String method = colon < 0 ? key.benchmark() : key.benchmark().substring(0, colon);
        String label = colon < 0 ? "" : key.benchmark().substring(colon);
        int dot = method.lastIndexOf('.');
        String className = dot < 0 ? "" : method.substring(0, dot);
        String params = key.params().isEmpty() ? "" : key.params().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", " (", ")"));
        return new ReportData.Workload(className.substring(className.lastIndexOf('.') + 1),
                method.substring(dot + 1) + label + params, key.unit(), higherIsBetter(key.unit()), List.copyOf(bars));
    }

    /** True for a rate (ops/s, ops/ms, MB/sec): more is better; false for a time (ns/op) or an amount (B/op). */
    static boolean higherIsBetter(String unit) {
        int slash = unit.lastIndexOf('/');
        return slash >= 0 && TIME_UNITS.contains(unit.substring(slash + 1));
    }
}
