package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.pagestore.SkipstoreCrashTest.contents;
import static org.skipstore.pagestore.SkipstoreCrashTest.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * Replay and the recovery's own flush are idempotent: a crash during the flushes that an open
 * makes when replay fills memtables (and during the NO_LOG open that flushes a logged database's
 * log away) leaves a directory that the next open recovers to the same writes, again and again;
 * so does a crash that left a log trim half done (the oldest segments deleted, later ones not).
 */
@Timeout(120) // a guard: a bug here may leave a checkpoint, a close or an open waiting forever
class SkipstoreRecoveryCrashTest {

    @TempDir
    Path dir;

    static SkipstoreBuilder builder(WriteDurability mode, long memtableBytes, CrashHook hook) {
        return Skipstore.builder().memtableBytes(memtableBytes).logSegmentBytes(64 << 10).durability(mode).hook(hook);
    }

    /** Writes about 6 MB into one big memtable and crashes: every write is in the log alone. */
    private TreeMap<String, String> unflushedLog() {
        try (Skipstore db = builder(WriteDurability.NO_SYNC, 64 << 20, new CrashHook()).open(dir)) {
            TreeMap<String, String> state = write(db, new TreeMap<>(), 0, 4000, 1500);
            assertThat(db.stats().flushes()).isZero();
            db.crash();
            return state;
        }
    }

