package org.skipstore.bench.tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.RecordingStream;
import org.skipstore.bench.report.ReportData;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.SkipstoreKv;
import org.skipstore.bench.store.Stores;
import org.skipstore.pagestore.EngineStats;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.SkipstoreBuilder;

/**
 * Skipstore's sustained random fill ({@code sustained}): {@code --sustained-num} entries (5 M by
 * default) in random order into a new database with the default settings (64 MiB memtables, 2
 * sealed at most), the fills' writes ({@code NO_SYNC} puts, every {@code --batch}-th a
 * {@code SYNC} one), then {@link Skipstore#flush()}, so that the store holds everything. Reported:
 * <ul>
 *   <li>each put's latency (p50, p99, p99.9, max), timed around the call, and the durable
 *       puts' alone (every {@code --batch}-th: a log force each);</li>
 *   <li>the stalls (count, total time) and the flushes' throughput,
 *       {@link EngineStats#flushEntriesPerSecond()}: entries a second of a flush's own time;</li>
 *   <li>write amplification: (log bytes written, {@link EngineStats#logBytesWritten()}, plus the
 *       store's bytes written, the sum of the {@code bytes} of its {@code org.skipstore.Commit} JFR
 *       events, streamed in this process) divided by the user's bytes (entries x (key + value));
 *       beside it the kernel's count for the whole process ({@code write_bytes} of
 *       {@code /proc/self/io}: pages dirtied, so a page written twice before write-back counts
 *       once), and the store file's size;</li>
 *   <li>the memtables' peak ({@link EngineStats#peakMemtableBytes()}, and the largest
 *       {@link EngineStats#memtableBytes()} a sampler saw every 5 ms) against the budget,
 *       {@code memtableBytes x (1 + maxSealedMemtables)}.</li>
 * </ul>
 */
final class Sustained {

    static final String COMMIT_EVENT = "org.skipstore.Commit";

