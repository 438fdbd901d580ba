package org.skipstore.bench.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.skipstore.bench.CommandLine;

/** The Kafka benchmark's command line; {@link #HELP} says what each option means. */
record KafkaOptions(long num, int keys, List<Integer> commitEvery, double perRecordSeconds, int batch,
                    List<String> engines, String heap, long seed, Path dir) {

    static final List<Integer> DEFAULT_COMMIT_EVERY = List.of(1, 10_000);

    private static final List<String> NAMES = List.of("num", "keys", "commit-every", "per-record-seconds", "batch",
            "engine", "heap", "seed", "dir");

    /** The options of {@code args}, or null for {@code --help}; throws IllegalArgumentException for bad ones. */
    static KafkaOptions parse(String[] args) {
        Map<String, String> m = CommandLine.options(args, NAMES, Map.of(), Map.of());
        if (m == null) {
            return null;
        }
        List<String> engines = List.of(m.getOrDefault("engine", String.join(",", Aggregation.ENGINES)).split(","));
        for (String e : engines) {
            if (!Aggregation.ENGINES.contains(e)) {
                throw new IllegalArgumentException("unknown engine '" + e + "' (known: "
                        + String.join(",", Aggregation.ENGINES) + ")");
            }
        }
        if (engines.stream().distinct().count() != engines.size()) {
            throw new IllegalArgumentException("an engine is named twice in --engine " + String.join(",", engines));
        }
        String heap = m.getOrDefault("heap", "1g");
        if (!heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--heap takes a size as -Xmx does (512m, 1g): " + heap);
        }
        double seconds;
        try {
            seconds = Double.parseDouble(m.getOrDefault("per-record-seconds", "30"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--per-record-seconds takes a number: " + m.get("per-record-seconds"));
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("--per-record-seconds must be at least 0");
        }
        return new KafkaOptions(number(m, "num", 1_000_000, 1), (int) number(m, "keys", 100_000, 1),
                counts(m.get("commit-every")), seconds, (int) number(m, "batch", 1000, 1), engines, heap,
                number(m, "seed", 42, Long.MIN_VALUE), m.containsKey("dir") ? Path.of(m.get("dir")) : null);
    }

    private static long number(Map<String, String> m, String name, long dflt, long min) {
        String v = m.get(name);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a number: " + v);
        }
        if (n < min || (!name.equals("num") && !name.equals("seed") && n > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("--" + name + " is out of range: " + n);
        }
        return n;
    }

    /** The commit intervals, ascending, each at least 1. */
    private static List<Integer> counts(String v) {
        if (v == null) {
            return DEFAULT_COMMIT_EVERY;
        }
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            int n;
            try {
                n = Integer.parseInt(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--commit-every takes numbers: " + v);
            }
            if (n < 1) {
                throw new IllegalArgumentException("--commit-every takes numbers of at least 1: " + v);
            }
            out.add(n);
        }
        return out.stream().distinct().sorted().toList();
    }

    /** The interval whose run writes the changelog that the restores read: the longest. */
    int changelogInterval() {
        return commitEvery.getLast();
    }

    static final String HELP = """
            Usage: bash bench/bench.sh kafka [options]
              --num N                  input records of each processing run, and so changelog records (default 1000000)
              --keys N                 customers the records' keys are drawn from (default 100000)
              --commit-every LIST      commit intervals in records, a processing run each (default 1,10000):
                                         1      the driver's own commit after every record
                                         N > 1  only every N-th of the driver's commits reaches the store
              --per-record-seconds S   a run at --commit-every 1 stops after S seconds (0: never; default 30)
              --batch N                changelog records per restore batch (default 1000)
              --engine LIST            skipstore, rocksdb or both, in this order (default skipstore,rocksdb)
              --heap SIZE              -Xms and -Xmx of each run's JVM (default 1g)
              --dir DIR                where the runs' state directories go (default: the system's temporary
                                       directory); deleted at the end
              --seed N                 seed of the input's keys and amounts (default 42)

            The topology: purchases keyed by customer, groupByKey().aggregate(sum), the totals to a topic, with the
            record cache off, through Kafka Streams' TopologyTestDriver, with Skipstore's state store or Kafka
            Streams' default (RocksDB). Each run is a JVM of its own, engine after engine:
              process  --num records in at --commit-every N: records/s. TopologyTestDriver commits its task after
                       every record and has no setting for it; N > 1 lets only every N-th commit reach the store,
                       as a commit interval of N records would (the longest run's changelog is kept).
              restore  a new store restores that changelog in batches of --batch records, through the restore
                       callback the store registers, as Kafka Streams' restore calls it, then commits: records/s.
            Memory, from /proc/self/status and the JVM's counts: "off-heap" is VmRSS minus the committed heap
            (-Xms = -Xmx, pre-touched), its peak over the run and its value at the end; "store" the peak growth,
            over the run's start, of what lies outside the heap and the JVM's non-heap pools (code, metaspace):
            the stores' memory plus the JVM's own malloc; "file" the growth of the mapped file pages in VmRSS.
            Then the goals of issue 16: skipstore at least 1x rocksdb on each rate, its "store" memory within its
            budget (memtables: memtableBytes x (1 + sealed memtables)).
            """;
}
