package org.skipstore.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The settings rows of a report of saved JMH results ({@link JmhResults}) beyond its files: what a
 * JSON result says of the JVM and of the run's shape, and a command that runs the benchmarks again.
 */
final class JmhSettings {

    private JmhSettings() {
    }

    /**
     * Adds, each key after {@code prefix}, the rows that a JSON result names: "JDK", "JMH", "JVM
     * arguments", "forks", "warm-up" and "measurement" ({@code 3 x 1 s}); a row whose fields are absent is left out.
     */
    static void addJsonSettings(Map<String, String> settings, String prefix, Map<?, ?> result) {
        String vm = String.join(" ", present(text(result.get("vmName")), text(result.get("vmVersion"))));
        String jdk = text(result.get("jdkVersion"));
        put(settings, prefix + "JDK", jdk.isEmpty() ? vm : vm.isEmpty() ? jdk : jdk + " (" + vm + ")");
        put(settings, prefix + "JMH", text(result.get("jmhVersion")));
        if (result.get("jvmArgs") instanceof List<?> args) {
            put(settings, prefix + "JVM arguments",
                    args.isEmpty() ? "none" : args.stream().map(JmhSettings::text).collect(Collectors.joining(" ")));
        }
        put(settings, prefix + "forks", text(result.get("forks")));
        put(settings, prefix + "warm-up", iterations(result.get("warmupIterations"), result.get("warmupTime")));
        put(settings, prefix + "measurement", iterations(result.get("measurementIterations"), result.get("measurementTime")));
    }

    /** {@code 5 x 1 s}, or the count alone; "" without a count. */
    private static String iterations(Object count, Object time) {
        String n = text(count);
        String t = text(time);
        return n.isEmpty() ? "" : t.isEmpty() ? n : n + " x " + t;
    }

    private static void put(Map<String, String> settings, String key, String value) {
        if (!value.isEmpty()) {
            settings.put(key, value);
        }
    }

    private static List<String> present(String... values) {
        return Arrays.stream(values).filter(v -> !v.isEmpty()).toList();
    }

    /** A JSON string, or a number as JMH meant it (a count: 2, not 2.0); "" for null. */
    private static String text(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return value == null ? "" : value.toString();
    }

    /**
     * {@code bash bench/bench.sh jmh '<regex>' -f F -wi W -i I [-t T] -p name=v1,v2 ... -p engine=a,b}: a regex
     * that matches the benchmark methods read (by their simple class name), the forks and iterations of
     * {@code firstJson} (none when null: csv files do not say), the one thread count where it is not 1, and
     * every parameter's values in the order they first appear, the engine's last. Empty when it cannot be
     * written: a benchmark without a class, or a value with a comma (which {@code -p} splits on).
     */
    static Optional<String> rerunCommand(List<JmhResults.Row> rows, Map<?, ?> firstJson) {
        Map<String, Set<String>> methods = new LinkedHashMap<>(); // per simple class name
        Map<String, Set<String>> params = new TreeMap<>();
        Set<String> engines = new LinkedHashSet<>();
        Set<Integer> threads = new LinkedHashSet<>();
        for (JmhResults.Row row : rows) {
            String method = JmhResults.method(row.benchmark());
            String className = JmhResults.simpleClassName(method);
            if (className.isEmpty()) {
                return Optional.empty();
            }
            methods.computeIfAbsent(className, c -> new LinkedHashSet<>()).add(method.substring(method.lastIndexOf('.') + 1));
            for (Map.Entry<String, String> p : row.params().entrySet()) {
                if (p.getValue().contains(",")) {
                    return Optional.empty();
                }
                (p.getKey().equals("engine") ? engines : params.computeIfAbsent(p.getKey(), k -> new LinkedHashSet<>()))
                        .add(p.getValue());
            }
            threads.add(row.threads());
        }
        String regex = methods.entrySet().stream().map(e -> regexQuote(e.getKey()) + "\\."
                        + (e.getValue().size() == 1 ? regexQuote(e.getValue().iterator().next())
                        : e.getValue().stream().map(JmhSettings::regexQuote).collect(Collectors.joining("|", "(", ")"))) + "$")
                .collect(Collectors.joining("|"));
        List<String> words = new ArrayList<>(List.of("bash", "bench/bench.sh", "jmh", shellQuote(regex, true)));
        if (firstJson != null) {
            flag(words, "-f", firstJson.get("forks"));
            flag(words, "-wi", firstJson.get("warmupIterations"));
            flag(words, "-i", firstJson.get("measurementIterations"));
        }
        if (threads.size() == 1 && !threads.contains(1)) {
            words.addAll(List.of("-t", threads.iterator().next().toString()));
        }
        params.forEach((name, values) -> words.addAll(List.of("-p", shellQuote(name + "=" + String.join(",", values), false))));
        if (!engines.isEmpty()) { // the engine last
            words.addAll(List.of("-p", shellQuote("engine=" + String.join(",", engines), false)));
        }
        return Optional.of(String.join(" ", words) + " # (approximately: JMH records no regex)");
    }

    private static void flag(List<String> words, String flag, Object value) {
        String text = text(value);
        if (!text.isEmpty()) {
            words.addAll(List.of(flag, shellQuote(text, false)));
        }
    }

    /** A name with the regex's special characters escaped (a Java name may hold {@code $}). */
    private static String regexQuote(String name) {
        return name.replaceAll("([\\\\.\\[\\]{}()*+?^$|-])", "\\\\$1");
    }

    /** {@code word} as one shell word: in single quotes when {@code always} or when it holds anything but plain characters. */
    private static String shellQuote(String word, boolean always) {
        return !always && word.matches("[A-Za-z0-9_.,=:/+@%-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
