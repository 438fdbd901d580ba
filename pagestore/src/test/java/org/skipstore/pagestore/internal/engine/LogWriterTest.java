package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/** Writing the log ({@link LogWriter}): round trips, rolls, resume, deletion and a poisoned writer. */
class LogWriterTest {

    @TempDir
    Path dir;

    @Test
    void manyGroupsRoundTripAcrossSegmentsAndReplayAfterAnySequence() throws IOException {
        long seed = Logs.seed("manyGroupsRoundTripAcrossSegmentsAndReplayAfterAnySequence");
        SplittableRandom r = new SplittableRandom(seed);
        long first = 1 + r.nextInt(1000);
        long segmentBytes = 2000;
        long last;
        long written;
        try (LogWriter w = LogWriter.create(dir, Logs.DB, first, segmentBytes, null)) {
            assertThat(w.lastSequence()).isEqualTo(first - 1);
            Logs.writeGroups(w, 300, 12, r);
            w.force();
            last = w.lastSequence();
            written = w.bytesWritten();
            assertThat(w.segmentCount()).isEqualTo(Logs.segments(dir).size()).isGreaterThan(5);
            assertThat(w.currentSegment()).isEqualTo(Logs.segments(dir).getLast());
        }
        List<Path> segments = Logs.segments(dir);
        long total = 0;
        for (Path s : segments) {
            total += Files.size(s);
            Logs.recordOffsets(s); // every byte up to the end is a record: cut at the roll, or at the close
            if (!s.equals(segments.getLast())) {
                // rolled at the first group that did not fit: segmentBytes at most, unless one group is larger
                assertThat(Files.size(s)).as("seed %d %s", seed, s).isLessThanOrEqualTo(
                        Math.max(segmentBytes, LogFormat.HEADER_BYTES + 12 * (16 + 300)));
            }
        }
        assertThat(written).as("bytesWritten counts headers and records").isEqualTo(total);
        assertThat(LogFiles.list(dir).firstKey()).isEqualTo(first);

        Logs.Replayed all = Logs.replay(dir, first - 1, false);
        assertThat(all.sequences()).as("seed %d", seed).isEqualTo(Logs.range(first, last));
        assertThat(all.replay().lastSequence()).isEqualTo(last);
        assertThat(all.replay().newestSegment()).isEqualTo(segments.getLast());
        assertThat(all.replay().newestValidLength()).isEqualTo(Files.size(segments.getLast()));
        assertThat(all.replay().bytesDropped()).isZero();
        assertThat(all.replay().dropped()).isEmpty();

        for (int i = 0; i < 20; i++) {
            long after = first - 1 + r.nextLong(last - first + 3); // also at and past the last record
            Logs.Replayed part = Logs.replay(dir, after, false);
            assertThat(part.sequences()).as("seed %d after %d", seed, after).isEqualTo(Logs.range(after + 1, last));
            assertThat(part.replay().lastSequence()).isEqualTo(Math.max(after, last));
        }
    }

    @Test
    void resumeCutsTheNewestSegmentAndStartsAPreallocatedOneAfterIt() throws IOException {
        long seed = Logs.seed("resumeCutsTheNewestSegmentAndStartsAPreallocatedOneAfterIt");
        SplittableRandom r = new SplittableRandom(seed);
        Path crash = dir.resolve("crash");
        Path log = dir.resolve("log");
        Files.createDirectories(log);
        try (LogWriter w = LogWriter.create(log, Logs.DB, 1, 1 << 16, null)) {
            Logs.writeGroups(w, 10, 5, r);
            Logs.copyDir(log, crash); // the newest segment with its zeros, as a crash leaves it
        }
        Logs.Replayed first = Logs.replay(crash, 0, false);
        Path newest = first.replay().newestSegment();
        assertThat(Files.size(newest)).isEqualTo(1 << 16);
        long last = first.replay().lastSequence();
        try (LogWriter w = LogWriter.resume(crash, Logs.DB, first.replay(), 1 << 16, null)) {
            assertThat(w.lastSequence()).isEqualTo(last);
            assertThat(w.currentSegment()).isEqualTo(crash.resolve(LogFormat.segmentName(last + 1)));
            assertThat(w.segmentCount()).isEqualTo(2);
            assertThat(Files.size(newest)).as("cut to its records").isEqualTo(first.replay().newestValidLength());
            assertThat(Files.size(w.currentSegment())).as("preallocated").isEqualTo(1 << 16);
            Logs.writeGroups(w, 10, 5, r);
        }
        Logs.Replayed second = Logs.replay(crash, 0, false);
        assertThat(second.sequences()).isEqualTo(Logs.range(1, second.replay().lastSequence()));
        // resumed and closed with no record written: the header-only newest segment is made again
        try (LogWriter w = LogWriter.resume(crash, Logs.DB, second.replay(), 100, null)) {
            assertThat(w.segmentCount()).isEqualTo(3);
        }
        Logs.Replayed third = Logs.replay(crash, 0, false);
        try (LogWriter w = LogWriter.resume(crash, Logs.DB, third.replay(), 100, null)) {
            assertThat(w.segmentCount()).isEqualTo(3);
            long next = w.lastSequence() + 1;
            Logs.writeGroup(w, next, next + 2);
            assertThat(w.currentSegment()).isEqualTo(crash.resolve(LogFormat.segmentName(next)));
        }
        assertThat(Logs.replay(crash, 0, false).sequences()).isEqualTo(Logs.range(1, second.replay().lastSequence() + 3));
    }

