package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: the floor of {@link LogWriter#write} on this machine's disk for the engine's author,
 * printed, never asserted. Groups of 1 and of 100 records of 130-byte payloads, without and with
 * a {@link LogWriter#force} per group, each timed for about {@code skipstore.measure.seconds}
 * (default 3) after a warm-up of a third of that. Runs only when asked:
 *
 * <pre>
 * mvn -B -ntp -o -q -pl pagestore test -Djcstress.skip=true -Dtest=LogWriterMeasure \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dskipstore.measure=true [-Dskipstore.measure.dir=DIR]
 * </pre>
 *
 * The log goes to {@code skipstore.measure.dir} (default {@code target/log-measure}), deleted after.
 */
@EnabledIfSystemProperty(named = "skipstore.measure", matches = "true")
class LogWriterMeasure {

    private static final int PAYLOAD = 130;
    private static final long SEGMENT_BYTES = 64L << 20;

    @Test
    void measureWrite() throws IOException {
        double seconds = Double.parseDouble(System.getProperty("skipstore.measure.seconds", "3"));
        Path dir = Path.of(System.getProperty("skipstore.measure.dir", "target/log-measure"));
        System.out.printf("LogWriter.write, %d-byte payloads (%d framed), segments of %d MiB, in %s%n", PAYLOAD,
                PAYLOAD + LogFormat.RECORD_BYTES, SEGMENT_BYTES >> 20, dir.toAbsolutePath());
        System.out.printf("%-8s %-6s %12s %10s %10s %12s %9s%n", "group", "force", "records/s", "MB/s", "groups/s",
                "us/group", "segments");
        for (boolean force : new boolean[] {false, true}) {
            for (int group : new int[] {1, 100}) {
                run(dir, group, force, seconds / 3); // warm-up, printed too
                run(dir, group, force, seconds);
            }
        }
    }

    private static void run(Path dir, int group, boolean force, double seconds) throws IOException {
        deleteAll(dir);
        Files.createDirectories(dir);
        byte[] payload = new byte[PAYLOAD];
        LogRecords g = new LogRecords();
        long groups = 0;
        long start;
        long elapsed;
        long segments;
        try (LogWriter w = LogWriter.create(dir, 1, 1, SEGMENT_BYTES, null)) {
            long deadline = (long) (seconds * 1e9);
            start = System.nanoTime();
            do {
                g.clear();
                long first = w.lastSequence() + 1;
                for (int k = 0; k < group; k++) {
                    payload[0] = (byte) (first + k);
                    g.add(first + k, payload, 0, PAYLOAD);
                }
                w.write(g);
                if (force) {
                    w.force();
                }
                groups++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < deadline);
            segments = w.segmentCount();
        }
        double s = elapsed / 1e9;
        long records = groups * group;
        System.out.printf("%-8d %-6s %12.0f %10.1f %10.0f %12.1f %9d%s%n", group, force, records / s,
                records * (PAYLOAD + LogFormat.RECORD_BYTES) / s / 1e6, groups / s, elapsed / 1e3 / groups, segments,
                seconds < 1 ? "  (warm-up)" : "");
        if (!force && group == 100 && seconds >= 1) {
            replay(dir, records);
        }
        deleteAll(dir);
    }

    /** Replays the log just written: what an open after a crash pays per record. */
    private static void replay(Path dir, long records) throws IOException {
        long[] sum = new long[1];
        long start = System.nanoTime();
        LogReader.Replay r = LogReader.replay(dir, 1, 0, (sequence, payload) -> sum[0] += payload.byteSize(), false);
        double s = (System.nanoTime() - start) / 1e9;
        if (r.recordsReplayed() != records) {
            throw new AssertionError(r + " after " + records + " records");
        }
        System.out.printf("replay of those %d records: %.0f records/s, %.1f MB/s (%d payload bytes)%n", records,
                records / s, records * (PAYLOAD + LogFormat.RECORD_BYTES) / s / 1e6, sum[0]);
    }

    private static void deleteAll(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