    static List<Path> segments(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("log-\\d{20}\\.wal")).sorted().toList();
        }
    }

    @Test
    void aCrashInTheFlushesOfReplayLeavesADirectoryThatRecoversTheSameWrites() {
        TreeMap<String, String> expected = unflushedLog();
        List<Object[]> crashes = List.of(new Object[] {Point.FLUSH_WRITTEN, 0}, new Object[] {Point.FLUSH_COMMITTED, 0},
                new Object[] {Point.FLUSH_PUBLISHED, 1}, new Object[] {Point.LOG_TRIMMED, 0},
                new Object[] {Point.FLUSH_COMMITTED, 1});
        for (Object[] c : crashes) {
            CrashHook hook = new CrashHook().arm((Point) c[0], (Integer) c[1]);
            assertThatThrownBy(() -> builder(WriteDurability.NO_SYNC, 1 << 20, hook).open(dir))
                    .as("an open crashing at %s", c[0]).isInstanceOf(SkipstoreException.class);
            assertThat(hook.firedAt()).isEqualTo(c[0]);
        }
        for (int reopen = 0; reopen < 2; reopen++) {
            try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(dir)) {
                assertThat(contents(db)).as("reopen %d", reopen).isEqualTo(expected);
                assertThat(db.stats().replayedRecords()).as("replayed above the flushed sequence").isPositive();
                db.crash();
            }
        }
        try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(dir)) {
            assertThat(contents(db)).isEqualTo(expected);
        }
        try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(dir)) {
            assertThat(contents(db)).as("after a clean close").isEqualTo(expected);
        }
    }

    @Test
    void aNoLogOpenOfALoggedDatabaseCrashingInItsFlushRecoversTheSameWrites() throws IOException {
        TreeMap<String, String> expected = unflushedLog();
        for (Point p : List.of(Point.FLUSH_WRITTEN, Point.FLUSH_COMMITTED, Point.LOG_TRIMMED)) {
            CrashHook hook = new CrashHook().arm(p, 1);
            assertThatThrownBy(() -> builder(WriteDurability.NO_LOG, 1 << 20, hook).open(dir))
                    .isInstanceOf(SkipstoreException.class);
            assertThat(hook.firedAt()).isEqualTo(p);
            assertThat(segments(dir)).as("the log stays until the open flushed it all").isNotEmpty();
        }
        try (Skipstore db = builder(WriteDurability.NO_LOG, 1 << 20, new CrashHook()).open(dir)) {
            assertThat(contents(db)).isEqualTo(expected);
            assertThat(segments(dir)).as("flushed: the log is gone").isEmpty();
            db.crash();
        }
        try (Skipstore db = builder(WriteDurability.NO_LOG, 1 << 20, new CrashHook()).open(dir)) {
            assertThat(contents(db)).as("from the store alone").isEqualTo(expected);
        }
    }

    /**
     * A NO_LOG open of a logged database whose log holds only deletes flushes them before it
     * deletes the log, also when it crashes in that flush (its only one: the log is small).
     */
    @Test
    void aNoLogOpenOfALogOfDeletesKeepsThem() throws IOException {
        try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(dir)) {
            db.put(SkipstoreTest.b("a"), SkipstoreTest.b("1"));
            db.put(SkipstoreTest.b("b"), SkipstoreTest.b("2"));
            db.flush();
            db.delete(SkipstoreTest.b("a"));
            db.crash();
        }
        CrashHook hook = new CrashHook().arm(Point.FLUSH_WRITTEN, 0);
        assertThatThrownBy(() -> builder(WriteDurability.NO_LOG, 1 << 20, hook).open(dir))
                .isInstanceOf(SkipstoreException.class);
        assertThat(segments(dir)).as("the log stays until its writes are flushed").isNotEmpty();
        for (int reopen = 0; reopen < 2; reopen++) {
            try (Skipstore db = builder(WriteDurability.NO_LOG, 1 << 20, new CrashHook()).open(dir)) {
                assertThat(contents(db)).as("reopen %d", reopen).isEqualTo(Map.of("b", "2"));
                db.crash();
            }
        }
    }

    /**
     * The flush's trim deletes the oldest segments first; a crash in between leaves the newer
     * ones of those it meant to delete. Each such suffix opens to the same writes, and the next
     * flush deletes what is left.
     */
    @Test
    void aLogTrimLeftHalfDoneOpensToTheSameWritesAndIsFinishedByTheNextFlush() throws IOException {
        Path crashed = dir.resolve("crashed");
        TreeMap<String, String> state;
        Map<Path, byte[]> before = new TreeMap<>();
        try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(crashed)) {
            state = write(db, new TreeMap<>(), 0, 300, 1000);
            for (Path p : segments(crashed)) {
                before.put(p.getFileName(), Files.readAllBytes(p));
            }
            db.flush();
            state = write(db, state, 300, 305, 10);
            db.crash();
        }
        List<Path> trimmed = new ArrayList<>();
        for (Path name : before.keySet()) {
            if (!Files.exists(crashed.resolve(name))) {
                trimmed.add(name); // oldest first: the names sort by first sequence
            }
        }
        assertThat(trimmed).as("segments the flush deleted").hasSizeGreaterThanOrEqualTo(3);
        for (int kept : new int[] {1, trimmed.size() / 2, trimmed.size() - 1}) {
            Path d = dir.resolve("kept" + kept);
            Files.createDirectories(d);
            try (Stream<Path> files = Files.list(crashed)) {
                for (Path f : files.toList()) {
                    Files.copy(f, d.resolve(f.getFileName()));
                }
            }
            for (Path name : trimmed.subList(trimmed.size() - kept, trimmed.size())) {
                Files.write(d.resolve(name), before.get(name));
            }
            TreeMap<String, String> expected = new TreeMap<>(state);
            try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(d)) {
                assertThat(contents(db)).as("%d trimmed segments left", kept).isEqualTo(expected);
                assertThat(db.stats().replayedRecords()).as("only the writes after the flush").isEqualTo(5);
                assertThat(db.stats().logSegments()).as("and the open's new, preallocated segment")
                        .isEqualTo(kept + segments(crashed).size() + 1);
                db.put(SkipstoreTest.b("after"), SkipstoreTest.b("1"));
                expected.put("after", "1");
                db.flush();
                assertThat(db.stats().logSegments()).as("the next flush finishes the trim").isEqualTo(1);
                db.crash();
            }
            try (Skipstore db = builder(WriteDurability.NO_SYNC, 1 << 20, new CrashHook()).open(d)) {
                assertThat(contents(db)).isEqualTo(expected);
            }
        }
    }
}