    @Test
    void aGroupThatDoesNotContinueTheSequencesIsRefusedAndChangesNothing() throws IOException {
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 10, 1 << 20, null)) {
            Logs.writeGroup(w, 10, 12);
            long size = Files.size(w.currentSegment());
            assertThatThrownBy(() -> Logs.writeGroup(w, 14, 15)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("continues at 13");
            assertThatThrownBy(() -> Logs.writeGroup(w, 12, 15)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> w.write(new LogRecords())).isInstanceOf(IllegalArgumentException.class);
            assertThat(Files.size(w.currentSegment())).isEqualTo(size);
            Logs.writeGroup(w, 13, 13);
        }
        assertThat(Logs.replay(dir, 9, false).sequences()).isEqualTo(Logs.range(10, 13));
    }

    @Test
    void createRefusesADirectoryThatHoldsALogAndResumeRefusesSegmentsAfterItsNewest() throws IOException {
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 100, null)) {
            for (long s = 1; s <= 6; s += 2) {
                Logs.writeGroup(w, s, s + 1);
            }
        }
        assertThatThrownBy(() -> LogWriter.create(dir, Logs.DB, 100, 100, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("replay and resume");
        LogReader.Replay full = Logs.replay(dir, 0, false).replay();
        LogReader.Replay older = new LogReader.Replay(2, Logs.segments(dir).getFirst(), Files.size(Logs.segments(dir)
                .getFirst()), 0, 0, List.of(), 2);
        assertThatThrownBy(() -> LogWriter.resume(dir, Logs.DB, older, 100, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("set them aside");
        LogWriter.resume(dir, Logs.DB, full, 100, null).close();
    }

    @Test
    void deleteThroughDeletesOnlyWhollyFlushedSegmentsAndNeverTheCurrentOne() throws IOException {
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 10, null)) {
            // every group rolls: segments start at 1, 4, 7, 10
            for (long s = 1; s <= 10; s += 3) {
                Logs.writeGroup(w, s, s + 2);
            }
            assertThat(LogFiles.list(dir).keySet()).containsExactly(1L, 4L, 7L, 10L);
            assertThat(w.deleteThrough(0)).isZero();
            assertThat(w.deleteThrough(2)).as("segment 1 still holds record 3").isZero();
            assertThat(w.deleteThrough(3)).isEqualTo(1);
            assertThat(LogFiles.list(dir).keySet()).containsExactly(4L, 7L, 10L);
            assertThat(w.deleteThrough(8)).as("segment 7 holds 9").isEqualTo(1);
            assertThat(w.deleteThrough(1000)).as("never the current segment").isEqualTo(1);
            assertThat(LogFiles.list(dir).keySet()).containsExactly(10L);
            assertThat(w.segmentCount()).isEqualTo(1);
            assertThat(Logs.replay(dir, 9, false).sequences()).isEqualTo(Logs.range(10, 12));
            assertThatThrownBy(() -> Logs.replay(dir, 8, false)).isInstanceOf(StoreFailure.class)
                    .hasMessageContaining("records 9..9 are missing");
            Logs.writeGroup(w, 13, 13); // rolls
            assertThat(w.deleteThrough(11)).isZero();
            assertThat(w.deleteThrough(12)).isEqualTo(1);
        }
        assertThat(Logs.replay(dir, 12, false).sequences()).containsExactly(13L);
    }

    @Test
    void segmentsGetThePermissionsAskedForWhateverTheUmask() throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        Set<PosixFilePermission> group = PosixFilePermissions.fromString("rw-rw-rw-");
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 10, owner)) {
            Logs.writeGroup(w, 1, 1);
            assertThat(Files.getPosixFilePermissions(w.currentSegment())).isEqualTo(owner);
        }
        LogReader.Replay r = Logs.replay(dir, 0, false).replay();
        try (LogWriter w = LogWriter.resume(dir, Logs.DB, r, 10, group)) {
            Logs.writeGroup(w, 2, 2); // rolls
            assertThat(Files.getPosixFilePermissions(w.currentSegment())).isEqualTo(group);
        }
    }

    @Test
    void aFailedPreallocationPoisonsTheWriterAtTheRollThatNeedsItAndTheLogReopens() throws IOException {
        // the first segment's preallocation is one write; the spare's, in the background, fails after a few bytes
        LogWriter w = LogWriter.create(dir, Logs.DB, 1, 4096, null, LogFiles.DEFAULT, FaultyChannel.opener(1, -1));
        Logs.writeGroup(w, 1, 2);
        Logs.writeGroup(w, 3, 3);
        assertThatThrownBy(() -> Logs.writeGroup(w, 4, 40)).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.FAILED_WRITE);
            assertThat(f.getCause()).hasMessageContaining(FaultyChannel.INJECTED);
            assertThat(f.getMessage()).contains("records 4..40");
        });
        assertThat(w.lastSequence()).as("the failed group is not counted").isEqualTo(3);
        for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> Logs.writeGroup(w, 4, 5), w::force, () -> Logs.writeGroup(w, 6, 6))) {
            assertThatThrownBy(call).isInstanceOfSatisfying(StoreFailure.class, f -> {
                assertThat(f.problem()).isEqualTo(Problem.FAILED_WRITE);
                assertThat(f.getMessage()).contains("earlier failure", "records 4..40", FaultyChannel.INJECTED);
            });
        }
        w.close();
        assertThat(dir.resolve(Preallocator.SPARE)).as("the close deletes the spare").doesNotExist();
        Logs.Replayed r = Logs.replay(dir, 0, false);
        assertThat(r.sequences()).isEqualTo(Logs.range(1, 3));
        try (LogWriter again = LogWriter.resume(dir, Logs.DB, r.replay(), 4096, null)) {
            Logs.writeGroup(again, 4, 40);
        }
        assertThat(Logs.replay(dir, 0, false).sequences()).isEqualTo(Logs.range(1, 40));
    }

    @Test
    void aFailedCutAtARollPoisonsTheWriterAndKeepsTheSegmentNewest() throws IOException {
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 4096, null, FaultyChannel.opener(-1, -1, 0),
                LogFiles.DEFAULT)) {
            Logs.writeGroup(w, 1, 1);
            assertThatThrownBy(() -> Logs.writeGroup(w, 2, 40)).isInstanceOfSatisfying(StoreFailure.class, f -> {
                assertThat(f.problem()).isEqualTo(Problem.FAILED_WRITE);
                assertThat(f.getCause()).hasMessageContaining(FaultyChannel.INJECTED + " (truncate)");
            });
            assertThat(w.segmentCount()).isEqualTo(1);
        }
        assertThat(Logs.segments(dir)).hasSize(1);
        assertThat(Logs.replay(dir, 0, false).sequences()).containsExactly(1L);
    }

    @Test
    void aFailedForcePoisonsTheWriterWithFailedForce() throws IOException {
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 1 << 20, null, FaultyChannel.opener(-1, 1),
                LogFiles.DEFAULT)) {
            Logs.writeGroup(w, 1, 1);
            w.force();
            Logs.writeGroup(w, 2, 2);
            assertThatThrownBy(w::force).isInstanceOfSatisfying(StoreFailure.class,
                    f -> assertThat(f.problem()).isEqualTo(Problem.FAILED_FORCE));
            assertThatThrownBy(() -> Logs.writeGroup(w, 3, 3)).isInstanceOfSatisfying(StoreFailure.class, f -> {
                assertThat(f.problem()).isEqualTo(Problem.FAILED_FORCE);
                assertThat(f.getMessage()).contains("earlier failure", FaultyChannel.INJECTED);
            });
        }
    }

    @Test
    void aFailedRollPoisonsTheWriter() throws IOException {
        // the first force is the roll's, of the full segment
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, 10, null, FaultyChannel.opener(-1, 0),
                LogFiles.DEFAULT)) {
            Logs.writeGroup(w, 1, 1);
            assertThatThrownBy(() -> Logs.writeGroup(w, 2, 2)).isInstanceOfSatisfying(StoreFailure.class,
                    f -> assertThat(f.problem()).isEqualTo(Problem.FAILED_WRITE));
            assertThat(w.segmentCount()).isEqualTo(1);
            assertThatThrownBy(() -> Logs.writeGroup(w, 2, 2)).isInstanceOf(StoreFailure.class);
        }
        assertThat(Logs.replay(dir, 0, false).sequences()).containsExactly(1L);
    }

    @Test
    void aClosedWriterRefusesWrites() throws IOException {
        LogWriter w = LogWriter.create(dir, Logs.DB, 1, 10, null);
        w.close();
        w.close();
        assertThatThrownBy(() -> Logs.writeGroup(w, 1, 1)).isInstanceOfSatisfying(StoreFailure.class,
                f -> assertThat(f.problem()).isEqualTo(Problem.CLOSED));
    }
}
