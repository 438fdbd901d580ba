package org.skipstore.bench.tool;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.skipstore.bench.report.ReportData;

/**
 * The bench tool's {@code writers} phase: how the in-memory engines' put throughput scales with
 * the number of writer threads, in particular past the core count (issue 13: the memtable's
 * writers spun behind a preempted writer, and 8 writers on 2 cores made under a tenth of the puts/s
 * of {@code ConcurrentSkipListMap}).
 *
 * <p>For each writer count of {@code --writers}, each engine gets a fresh, empty structure that
 * all writers share, and {@code --writers-num} puts of distinct keys in random order (db_bench's
 * keys, {@link Run#key}) with {@code --value-size}-byte values, split into contiguous
 * parts, one per writer. The time runs from a start gate that every writer waits at to the end of
 * the last writer ({@link Workers}), so thread start and a straggler's tail are both counted, as
 * a caller waiting for all its writers would see them. The total work is the same at every writer
 * count, so perfect scaling is flat puts/s past the cores, not a fall.
 *
 * <p>The keys are built before any timing and are the same for every engine and writer count. The
 * memtable runs twice: through its {@code byte[]} API ({@code memtable}) and through its
 * {@code MemorySegment} API on native copies of the same keys ({@code memtable-seg}). The map
 * copies keys and values on put ({@link KvEngine.Cslm}), as the memtable copies them into its
 * arena.
 *
 * <p>Runs are interleaved (repetition by repetition, writer count by writer count, engine by
 * engine), so that a slow minute of the machine does not fall on one engine only, and each
 * figure is the median of {@code --repeat} runs; every run's own figure is printed beside it.
 * A {@code System.gc()} before each run keeps the previous run's garbage (a map's nodes) out of
 * it. An untimed round at the writer counts up to the core count comes first, as the warm-up.
 */
final class WriterScaling {

    /** One row kind of the table: an in-memory engine, written through one of its APIs. */
    private record Subject(String label, String engine, boolean segments) {
    }

    private final Options o;
    private final List<Subject> subjects = new ArrayList<>();
    /** The subject the "vs" column divides by: the last in-memory engine of {@code --engine}, if two or more. */
    private final Subject peer;
    /** The writer count the "own" column divides by: the largest one up to the core count. */
    private final int reference;
    private final byte[][] keys;
    private final byte[] value;
    /** Nanoseconds of each run: [subject][writer count][repetition]. */
    private final long[][][] nanos;

    WriterScaling(Options o) {
        this.o = o;
        List<String> engines = o.engines().stream().filter(e -> !KvEngine.isStore(e)).toList();
        for (String e : engines) {
            subjects.add(new Subject(e, e, false));
            if (e.equals("memtable")) {
                subjects.add(new Subject("memtable-seg", e, true));
            }
        }
        String last = engines.getLast();
        this.peer = engines.size() < 2 ? null : subjects.stream().filter(s -> s.label.equals(last)).findFirst().orElseThrow();
        this.reference = reference(o.writers());
        int[] order = Run.permutation(o.writersNum(), o.seed());
        keys = new byte[order.length][];
        for (int i = 0; i < order.length; i++) {
            keys[i] = new byte[o.keySize()];
            Run.key(keys[i], order[i]);
        }
        value = new byte[o.valueSize()];
        nanos = new long[subjects.size()][o.writers().size()][o.repeat()];
    }

    /** The writer count of the "own" column: the largest up to the core count, else the smallest. */
    static int reference(List<Integer> writers) {
        return writers.stream().filter(w -> w <= Options.CORES).max(Integer::compare)
                .orElseGet(() -> writers.stream().min(Integer::compare).orElseThrow());
    }

    /** Warms up, then measures every subject at every writer count {@code --repeat} times. */
    void run() {
        // Shared: the writers, not the thread that made them, read the segments.
        try (Arena arena = Arena.ofShared()) {
            Segments segments = Segments.of(arena, keys, value);
            // Warm-up: a full round at the writer counts up to the cores, which cannot collapse and
            // take long (after one 50 k run each, the first timed round was still up to 2x slower).
            for (int writers : warmUpCounts()) {
                for (Subject s : subjects) {
                    once(s, writers, keys.length, segments);
                }
            }
            for (int rep = 0; rep < o.repeat(); rep++) {
                for (int w = 0; w < o.writers().size(); w++) {
                    for (int s = 0; s < subjects.size(); s++) {
                        nanos[s][w][rep] = once(subjects.get(s), o.writers().get(w), keys.length, segments);
                    }
                }
            }
        }
    }

    /** The writer counts of the warm-up: those of {@code --writers} up to the cores, at least one of them. */
    private List<Integer> warmUpCounts() {
        List<Integer> counts = o.writers().stream().filter(w -> w <= Options.CORES).distinct().toList();
        return counts.isEmpty() ? List.of(Options.CORES) : counts;
    }

