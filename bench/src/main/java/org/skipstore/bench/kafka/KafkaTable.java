package org.skipstore.bench.kafka;

import java.io.PrintStream;
import java.net.URL;
import java.util.List;
import java.util.Locale;
import org.skipstore.kafka.streams.SkipstoreStoreConfig;
import org.skipstore.pagestore.SkipstoreBuilder;

/**
 * The Kafka benchmark's table: phase by phase the engines side by side, records/s, Skipstore's
 * ratio to RocksDB, the memory figures of {@link ResidentMemory}; Skipstore's budget; then issue
 * 16's goals, each with its figure and whether it is met (printed when both engines ran).
 */
final class KafkaTable {

    static final String GOALS = "-- issue 16's goals for skipstore in this run";

    private KafkaTable() {
    }

    static String processLabel(int every) {
        return every == 1 ? "process, the driver's commits" : String.format(Locale.ROOT, "process, commit every %,d",
                every);
    }

    static String restoreLabel(int batch) {
        return String.format(Locale.ROOT, "restore, batches of %,d", batch);
    }

    static void print(PrintStream out, KafkaOptions o, List<KafkaBench.Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "-- %s, %s; %,d records over %,d keys%n",
                jarOf("org/apache/kafka/streams/KafkaStreams.class"), jarOf("org/rocksdb/RocksDB.class"), o.num(),
                o.keys());
        boolean both = o.engines().containsAll(Aggregation.ENGINES);
        out.printf(Locale.ROOT, "%-32s %-10s %12s %12s %11s %13s %13s %11s %10s %11s%n", "phase", "engine", "records",
                "records/s", both ? "vs rocksdb" : "", "off-heap peak", "off-heap end", "store", "file", "own native");
        for (String label : rows.stream().map(KafkaBench.Row::phase).distinct().toList()) {
            for (KafkaBench.Row r : rows) {
                if (!r.phase().equals(label)) {
                    continue;
                }
                Child.Figures f = r.figures();
                KafkaBench.Row peer = r.engine().equals(Aggregation.SKIPSTORE) ? find(rows, label, Aggregation.ROCKSDB)
                        : null;
                out.printf(Locale.ROOT, "%-32s %-10s %,12d %,12.0f %11s %13s %13s %11s %10s %11s%n", label, r.engine(),
                        f.records(), f.perSecond(), peer == null ? "" : String.format(Locale.ROOT, "%.2fx",
                                f.perSecond() / peer.figures().perSecond()), mib(f.offHeapPeak()), mib(f.offHeapEnd()),
                        mib(f.storePart()), mib(f.fileGrowth()),
                        r.engine().equals(Aggregation.SKIPSTORE) ? mib(f.nativePeak()) : "-");
            }
        }
        out.println("(off-heap: VmRSS minus the committed heap; store: the peak growth over the run's start of what"
                + " lies outside the heap and the JVM's code and metaspace, the stores' memory plus the JVM's own"
                + " malloc; file: the growth of the mapped file pages in VmRSS by the end; own native: the peak of the"
                + " FFM allocations, NMT's \"Other\", Skipstore's memtables and buffers; RocksDB's malloc is not"
                + " tracked)");
        out.printf(Locale.ROOT, "skipstore's budget: %s a store (skipstore.memory.budget.bytes, what %s memtables x"
                        + " (1 + %d sealed) take; the store fits its memtables and buffers in it)%n",
                mib(Aggregation.skipstoreBudget()), mib(SkipstoreStoreConfig.defaults().memtableBytes()),
                SkipstoreBuilder.DEFAULT_MAX_SEALED);
        if (both) {
            goals(out, rows);
        }
    }

    private static void goals(PrintStream out, List<KafkaBench.Row> rows) {
        out.println(GOALS);
        out.printf(Locale.ROOT, "%-56s %10s %10s  %s%n", "figure", "measured", "goal", "met");
        long storePeak = -1;
        long nativePeak = -1;
        for (KafkaBench.Row r : rows) {
            if (!r.engine().equals(Aggregation.SKIPSTORE)) {
                continue;
            }
            KafkaBench.Row peer = find(rows, r.phase(), Aggregation.ROCKSDB);
            if (peer != null) {
                double ratio = r.figures().perSecond() / peer.figures().perSecond();
                goal(out, r.phase() + ": records/s vs rocksdb", String.format(Locale.ROOT, "%.2fx", ratio), ">= 1.00x",
                        ratio >= 1.0);
            }
            storePeak = Math.max(storePeak, r.figures().storePart());
            nativePeak = Math.max(nativePeak, r.figures().nativePeak());
        }
        if (nativePeak >= 0) {
            double share = (double) nativePeak / Aggregation.skipstoreBudget();
            goal(out, "memory: own native, peak of its runs / budget", String.format(Locale.ROOT, "%.2fx", share),
                    "<= 1.00x", share <= 1.0);
        }
        if (storePeak >= 0) { // the JIT's malloc and the mapped file pages count too: an upper bound
            out.printf(Locale.ROOT, "(store, the upper bound with the JVM's own malloc and the file pages: %.2fx the"
                    + " budget)%n", (double) storePeak / Aggregation.skipstoreBudget());
        }
    }

    private static void goal(PrintStream out, String what, String measured, String goal, boolean met) {
        out.printf(Locale.ROOT, "%-56s %10s %10s  %s%n", what, measured, goal, met ? "yes" : "NO");
    }

    private static KafkaBench.Row find(List<KafkaBench.Row> rows, String phase, String engine) {
        return rows.stream().filter(r -> r.phase().equals(phase) && r.engine().equals(engine)).findFirst().orElse(null);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** The jar a class comes from, by its file name (Kafka's and RocksDB's name their versions), without loading the class. */
    private static String jarOf(String classResource) {
        URL u = ClassLoader.getSystemResource(classResource);
        if (u == null) {
            return "no " + classResource;
        }
        String s = u.toString();
        int bang = s.indexOf("!/");
        String path = bang < 0 ? s : s.substring(0, bang);
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
