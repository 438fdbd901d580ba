package org.skipstore.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads saved JMH results (JMH 1.37's {@code -rf csv} and {@code -rf json} files) into a
 * {@link ReportData}, so that a JMH run, or runs of one benchmark per engine saved apart, draw as
 * the same bar charts as the bench tool's own runs. A workload is a benchmark method (or one of its
 * secondary results, {@code readSeq:entry}) in one mode with one set of parameters; the parameter
 * {@code engine} picks its bar. A benchmark run at several thread counts ({@code -t}), or at one
 * other than 1, has a workload per count. {@link JmhCsv} reads the csv files, {@link Json} the json
 * ones, {@link JmhSettings} writes the settings they name. No JSON or CSV library: the bench jar
 * stays as small as JMH's.
 */
public final class JmhResults {

    /** The time units of JMH ({@code ns} to {@code day}) and of its profilers ({@code sec}): a unit per one is a rate. */
    private static final Set<String> TIME_UNITS = Set.of("ns", "us", "µs", "ms", "s", "sec", "min", "hr", "day");

    private JmhResults() {
    }

    /** One result of one benchmark: a primary result, or a secondary one named {@code benchmark:label}. */
    record Row(String benchmark, String mode, int threads, double score, double error, String unit,
               Map<String, String> params) {
        Row {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params)); // in the file's order
        }

        /** A result of one thread. */
        Row(String benchmark, String mode, double score, double error, String unit, Map<String, String> params) {
            this(benchmark, mode, 1, score, error, unit, params);
        }

        /** The benchmark method, without any secondary label. */
        String method() {
            return JmhResults.method(benchmark);
        }
    }

    /** One file's rows, and its first result when it is a JSON file with one (JMH's settings), else null. */
    private record FileResults(boolean json, List<Row> rows, Map<?, ?> firstJson) {
    }

    /** What a workload is: rows that agree on all of it are bars of one chart. */
    private record Key(String benchmark, String mode, int threads, String unit, Map<String, String> params) {
    }

    /** Reads every *.csv and *.json JMH result file in dir (or the one file when path is a file), in name order. */
    public static ReportData read(Path path, Machine machine, String command) throws IOException {
        List<Path> files = resultFiles(path);
        Map<String, String> settings = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        Map<String, Map<?, ?>> firstJson = new LinkedHashMap<>(); // per name of a file that has one
        boolean json = false;
        for (int i = 0; i < files.size(); i++) {
            settings.put(files.size() == 1 ? "file" : "file " + (i + 1), files.get(i).toString());
            FileResults results = parse(files.get(i));
            rows.addAll(results.rows());
            json |= results.json();
            if (results.firstJson() != null) {
                firstJson.put(files.get(i).getFileName().toString(), results.firstJson());
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no JMH results in " + path);
        }
        List<ReportData.Workload> workloads = workloads(rows);
        settings.put("benchmarks", Integer.toString(workloads.size()));
        firstJson.forEach((file, first) -> JmhSettings.addJsonSettings(settings, files.size() == 1 ? "" : file + ": ", first));
        settings.put("machine", (json ? "JMH's json files name the JDK, not the machine" : "not in JMH's csv files")
                + ": the line above is the machine that drew this report");
        JmhSettings.rerunCommand(rows, firstJson.values().stream().findFirst().orElse(null))
                .ifPresent(c -> settings.put("to rerun the benchmarks", c));
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

    /** One file's results; a file that is neither *.json nor *.csv is JSON when it starts as an array. */
    private static FileResults parse(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            if (named(file, ".json") || (!named(file, ".csv") && text.strip().startsWith("["))) {
                List<?> results = jsonResults(text);
                return new FileResults(true, jsonRows(results), results.isEmpty() ? null : (Map<?, ?>) results.getFirst());
            }
            return new FileResults(false, JmhCsv.parse(text), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static boolean named(Path file, String extension) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension);
    }

    /** The rows of a {@code -rf json} file: an array of benchmarks, each a primary and any secondary metrics. */
    static List<Row> parseJson(String text) {
        return jsonRows(jsonResults(text));
    }

    /** The array of benchmark results that is the whole of a {@code -rf json} file. */
    private static List<?> jsonResults(String text) {
        if (!(Json.parse(text) instanceof List<?> benchmarks)) {
            throw new IllegalArgumentException("offset 0: not a JSON array (of JMH benchmark results)");
        }
        return benchmarks;
    }

    /** The rows of the benchmark results, each a map. */
    private static List<Row> jsonRows(List<?> benchmarks) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < benchmarks.size(); i++) {
            String where = "benchmark result #" + (i + 1);
            Map<?, ?> result = as(Map.class, benchmarks.get(i), where);
            String name = as(String.class, result.get("benchmark"), where + ": \"benchmark\"");
            String mode = as(String.class, result.get("mode"), where + ": \"mode\"");
            int threads = jsonThreads(result.get("threads"), where + ": \"threads\"");
            Map<String, String> params = new LinkedHashMap<>(); // absent where the benchmark has none
            as(Map.class, Objects.requireNonNullElse(result.get("params"), Map.of()), where + ": \"params\"")
                    .forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            rows.add(metric(name, mode, threads, params, result.get("primaryMetric"), where + ": \"primaryMetric\""));
            as(Map.class, Objects.requireNonNullElse(result.get("secondaryMetrics"), Map.of()), where + ": \"secondaryMetrics\"")
                    .forEach((label, metric) -> rows.add(metric(name + ":" + label, mode, threads, params, metric,
                            where + ": secondary metric \"" + label + "\"")));
        }
        return rows;
    }

    /** A result's thread count: a positive whole number, 1 where it is missing. */
    private static int jsonThreads(Object value, String where) {
        if (value == null) {
            return 1;
        }
        if (value instanceof Double d && d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d)) {
            return d.intValue();
        }
        throw new IllegalArgumentException(where + " is not a thread count: " + value);
    }

    /** A row from a metric's object: its score, score error and unit. */
    private static Row metric(String benchmark, String mode, int threads, Map<String, String> params, Object json,
                              String where) {
        Map<?, ?> metric = as(Map.class, json, where);
        double error = metric.get("scoreError") == null ? Double.NaN : score(metric.get("scoreError"), where + ".scoreError");
        return new Row(benchmark, mode, threads, score(metric.get("score"), where + ".score"), error,
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

    /**
     * The rows as workloads, in the order each first appears; a bar per engine, in the order each first appears.
     * A benchmark method run at more than one thread count, or at one other than 1, names its count.
     */
    static List<ReportData.Workload> workloads(List<Row> rows) {
        Map<String, Set<Integer>> threads = new HashMap<>(); // per method
        rows.forEach(r -> threads.computeIfAbsent(r.method(), m -> new HashSet<>()).add(r.threads()));
        Map<Key, Map<String, ReportData.Bar>> bars = new LinkedHashMap<>();
        for (Row row : rows) {
            Map<String, String> others = new TreeMap<>(row.params());
            String engine = others.remove("engine");
            engine = engine == null || engine.isEmpty() ? "score" : engine; // a benchmark of one thing: one bar
            // a later file's figure for the same engine replaces the earlier one (one run saved as csv and json)
            bars.computeIfAbsent(new Key(row.benchmark(), row.mode(), row.threads(), row.unit(), others),
                    k -> new LinkedHashMap<>()).put(engine, new ReportData.Bar(engine, row.score(), row.error()));
        }
        return bars.entrySet().stream().map(e -> workload(e.getKey(),
                !threads.get(method(e.getKey().benchmark())).equals(Set.of(1)), e.getValue().values())).toList();
    }

    /**
     * Group: the benchmark's class; name: its method, any secondary label, the thread count where
     * {@code showThreads}, and the parameters other than the engine.
     */
    private static ReportData.Workload workload(Key key, boolean showThreads, Collection<ReportData.Bar> bars) {
        String method = method(key.benchmark());
        String label = key.benchmark().substring(method.length()); // ":label", or ""
        int dot = method.lastIndexOf('.');
        List<String> params = new ArrayList<>();
        if (showThreads) {
            params.add("threads=" + key.threads());
        }
        key.params().forEach((k, v) -> params.add(k + "=" + v));
        return new ReportData.Workload(simpleClassName(method), method.substring(dot + 1) + label
                + (params.isEmpty() ? "" : " (" + String.join(", ", params) + ")"), key.unit(),
                higherIsBetter(label.isEmpty() ? "" : label.substring(1), key.unit()), List.copyOf(bars));
    }

    /** A benchmark's method, without any secondary label ({@code :label}). */
    static String method(String benchmark) {
        int colon = benchmark.indexOf(':'); // a secondary label may hold dots (gc.alloc.rate)
        return colon < 0 ? benchmark : benchmark.substring(0, colon);
    }

    /** The class of a method's full name, without its package; "" where the name has no class. */
    static String simpleClassName(String method) {
        String className = method.substring(0, Math.max(method.lastIndexOf('.'), 0));
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /**
     * Whether more is better for a result with this secondary label ("" for a primary result) and unit:
     * false for what {@code -prof gc} measures ({@code ·gc.alloc.rate} in MB/sec too: less allocation
     * is better), else true for a rate (ops/s, ops/ms, MB/sec) and false for a time (ns/op) or an amount (B/op).
     */
    static boolean higherIsBetter(String label, String unit) {
        if (label.startsWith("·gc.") || label.startsWith("gc.")) {
            return false;
        }
        int slash = unit.lastIndexOf('/');
        return slash >= 0 && TIME_UNITS.contains(unit.substring(slash + 1));
    }
}