    /** What the phase measured. */
    record Report(long entries, int entryBytes, int batch, long fillNanos, Latencies.Summary puts,
                  Latencies.Summary durablePuts, long finalFlushNanos,
                  EngineStats stats, long storeBytesWritten, long kernelBytesWritten, long sampledPeakBytes,
                  long budgetBytes, ReportData.Timeline timeline) {

        Result result() {
            return new Result("sustained", Options.ENGINE, entries, fillNanos).withLatency(puts, null);
        }

        long userBytes() {
            return entries * entryBytes;
        }

        /** (log + store bytes written) / user bytes. */
        double writeAmplification() {
            return (double) (stats.logBytesWritten() + storeBytesWritten) / userBytes();
        }

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "-- skipstore, sustained random fill: %,d entries, a durable commit every %,d puts"
                    + " (NO_SYNC puts, the last SYNC), default settings%n", entries, batch);
            out.printf(Locale.ROOT, "   %,.0f puts/s (%.1f s); put latency %s; the durable puts alone (a log force"
                    + " each) %s%n", entries * 1e9 / fillNanos, fillNanos / 1e9, puts.describe(), durablePuts.describe());
            out.printf(Locale.ROOT, "   stalls: %,d, %.2f s in all; flushes: %,d of %,d entries, %.1f s of flushing:"
                            + " %,.0f entries/s; the final flush() took %.2f s%n", stats.stalls(),
                    stats.stallNanos() / 1e9, stats.flushes(), stats.flushedEntries(), stats.flushNanos() / 1e9,
                    stats.flushEntriesPerSecond(), finalFlushNanos / 1e9);
            out.printf(Locale.ROOT, "   written: log %s + store %s (its commit events) = %s for %s of user data:"
                            + " write amplification %.2f (kernel, whole process: %s); store file %s%n",
                    DbBench.mib(stats.logBytesWritten()), DbBench.mib(storeBytesWritten),
                    DbBench.mib(stats.logBytesWritten() + storeBytesWritten), DbBench.mib(userBytes()),
                    writeAmplification(), kernelBytesWritten < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f",
                            (double) kernelBytesWritten / userBytes()), DbBench.mib(stats.storeFileBytes()));
            out.printf(Locale.ROOT, "   memtables: peak %s (sampled every 5 ms: %s) of a budget of %s (%s x (1 + %d))%n",
                    DbBench.mib(stats.peakMemtableBytes()), DbBench.mib(sampledPeakBytes), DbBench.mib(budgetBytes),
                    DbBench.mib(SkipstoreBuilder.DEFAULT_MEMTABLE_BYTES), SkipstoreBuilder.DEFAULT_MAX_SEALED);
        }
    }

    private final Options o;
    private final Path root;
    private final boolean quiet;

    Sustained(Options o, Path root, boolean quiet) {
        this.o = o;
        this.root = root;
        this.quiet = quiet;
    }

    Report run() throws IOException, InterruptedException {
        int n = o.sustainedNum();
        int[] order = Run.permutation(n, o.seed() + 23);
        Latencies durable = new Latencies(n / o.batch() + 1);
        Path dir = Files.createDirectory(root.resolve("sustained"));
        AtomicLong storeBytes = new AtomicLong();
        long kernelBefore = kernelBytesWritten();
        try (RecordingStream events = new RecordingStream()) { // the directory stays until the end of the run
            events.enable(COMMIT_EVENT);
            events.onEvent(COMMIT_EVENT, e -> storeBytes.addAndGet(e.getLong("bytes")));
            // The flushes and stalls on the same stream: a second one would cost the engine's puts (see Run.fill).
            PutTimeline timeline = new PutTimeline(n, o.batch(), events);
            events.startAsync();
            try (KvStore kv = Stores.open(Options.ENGINE, dir, KvStore.Writes.PER_PUT); timeline) {
                Skipstore db = ((SkipstoreKv) kv).database();
                Sampler sampler = new Sampler(db);
                Thread sampling = Thread.ofPlatform().daemon().name("sustained-sampler").start(sampler);
                Progress progress = quiet ? Progress.quiet("sustained", n) : new Progress("sustained skipstore", n,
                        o.progress());
                byte[] k = new byte[o.keySize()];
                byte[] v = new byte[o.valueSize()];
                timeline.start();
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Run.key(k, order[i]);
                    Run.storeValue(v, order[i]);
                    long t0 = timeline.begin(i);
                    if ((i + 1) % o.batch() == 0) {
                        kv.putAndCommit(k, v);
                        durable.add(timeline.end(t0));
                    } else {
                        kv.put(k, v);
                        timeline.end(t0);
                    }
                    progress.report(i);
                }
                kv.commit();
                long fillNanos = System.nanoTime() - start;
                progress.finish();
                long f0 = System.nanoTime();
                db.flush();
                long flushNanos = System.nanoTime() - f0;
                sampler.stop = true;
                sampling.join();
                EngineStats stats = db.stats();
                events.stop(); // every event so far delivered
                Report r = new Report(n, o.keySize() + o.valueSize(), o.batch(), fillNanos, timeline.latencies().summary(),
                        durable.summary(),
                        flushNanos, stats,
                        storeBytes.get(), kernelBefore < 0 ? -1 : kernelBytesWritten() - kernelBefore,
                        sampler.max, SkipstoreBuilder.DEFAULT_MEMTABLE_BYTES * (1 + SkipstoreBuilder.DEFAULT_MAX_SEALED),
                        timeline.timeline(Options.ENGINE, "put latency during the sustained random fill"));
                if (!quiet) {
                    Progress.note(String.format(Locale.ROOT, "%-20s %-10s final flush() %.2f s, %,d stalls (%.2f s), "
                                    + "flushes %,.0f entries/s, write amplification %.2f, peak memtables %s",
                            "sustained", Options.ENGINE, flushNanos / 1e9, stats.stalls(), stats.stallNanos() / 1e9,
                            stats.flushEntriesPerSecond(), r.writeAmplification(), DbBench.mib(stats.peakMemtableBytes())));
                }
                return r;
            }
        }
    }

    /** The largest {@link EngineStats#memtableBytes()} seen, every 5 ms. */
    private static final class Sampler implements Runnable {
        private final Skipstore db;
        volatile boolean stop;
        volatile long max;

        Sampler(Skipstore db) {
            this.db = db;
        }

        @Override
        public void run() {
            while (!stop) {
                max = Math.max(max, db.stats().memtableBytes());
                try {
                    Thread.sleep(Duration.ofMillis(5));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** {@code write_bytes} of {@code /proc/self/io}, or -1 where there is none. */
    static long kernelBytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: unknown
        }
        return -1;
    }
}
