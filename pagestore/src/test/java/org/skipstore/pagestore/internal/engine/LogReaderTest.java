package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/** Replaying the log ({@link LogReader}): torn tails, damage, missing segments, foreign and newer files. */
class LogReaderTest {

    @TempDir
    Path tmp;

    /** A log of records 1..n in segments of about {@code segmentBytes}, groups of 1 to 4 records. */
    /**
     * A log of {@code groups} random groups, and more until its newest segment holds two records
     * at least: the tests damage a record of the newest segment that another one follows, or cut
     * its last one and expect the one before it in the same segment.
     */
    private Path log(String name, long segmentBytes, int groups, SplittableRandom r) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (LogWriter w = LogWriter.create(dir, Logs.DB, 1, segmentBytes, null)) {
            Logs.writeGroups(w, groups, 4, r);
            while (w.lastSequence() - LogFormat.parseSegmentName(w.currentSegment().getFileName().toString()) < 1) {
                Logs.writeGroups(w, 1, 4, r);
            }
        }
        return dir;
    }

    private static long lastOf(Path dir) throws IOException {
        return Logs.replay(dir, 0, false).replay().lastSequence();
    }

    @Test
    void aTornLastRecordCutAtEveryByteReplaysTheRecordsBeforeItAndTheLogContinues() throws IOException {
        long seed = Logs.seed("aTornLastRecordCutAtEveryByteReplaysTheRecordsBeforeItAndTheLogContinues");
        Path template = log("template", 3000, 60, new SplittableRandom(seed));
        long last = lastOf(template);
        Path newest = Logs.segments(template).getLast();
        long start = Logs.recordOffsets(newest).getLast();
        long end = Files.size(newest);
        assertThat(Logs.segments(template)).as("seed %d", seed).hasSizeGreaterThan(2);
        byte[] original = Files.readAllBytes(newest);
        for (long cut = start; cut < end; cut++) {
            for (boolean zeros : new boolean[] {false, true}) {
                if (zeros && java.util.Arrays.equals(original, (int) cut, (int) end, new byte[(int) (end - cut)], 0,
                        (int) (end - cut))) {
                    continue; // zeros where the record has zeros (a small sequence's high bytes): it is whole
                }
                Path dir = tmp.resolve("cut-" + cut + (zeros ? "-zeros" : ""));
                Logs.copyDir(template, dir);
                Path segment = Logs.segments(dir).getLast();
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    if (zeros) { // the file kept its length, the record's blocks never came back
                        byte[] z = new byte[(int) (end - cut)];
                        ch.write(java.nio.ByteBuffer.wrap(z), cut);
                    } else {
                        ch.truncate(cut);
                    }
                }
                Logs.Replayed r = Logs.replay(dir, 0, false);
                assertThat(r.sequences()).as("seed %d cut %d", seed, cut).isEqualTo(Logs.range(1, last - 1));
                assertThat(r.replay().lastSequence()).isEqualTo(last - 1);
                assertThat(r.replay().newestValidLength()).isEqualTo(start);
                assertThat(r.replay().bytesDropped()).isEqualTo(zeros ? end - start : cut - start);
                assertThat(r.replay().dropped()).isEmpty();
                try (LogWriter w = LogWriter.resume(dir, Logs.DB, r.replay(), 3000, null)) {
                    Logs.writeGroup(w, last, last + 1);
                }
                assertThat(Logs.replay(dir, 0, false).sequences()).as("cut %d", cut).isEqualTo(Logs.range(1, last + 1));
            }
        }
    }

    @Test
    void aBitFlipAnywhereInTheLastRecordIsATornTail() throws IOException {
        long seed = Logs.seed("aBitFlipAnywhereInTheLastRecordIsATornTail");
        SplittableRandom r = new SplittableRandom(seed);
        Path dir = log("log", 3000, 40, r);
        long last = lastOf(dir);
        Path newest = Logs.segments(dir).getLast();
        long start = Logs.recordOffsets(newest).getLast();
        for (long at = start; at < Files.size(newest); at++) {
            int bit = r.nextInt(8);
            Logs.flipBit(newest, at, bit);
            Logs.Replayed t = Logs.replay(dir, 0, false);
            assertThat(t.sequences()).as("seed %d byte %d bit %d", seed, at, bit).isEqualTo(Logs.range(1, last - 1));
            assertThat(t.replay().bytesDropped()).isEqualTo(Files.size(newest) - start);
            Logs.flipBit(newest, at, bit);
        }
    }

    @Test
    void aBitFlipInAMiddleRecordIsCorruptAndTheTolerantModeKeepsWhatCameBeforeIt() throws IOException {
        long seed = Logs.seed("aBitFlipInAMiddleRecordIsCorruptAndTheTolerantModeKeepsWhatCameBeforeIt");
        SplittableRandom r = new SplittableRandom(seed);
        flipAndRecover("newest", true, false, r, seed); // a record of the newest segment that others follow
        flipAndRecover("older", false, false, r, seed); // any record of an older segment
        flipAndRecover("olderLast", false, true, r, seed); // an older segment's last record: no valid one after it there
    }

    private void flipAndRecover(String name, boolean inNewest, boolean lastRecord, SplittableRandom r, long seed)
            throws IOException {
        Path dir = log(name, 3000, 80, r);
        List<Path> segments = Logs.segments(dir);
        assertThat(segments).as("seed %d", seed).hasSizeGreaterThan(2);
        Path damaged = inNewest ? segments.getLast() : segments.get(r.nextInt(segments.size() - 1));
        List<Long> offsets = Logs.recordOffsets(damaged);
        int index = lastRecord ? offsets.size() - 1 : r.nextInt(offsets.size() - 1);
        long recordAt = offsets.get(index);
        long recordEnd = index + 1 < offsets.size() ? offsets.get(index + 1) : Files.size(damaged);
        long at = recordAt + r.nextLong(recordEnd - recordAt);
        Logs.flipBit(damaged, at, r.nextInt(8));
        long firstOfDamaged = LogFormat.parseSegmentName(damaged.getFileName().toString());
        long good = firstOfDamaged + index - 1; // the last record before the damaged one
        String why = "seed " + seed + ", " + damaged.getFileName() + " record " + index + " byte " + at;

        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).as(why).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.CORRUPT);
            assertThat(f.getMessage()).contains(damaged.toString(), "offset " + recordAt);
        });

        byte[] damagedBytes = Files.readAllBytes(damaged);
        Logs.Replayed t = Logs.replay(dir, 0, true);
        assertThat(t.sequences()).as(why).isEqualTo(Logs.range(1, good));
        assertThat(t.replay().lastSequence()).isEqualTo(good);
        assertThat(t.replay().newestSegment()).isEqualTo(damaged);
        assertThat(t.replay().newestValidLength()).isEqualTo(recordAt);
        assertThat(t.replay().dropped()).hasSize(1 + segments.size() - 1 - segments.indexOf(damaged));
        assertThat(t.replay().dropped().getFirst()).contains(damaged.toString(), "offset " + recordAt);
        long afterDamage = 0;
        for (Path later : segments.subList(segments.indexOf(damaged) + 1, segments.size())) {
            afterDamage += Files.size(later);
        }
        assertThat(t.replay().bytesDropped()).isEqualTo(damagedBytes.length - recordAt + afterDamage);

        List<Path> later = segments.subList(segments.indexOf(damaged) + 1, segments.size());
        assertThat(LogReader.setAside(dir, t.replay())).isEqualTo(later.size() + 1);
        for (Path p : later) {
            assertThat(p).doesNotExist();
            assertThat(dir.resolve(p.getFileName() + ".dropped")).exists();
        }
        Path tail = dir.resolve(damaged.getFileName() + ".tail-" + recordAt + ".dropped");
        assertThat(Files.readAllBytes(tail)).as("the cut bytes are kept")
                .isEqualTo(Arrays.copyOfRange(damagedBytes, (int) recordAt, damagedBytes.length));
        try (LogWriter w = LogWriter.resume(dir, Logs.DB, t.replay(), 3000, null)) {
            Logs.writeGroup(w, good + 1, good + 3);
        }
        Logs.Replayed after = Logs.replay(dir, 0, false);
        assertThat(after.sequences()).as(why).isEqualTo(Logs.range(1, good + 3));
        assertThat(after.replay().dropped()).isEmpty();
    }

    @Test
    void aValidRecordWithAnotherSequenceThanTheNextIsCorruptEvenAtTheTail() throws IOException {
        Path dir = log("log", 1 << 20, 20, new SplittableRandom(6));
        long last = lastOf(dir);
        Path segment = Logs.segments(dir).getFirst();
        List<Long> offsets = Logs.recordOffsets(segment);
        byte[] original = Files.readAllBytes(segment);
        long[][] cases = {{offsets.getLast(), last + 1}, {offsets.getLast(), last - 1}, {offsets.get(3), 3}};
        for (long[] c : cases) {
            Logs.setSequence(segment, c[0], c[1]);
            assertThatThrownBy(() -> Logs.replay(dir, 0, false)).as("sequence %d at %d", c[1], c[0])
                    .isInstanceOfSatisfying(StoreFailure.class, f -> {
                        assertThat(f.problem()).isEqualTo(Problem.CORRUPT);
                        assertThat(f.getMessage()).contains("sequence " + c[1] + " at offset " + c[0]);
                    });
            Files.write(segment, original);
        }
    }

    @Test
    void aMissingMiddleSegmentIsCorruptUnlessTheStoreHoldsItsRecords() throws IOException {
        long seed = Logs.seed("aMissingMiddleSegmentIsCorruptUnlessTheStoreHoldsItsRecords");
        Path dir = log("log", 1000, 60, new SplittableRandom(seed));
        long last = lastOf(dir);
        List<Path> segments = Logs.segments(dir);
        assertThat(segments).as("seed %d", seed).hasSizeGreaterThan(3);
        Path missing = segments.get(1);
        long from = LogFormat.parseSegmentName(missing.getFileName().toString());
        long next = LogFormat.parseSegmentName(segments.get(2).getFileName().toString());
        Files.delete(missing);
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.CORRUPT);
            assertThat(f.getMessage()).contains(segments.get(2).toString(), "records " + from + ".." + (next - 1));
        });
        assertThatThrownBy(() -> Logs.replay(dir, next - 2, false)).isInstanceOf(StoreFailure.class)
                .hasMessageContaining("records " + (next - 1) + ".." + (next - 1) + " are missing");
        assertThat(Logs.replay(dir, next - 1, false).sequences()).as("the store holds the missing records")
                .isEqualTo(Logs.range(next, last));
        Logs.Replayed t = Logs.replay(dir, 0, true);
        assertThat(t.sequences()).isEqualTo(Logs.range(1, from - 1));
        assertThat(t.replay().newestSegment()).isEqualTo(segments.getFirst());
        assertThat(t.replay().newestValidLength()).isEqualTo(Files.size(segments.getFirst()));
    }

    @Test
    void oldSegmentsAtOrBelowTheFlushedSequenceAreReadButNotReplayed() throws IOException {
        long seed = Logs.seed("oldSegmentsAtOrBelowTheFlushedSequenceAreReadButNotReplayed");
        Path dir = log("log", 1000, 60, new SplittableRandom(seed));
        long last = lastOf(dir);
        long third = LogFiles.list(dir).keySet().stream().skip(2).findFirst().orElseThrow();
        Logs.Replayed r = Logs.replay(dir, third + 1, false);
        assertThat(r.sequences()).isEqualTo(Logs.range(third + 2, last));
        assertThat(r.replay().lastSequence()).isEqualTo(last);
        // damage below the flushed sequence is still damage
        Logs.flipBit(Logs.segments(dir).getFirst(), LogFormat.HEADER_BYTES + 20, 3);
        assertThatThrownBy(() -> Logs.replay(dir, third + 1, false)).isInstanceOf(StoreFailure.class);
    }

    @Test
    void aSegmentOfAnotherDatabaseIsForeignInBothModes() throws IOException {
        Path dir = log("log", 1000, 30, new SplittableRandom(1));
        Path other = Files.createDirectories(tmp.resolve("other"));
        try (LogWriter w = LogWriter.create(other, Logs.DB + 1, lastOf(dir) + 1, 1000, null)) {
            Logs.writeGroup(w, lastOf(dir) + 1, lastOf(dir) + 1);
        }
        Path foreign = Logs.segments(other).getFirst();
        Files.copy(foreign, dir.resolve(foreign.getFileName()));
        for (boolean tolerant : new boolean[] {false, true}) {
            assertThatThrownBy(() -> Logs.replay(dir, 0, tolerant)).isInstanceOfSatisfying(StoreFailure.class, f -> {
                assertThat(f.problem()).isEqualTo(Problem.FOREIGN);
                assertThat(f.getMessage()).contains(foreign.getFileName().toString(), Long.toString(Logs.DB + 1));
            });
        }
    }

    @Test
    void aNewerFormatIsVersionAndABadHeaderIsCorrupt() throws IOException {
        Path dir = log("log", 1000, 40, new SplittableRandom(2));
        List<Path> segments = Logs.segments(dir);
        Path first = segments.getFirst();
        byte[] original = Files.readAllBytes(first);
        Logs.editHeader(first, h -> h.set(LogFormat.U32, LogFormat.H_VERSION, 2));
        for (boolean tolerant : new boolean[] {false, true}) {
            assertThatThrownBy(() -> Logs.replay(dir, 0, tolerant)).isInstanceOfSatisfying(StoreFailure.class,
                    f -> assertThat(f.problem()).isEqualTo(Problem.VERSION));
        }
        Logs.editHeader(first, h -> {
            h.set(LogFormat.U32, LogFormat.H_VERSION, 1);
            h.set(LogFormat.U64, LogFormat.H_FIRST, 2);
        });
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).isInstanceOf(StoreFailure.class)
                .hasMessageContaining("first sequence is 2, its name 1");
        Files.write(first, original);
        Logs.flipBit(first, LogFormat.H_CREATED, 0);
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.CORRUPT);
            assertThat(f.getMessage()).contains(first.toString(), "header that fails its CRC");
        });
        Files.write(first, original);
        Logs.flipBit(first, 0, 0);
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).hasMessageContaining("magic");
        Files.write(first, Arrays.copyOf(original, 40));
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).isInstanceOfSatisfying(StoreFailure.class,
                f -> assertThat(f.getMessage()).contains("40 bytes, shorter than a segment header"));
        Logs.Replayed t = Logs.replay(dir, 0, true);
        assertThat(t.sequences()).isEmpty();
        assertThat(t.replay().newestSegment()).isNull();
        assertThat(t.replay().lastSequence()).isZero();
        assertThat(LogReader.setAside(dir, t.replay())).isEqualTo(segments.size());
        assertThat(Logs.segments(dir)).isEmpty();
        try (LogWriter w = LogWriter.resume(dir, Logs.DB, t.replay(), 1000, null)) {
            Logs.writeGroup(w, 1, 1);
        }
        assertThat(Logs.replay(dir, 0, false).sequences()).containsExactly(1L);
    }

    @Test
    void aNewestSegmentWithATornHeaderHoldsNothingAndIsMadeAgain() throws IOException {
        for (int size : new int[] {0, 1, 63, 64, 200}) {
            Path dir = log("torn-" + size, 1000, 3, new SplittableRandom(3));
            long last = lastOf(dir);
            Path next = dir.resolve(LogFormat.segmentName(last + 1));
            Files.write(next, new byte[size]); // a crash right after create: nothing, or zeros
            Logs.Replayed r = Logs.replay(dir, 0, false);
            assertThat(r.sequences()).as("size %d", size).isEqualTo(Logs.range(1, last));
            assertThat(r.replay().newestSegment()).isEqualTo(next);
            assertThat(r.replay().bytesDropped()).isEqualTo(size);
            try (LogWriter w = LogWriter.resume(dir, Logs.DB, r.replay(), 1000, null)) {
                assertThat(w.currentSegment()).isEqualTo(next);
                Logs.writeGroup(w, last + 1, last + 1);
            }
            assertThat(Logs.replay(dir, 0, false).sequences()).isEqualTo(Logs.range(1, last + 1));
        }
    }

    @Test
    void otherNamesAreIgnoredAndALinkUnderASegmentNameIsNeverFollowed() throws IOException {
        Path dir = log("log", 1000, 5, new SplittableRandom(4));
        long last = lastOf(dir);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("x"), new byte[100]);
        for (String name : new String[] {"log-1.wal", "log-00000000000000000001.wal.dropped", "LOCK", "log-abc.wal"}) {
            Files.write(dir.resolve(name), new byte[] {1, 2, 3});
        }
        Files.createSymbolicLink(dir.resolve("log-99999999999999999999.wal"), outside.resolve("x"));
        assertThat(Logs.replay(dir, 0, false).sequences()).isEqualTo(Logs.range(1, last));
        Path link = dir.resolve(LogFormat.segmentName(last + 1));
        Files.createSymbolicLink(link, outside.resolve("x"));
        assertThatThrownBy(() -> Logs.replay(dir, 0, false)).isInstanceOfSatisfying(StoreFailure.class, f -> {
            assertThat(f.problem()).isEqualTo(Problem.CORRUPT);
            assertThat(f.getMessage()).contains(link.toString(), "a link");
        });
        assertThat(Files.readAllBytes(outside.resolve("x"))).isEqualTo(new byte[100]);
    }

    @Test
    void aGapTheStoreCoversIsFineAndResumeStartsASegmentAfterIt() throws IOException {
        // an unforced log lost its tail (records 4..9) while the store reached 9
        Path dir = log("log", 1 << 20, 1, new SplittableRandom(5));
        long last = lastOf(dir);
        Logs.Replayed r = Logs.replay(dir, last + 6, false);
        assertThat(r.sequences()).isEmpty();
        assertThat(r.replay().lastSequence()).isEqualTo(last + 6);
        assertThat(r.replay().newestLastSequence()).isEqualTo(last);
        try (LogWriter w = LogWriter.resume(dir, Logs.DB, r.replay(), 1 << 20, null)) {
            assertThat(w.currentSegment()).isEqualTo(dir.resolve(LogFormat.segmentName(last + 7)));
            Logs.writeGroup(w, last + 7, last + 8);
        }
        assertThat(Logs.replay(dir, last + 6, false).sequences()).containsExactly(last + 7, last + 8);
        assertThatThrownBy(() -> Logs.replay(dir, last + 5, false)).isInstanceOf(StoreFailure.class)
                .hasMessageContaining("are missing");
    }
}
