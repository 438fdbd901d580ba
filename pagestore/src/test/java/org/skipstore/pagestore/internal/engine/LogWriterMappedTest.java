package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The log writer's preallocated, mapped segments ({@link LogWriter}, {@link SegmentFile},
 * {@link Preallocator}): what a crash leaves, what a roll leaves, spares, oversized groups.
 */
class LogWriterMappedTest {

    @TempDir
    Path dir;

    @Test
    void aProcessCrashLosesNothingWrittenAndTheZeroFilledNewestSegmentReplaysExactlyItsRecords() throws IOException {
        long seed = Logs.seed("aProcessCrashLosesNothingWrittenAndTheZeroFilledNewestSegmentReplaysExactlyItsRecords");
        SplittableRandom r = new SplittableRandom(seed);
        Path crash = dir.resolve("crash");
        Path log = dir.resolve("log");
        Files.createDirectories(log);
        long last;
        try (LogWriter w = LogWriter.create(log, Logs.DB, 1, 1 << 20, null)) {
            Logs.writeGroups(w, 200, 8, r);
            last = w.lastSequence();
            // never forced: what the files read now is what a process crash leaves (the page cache)
            Logs.copyDir(log, crash);
            assertThat(w.bytesWritten()).isLessThan(1 << 20);
            assertThat(w.preallocatedBytes()).as("this segment's zeros, at least").isGreaterThanOrEqualTo(1 << 20);
        }
        Path newest = Logs.segments(crash).getLast();
        assertThat(Logs.segments(crash)).hasSize(1);
        assertThat(Files.size(newest)).as("preallocated whole").isEqualTo(1 << 20);
        Logs.Replayed r1 = Logs.replay(crash, 0, false);
        assertThat(r1.sequences()).as("seed %d", seed).isEqualTo(Logs.range(1, last));
        assertThat(r1.replay().bytesDropped()).as("the zeros are the torn tail")
                .isEqualTo((1 << 20) - r1.replay().newestValidLength());
        assertThat(Logs.replay(log, 0, false).sequences()).as("after a close without force")
                .isEqualTo(Logs.range(1, last));

        try (LogWriter w = LogWriter.resume(crash, Logs.DB, r1.replay(), 1 << 20, null)) {
            assertThat(w.currentSegment()).isEqualTo(crash.resolve(LogFormat.segmentName(last + 1)));
            Logs.writeGroup(w, last + 1, last + 5);
            w.force();
        }
        assertThat(Logs.replay(crash, 0, false).sequences()).isEqualTo(Logs.range(1, last + 5));
    }

    @Test
    void aRollCutsTheOldSegmentToItsRecordsAndTheNewOneIsPreallocated() throws IOException {
        long seed = Logs.seed("aRollCutsTheOldSegmentToItsRecordsAndTheNewOneIsPreallocated");
        SplittableRandom r = new SplittableRandom(seed);
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 4096, null)) {
            Logs.writeGroups(w, 100, 8, r);
            List<Path> segments = Logs.segments(dir);
            assertThat(segments).hasSizeGreaterThan(3);
            for (Path s : segments.subList(0, segments.size() - 1)) {
                List<Long> at = Logs.recordOffsets(s); // checks every byte up to the file's end
                // cut to its records: no zeros left (a segment the groups filled exactly keeps all 4096)
                assertThat(Files.size(s)).as("seed %d %s", seed, s).isLessThanOrEqualTo(4096).isGreaterThan(at.getLast());
            }
            assertThat(Files.size(segments.getLast())).as("the current one, preallocated").isEqualTo(4096);
            assertThat(Logs.replay(dir, 0, false).sequences()).as("seed %d", seed)
                    .isEqualTo(Logs.range(1, w.lastSequence()));
        }
    }

    @Test
    void leftoverSparesAreNeverReadAndAreDeletedAtCreateAndResume() throws IOException {
        // a spare that holds another database's segment: read as a segment, it would fail the replay FOREIGN
        Path other = dir.resolve("other");
        Path log = dir.resolve("log");
        Files.createDirectories(other);
        Files.createDirectories(log);
        try (LogWriter w = LogWriter.create(other, Logs.DB + 1, 1, 1 << 16, null)) {
            Logs.writeGroup(w, 1, 3);
        }
        Path foreign = Logs.segments(other).getFirst();
        Files.copy(foreign, log.resolve(Preallocator.SPARE));
        try (LogWriter w = LogWriter.create(log, Logs.DB, 1, 100, null)) {
            for (long s = 1; s <= 9; s += 3) {
                Logs.writeGroup(w, s, s + 2); // each rolls, so each takes a spare
            }
        }
        Files.copy(foreign, log.resolve(Preallocator.SPARE));
        Logs.Replayed r = Logs.replay(log, 0, false);
        assertThat(r.sequences()).isEqualTo(Logs.range(1, 9));
        try (LogWriter w = LogWriter.resume(log, Logs.DB, r.replay(), 100, null)) {
            Logs.writeGroup(w, 10, 12);
            Logs.writeGroup(w, 13, 15);
            assertThat(w.segmentCount()).isEqualTo(5);
        }
        assertThat(log.resolve(Preallocator.SPARE)).doesNotExist();
        assertThat(Logs.replay(log, 0, false).sequences()).isEqualTo(Logs.range(1, 15));
    }

    @Test
    void aGroupLargerThanSegmentBytesGetsASegmentItsSize() throws IOException {
        long segmentBytes = 4096;
        long big;
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, segmentBytes, null)) {
            Logs.writeGroup(w, 1, 60); // the first segment holds none: it grows
            big = w.bytesWritten();
            Logs.writeGroup(w, 61, 61); // does not fit: a segment of 4096
            Logs.writeGroup(w, 62, 140); // does not fit, is larger: a segment its size
            Logs.writeGroup(w, 141, 141);
            w.force();
        }
        assertThat(LogFiles.list(dir).keySet()).containsExactly(1L, 61L, 62L, 141L);
        List<Path> s = Logs.segments(dir);
        assertThat(Files.size(s.get(0))).isEqualTo(big).isGreaterThan(segmentBytes);
        assertThat(Files.size(s.get(2))).isGreaterThan(segmentBytes);
        assertThat(Logs.recordOffsets(s.get(2))).hasSize(79);
        assertThat(Logs.replay(dir, 0, false).sequences()).isEqualTo(Logs.range(1, 141));
    }

    @Test
    void aStoreIntoAPageTheFileNoLongerHasPoisonsTheWriter() throws IOException {
        LogWriter w = LogWriter.create(dir, Logs.DB, 1, 1 << 20, null);
        Logs.writeGroup(w, 1, 1);
        // another process cuts the mapped file: the next store past its end gets SIGBUS
        try (FileChannel ch = FileChannel.open(w.currentSegment(), StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        assertThatThrownBy(() -> Logs.writeGroup(w, 2, 40)).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.FAILED_WRITE);
            assertThat(f.getCause()).isInstanceOf(InternalError.class);
        });
        assertThatThrownBy(() -> Logs.writeGroup(w, 2, 2)).isInstanceOfSatisfying(StoreFailure.class,
                f -> assertThat(f.getMessage()).contains("earlier failure"));
        w.close();
    }
}