    /** The keys (slices of one segment) and the value as native segments, for the {@code MemorySegment} API. */
    private record Segments(MemorySegment[] keys, MemorySegment value) {
        static Segments of(Arena arena, byte[][] keys, byte[] value) {
            MemorySegment all = arena.allocate(keys.length * (long) keys[0].length + value.length);
            MemorySegment[] slices = new MemorySegment[keys.length];
            long at = 0;
            for (int i = 0; i < keys.length; i++) {
                slices[i] = all.asSlice(at, keys[i].length).copyFrom(MemorySegment.ofArray(keys[i]));
                at += keys[i].length;
            }
            return new Segments(slices, all.asSlice(at, value.length).copyFrom(MemorySegment.ofArray(value)));
        }
    }

    /** One run: {@code puts} puts by {@code writers} writers into a fresh structure; its nanoseconds. */
    private long once(Subject s, int writers, int puts, Segments segments) {
        System.gc();
        try (KvEngine engine = KvEngine.create(s.engine)) {
            Progress progress = new Progress("writers " + writers + " " + s.label, puts, o.progress());
            long t = Workers.run("writer-" + s.label, writers, w -> {
                int from = (int) ((long) puts * w / writers);
                int to = (int) ((long) puts * (w + 1) / writers);
                if (s.segments) {
                    putSegments((KvEngine.Memtable) engine, from, to, segments, progress);
                } else {
                    putArrays(engine, from, to, progress);
                }
            });
            progress.finish();
            if (engine.size() != puts) {
                throw new IllegalStateException(s.label + " holds " + engine.size() + " entries after " + puts
                        + " puts of distinct keys by " + writers + " writers");
            }
            return t;
        }
    }

    private void putArrays(KvEngine engine, int from, int to, Progress progress) {
        for (int i = from; i < to; i++) {
            engine.put(keys[i], value);
            progress.report(i - from);
        }
    }

    private static void putSegments(KvEngine.Memtable memtable, int from, int to, Segments segments, Progress progress) {
        MemorySegment[] k = segments.keys;
        for (int i = from; i < to; i++) {
            memtable.put(k[i], segments.value);
            progress.report(i - from);
        }
    }

    /** The table: one row per writer count and subject. */
    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "-- writers: %,d puts of distinct random keys per run, split among the writers, into"
                + " one fresh structure they share;%n   median of %d run(s), each timed from a start gate to the last"
                + " writer's end%s; own: vs the same engine at %d writer(s) (%d cpus)%n", keys.length, o.repeat(),
                peer == null ? "" : "; vs " + peer.label, reference, Options.CORES);
        out.printf(Locale.ROOT, "%-11s %-12s %14s %11s %9s %9s   %s%n", "writers", "engine", "puts/s", "ns/put", "vs",
                "own", "each run (k puts/s)");
        int ref = o.writers().indexOf(reference);
        for (int w = 0; w < o.writers().size(); w++) {
            for (int s = 0; s < subjects.size(); s++) {
                double putsPerSecond = putsPerSecond(median(nanos[s][w]));
                String vs = peer == null ? "" : ratio(putsPerSecond, putsPerSecond(median(nanos[subjects.indexOf(peer)][w])));
                String own = ratio(putsPerSecond, putsPerSecond(median(nanos[s][ref])));
                String each = Arrays.stream(nanos[s][w]).mapToObj(t -> String.format(Locale.ROOT, "%.0f",
                        putsPerSecond(t) / 1000)).collect(Collectors.joining(" "));
                out.printf(Locale.ROOT, "%-11d %-12s %,14.0f %11.1f %9s %9s   %s%n", o.writers().get(w),
                        subjects.get(s).label, putsPerSecond, median(nanos[s][w]) / keys.length, vs, own, each);
            }
        }
    }

    /** The table as the report's workloads: a chart per writer count, a bar per subject (its median run). */
    List<ReportData.Workload> workloads() {
        List<ReportData.Workload> out = new ArrayList<>();
        String group = String.format(Locale.ROOT, "writers sharing one structure: %,d puts of distinct keys, the median"
                + " of %d run(s)", keys.length, o.repeat());
        for (int w = 0; w < o.writers().size(); w++) {
            List<ReportData.Bar> bars = new ArrayList<>();
            for (int s = 0; s < subjects.size(); s++) {
                bars.add(new ReportData.Bar(subjects.get(s).label, putsPerSecond(median(nanos[s][w]))));
            }
            out.add(new ReportData.Workload(group, "writers " + o.writers().get(w), "puts/s", true, bars));
        }
        return out;
    }

    private double putsPerSecond(double nanos) {
        return keys.length * 1e9 / nanos;
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }

    /** The middle value; of an even count, the mean of the two middle ones. */
    static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2.0;
    }
}
