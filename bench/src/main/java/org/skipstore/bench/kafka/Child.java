package org.skipstore.bench.kafka;

import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * One measured phase of one engine, in a JVM of its own ({@link KafkaBench} starts it), so that
 * its resident memory is its own: what an earlier phase allocated (RocksDB's malloc keeps what it
 * frees) stays out. It prints one line, {@value #RESULT} followed by {@link Figures#encode()}.
 *
 * <pre>
 *   java ... Child process ENGINE STATE_DIR NUM KEYS EVERY SECONDS SEED CHANGELOG_FILE|-
 *   java ... Child restore ENGINE STATE_DIR CHANGELOG_FILE BATCH
 * </pre>
 *
 * {@code process}: NUM input records through {@code TopologyTestDriver} (keys drawn from KEYS
 * customers by SEED), the driver committing after each; EVERY above 1 lets only every EVERY-th
 * commit reach the store ({@link IntervalCommits}). With EVERY 1 the run stops after SECONDS (0:
 * never), since a commit per record may be slow. The output and changelog topics are emptied every
 * {@value #DRAIN} records, into the changelog file when one is named. {@code restore}:
 * {@link ChangelogRestore}.
 */
public final class Child {

    static final String RESULT = "kafka-bench-result";
    static final int DRAIN = 1000;

    /**
     * What a timed part did: records, nanoseconds, the memory sample taken right at its end, and
     * the commits that reached the store and their time where they were counted (else -1).
     */
    record Timed(long records, long nanos, ResidentMemory.Sample end, long commits, long commitNanos) {
    }

    /**
     * A phase's figures, as the child reports them ({@link ResidentMemory} says what the memory ones
     * are): the peak and the end of what lies outside the heap, the peak growth of what lies outside
     * the heap and the JVM's pools (the store part), and the growth of the mapped file pages by the end;
     * bytes are -1 where there is no /proc. Then the commits that reached the store and their time,
     * or -1 where they were not counted; last the peak of the FFM allocations ({@link
     * NativeAllocations}: Skipstore's own off-heap memory), -1 where it was not tracked.
     */
    record Figures(long records, long nanos, long offHeapPeak, long offHeapEnd, long storePart, long fileGrowth,
                   long commits, long commitNanos, long nativePeak) {

        String encode() {
            return String.format(Locale.ROOT, "%s %d %d %d %d %d %d %d %d %d", RESULT, records, nanos, offHeapPeak,
                    offHeapEnd, storePart, fileGrowth, commits, commitNanos, nativePeak);
        }

        /** The figures of a child's output line, or null when the line is not its result. */
        static Figures decode(String line) {
            String[] f = line.trim().split(" ");
            if (f.length != 10 || !f[0].equals(RESULT)) {
                return null;
            }
            return new Figures(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
                    Long.parseLong(f[9]));
        }

        double perSecond() {
            return records * 1e9 / nanos;
        }

        static Figures of(Timed t, ResidentMemory m) {
            ResidentMemory.Sample base = m.baseline();
            ResidentMemory.Sample outside = m.peakOutsideJvm();
            return new Figures(t.records(), t.nanos(), m.peakOffHeap().offHeap(), t.end().offHeap(),
                    base.rss() < 0 ? -1 : outside.outsideJvm() - base.outsideJvm(),
                    base.rss() < 0 ? -1 : t.end().rssFile() - base.rssFile(), t.commits(), t.commitNanos(),
                    NativeAllocations.peakBytes());
        }
    }

    private Child() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args[1];
        Path stateDir = Path.of(args[2]);
        Figures f;
        switch (args[0]) {
            case "process" -> f = process(engine, stateDir, Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Double.parseDouble(args[6]), Long.parseLong(args[7]),
                    args[8].equals("-") ? null : Path.of(args[8]));
            case "restore" -> {
                Changelog log = Changelog.read(Path.of(args[3]));
                try (ResidentMemory m = new ResidentMemory()) {
                    f = Figures.of(ChangelogRestore.run(engine, stateDir, log, Integer.parseInt(args[4]), m), m);
                }
            }
            default -> throw new IllegalArgumentException("unknown phase " + args[0]);
        }
        System.out.println(f.encode());
    }

    private static Figures process(String engine, Path stateDir, long num, int keys, int every, double seconds,
                                   long seed, Path changelog) throws Exception {
        KeyValueBytesStoreSupplier supplier = Aggregation.supplier(engine);
        IntervalCommits interval = every > 1 ? new IntervalCommits(supplier, every) : null;
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        try (ResidentMemory m = new ResidentMemory();
             TopologyTestDriver driver = new TopologyTestDriver(Aggregation.topology(interval != null ? interval
                     : supplier), Aggregation.config(stateDir));
             Changelog.Writer log = changelog == null ? null : new Changelog.Writer(changelog)) {
            TestInputTopic<String, Long> in = driver.createInputTopic(Aggregation.INPUT, new StringSerializer(),
                    new LongSerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(Aggregation.OUTPUT, bytes, bytes);
            TestOutputTopic<byte[], byte[]> changes = driver.createOutputTopic(Aggregation.CHANGELOG, bytes, bytes);
            SplittableRandom random = new SplittableRandom(seed);
            long t0 = System.nanoTime();
            long deadline = every == 1 && seconds > 0 ? t0 + (long) (seconds * 1e9) : Long.MAX_VALUE;
            long n = 0;
            long outputs = 0;
            while (n < num && System.nanoTime() < deadline) {
                in.pipeInput("customer-" + random.nextInt(keys), 1L + random.nextInt(100));
                if (++n % DRAIN == 0) {
                    outputs += drain(out, changes, log);
                }
            }
            if (interval != null) {
                interval.commitNow();
            }
            outputs += drain(out, changes, log);
            long nanos = System.nanoTime() - t0;
            ResidentMemory.Sample end = m.sample();
            if (outputs != n) { // one total out per purchase in: else the topology did not run as it should
                throw new IllegalStateException(outputs + " output records for " + n + " input records");
            }
            return Figures.of(new Timed(n, nanos, end, interval == null ? -1 : interval.commits(),
                    interval == null ? -1 : interval.commitNanos()), m);
        }
    }

    /** Empties the output topic and the changelog topic (into {@code log} when there is one): the output records. */
    private static long drain(TestOutputTopic<byte[], byte[]> out, TestOutputTopic<byte[], byte[]> changes,
                              Changelog.Writer log) throws java.io.IOException {
        long n = out.getQueueSize();
        out.readRecordsToList();
        if (log != null) {
            log.drain(changes);
        } else {
            changes.readRecordsToList();
        }
        return n;
    }
}
