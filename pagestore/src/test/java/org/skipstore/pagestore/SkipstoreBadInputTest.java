package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.pagestore.SkipstoreRecoveryCrashTest.segments;
import static org.skipstore.pagestore.SkipstoreTest.b;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * What the engine does with what it must not accept: a log segment of another database
 * (FOREIGN, in both open modes), a damaged or missing segment (CORRUPT; with
 * {@code openAtLastConsistentPoint} it opens at the last good record, says what it dropped and
 * sets the damaged files aside, deleting nothing), a torn tail (dropped at open), a second open
 * (LOCKED), use after close (CLOSED) of the database, a snapshot and a cursor, and keys, values
 * and batches past the limits (IllegalArgumentException at the call, nothing written).
 */
@Timeout(120) // a guard: a bug here may leave a checkpoint, a close or an open waiting forever
class SkipstoreBadInputTest {

    static final int WRITES = 300;

    @TempDir
    Path dir;

    static SkipstoreBuilder builder() {
        return Skipstore.builder().memtableBytes(4 << 20).logSegmentBytes(64 << 10).durability(WriteDurability.NO_SYNC);
    }

    static byte[] key(int i) {
        return b(String.format("k%05d", i));
    }

    /** Write {@code i} puts key i: a state is a prefix of the writes, told by its sequence. */
    static void writes(Skipstore db, int from, int to) {
        for (int i = from; i < to; i++) {
            db.put(key(i), b(i + "-" + "v".repeat(1000)));
        }
    }

    /** {@link #WRITES} writes over several log segments, unflushed, then a crash: the log holds them all. */
    Path logOfSeveralSegments(String name) throws IOException {
        Path d = dir.resolve(name);
        try (Skipstore db = builder().open(d)) {
            writes(db, 0, WRITES);
            db.crash();
        }
        assertThat(segments(d)).hasSizeGreaterThanOrEqualTo(4);
        return d;
    }

    /** The database holds exactly writes 0..n-1, n being its sequence. */
    static long assertPrefix(Skipstore db) {
        long n = db.stats().sequence();
        List<KeyValue> all = db.list(Range.all());
        assertThat(all).hasSize((int) n);
        for (int i = 0; i < n; i++) {
            assertThat(all.get(i).key()).isEqualTo(key(i));
        }
        return n;
    }

    static Map<String, byte[]> files(Path d) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().startsWith("store.skp")) {
                    m.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
        }
        return m;
    }

    /**
     * The calls (by index) that did not throw {@code problem}'s {@link SkipstoreException} (null:
     * an {@link IllegalArgumentException}), with what they did instead.
     */
    static List<String> notRefused(List<ThrowingCallable> calls, Problem problem) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            try {
                calls.get(i).call();
                out.add(i + ": returned");
            } catch (SkipstoreException e) {
                if (e.problem() != problem) {
                    out.add(i + ": " + e);
                }
            } catch (IllegalArgumentException e) {
                if (problem != null) {
                    out.add(i + ": " + e);
                }
            } catch (Throwable e) {
                out.add(i + ": " + e);
            }
        }
        return out;
    }

    static void assertProblem(ThrowingCallable call, Problem problem) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(problem));
    }

    @Test
    void aSegmentOfAnotherDatabaseIsRefusedInBothOpenModesAndNothingIsTouched() throws IOException {
        Path ours = logOfSeveralSegments("ours");
        Path theirs = dir.resolve("theirs");
        try (Skipstore db = builder().open(theirs)) {
            writes(db, 0, 10);
        }
        // where our next segment would start, and far after it
        for (long first : new long[] {WRITES + 1, WRITES + 1_000}) {
            Path copy = ours.resolve(String.format("log-%020d.wal", first));
            Files.copy(segments(theirs).getFirst(), copy);
            Map<String, byte[]> before = files(ours);
            assertProblem(() -> builder().open(ours), Problem.FOREIGN);
            assertProblem(() -> builder().openAtLastConsistentPoint(true).open(ours), Problem.FOREIGN);
            assertThat(files(ours)).as("no file renamed, cut or deleted").containsOnlyKeys(before.keySet())
                    .allSatisfy((name, bytes) -> assertThat(bytes).isEqualTo(before.get(name)));
            Files.delete(copy);
        }
        try (Skipstore db = builder().open(ours)) {
            assertThat(assertPrefix(db)).isEqualTo(WRITES);
        }
    }

    @Test
    void aBitFlippedInTheMiddleOfTheLogIsCorruptAndTheTolerantOpenSetsTheRestAsideDeletingNothing() throws IOException {
        Path d = logOfSeveralSegments("flipped");
        Path damaged = segments(d).get(1);
        byte[] original = Files.readAllBytes(damaged);
        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(damaged, flipped);
        Map<String, byte[]> before = files(d);
        assertThatThrownBy(() -> builder().open(d)).isInstanceOfSatisfying(SkipstoreException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
            assertThat(e.getMessage()).contains(damaged.getFileName().toString());
        });
        assertThat(files(d)).as("the failed open changed nothing").containsOnlyKeys(before.keySet());
        long kept;
        try (Skipstore db = builder().openAtLastConsistentPoint(true).open(d)) {
            kept = assertPrefix(db);
            assertThat(kept).as("the writes before the damaged record").isBetween(1L, WRITES - 1L);
            List<String> dropped = db.stats().droppedAtOpen();
            assertThat(dropped).isNotEmpty();
            assertThat(dropped.getFirst()).contains(damaged.getFileName().toString());
            assertSetAside(d, before, damaged.getFileName().toString());
            writes(db, (int) kept, (int) kept + 5); // the log goes on from the last good record
            db.crash();
        }
        try (Skipstore db = builder().open(d)) {
            assertThat(assertPrefix(db)).as("the set-aside files are not the log's any more").isEqualTo(kept + 5);
        }
    }

    /**
     * Every byte of the log before the tolerant open is still in the directory: the kept segments
     * as they were, the cut one's prefix plus its {@code .tail-<n>.dropped}, the later ones as
     * {@code .dropped}.
     */
    static void assertSetAside(Path d, Map<String, byte[]> before, String cut) throws IOException {
        Map<String, byte[]> after = files(d);
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            String name = e.getKey();
            byte[] was = e.getValue();
            if (name.equals(cut)) {
                byte[] prefix = after.get(name);
                String tail = after.keySet().stream().filter(n -> n.startsWith(name + ".tail-")).findFirst().orElseThrow();
                assertThat(tail).isEqualTo(name + ".tail-" + prefix.length + ".dropped");
                byte[] whole = ByteBuffer.allocate(was.length).put(prefix).put(after.get(tail)).array();
                assertThat(whole).as("%s: kept part and set-aside tail", name).isEqualTo(was);
            } else if (after.containsKey(name)) {
                assertThat(after.get(name)).as(name).isEqualTo(was);
            } else {
                assertThat(after.get(name + ".dropped")).as("%s set aside whole", name).isEqualTo(was);
            }
        }
    }

    @Test
    void aMissingMiddleSegmentIsCorruptAndTheTolerantOpenStopsBeforeIt() throws IOException {
        Path d = logOfSeveralSegments("missing");
        List<Path> segs = segments(d);
        Files.delete(segs.get(2));
        long endOfSecond = Long.parseLong(segs.get(2).getFileName().toString().substring(4, 24)) - 1;
        Map<String, byte[]> before = files(d);
        assertProblem(() -> builder().open(d), Problem.CORRUPT);
        try (Skipstore db = builder().openAtLastConsistentPoint(true).open(d)) {
            assertThat(assertPrefix(db)).as("every write before the gap").isEqualTo(endOfSecond);
            assertThat(db.stats().droppedAtOpen()).isNotEmpty();
            assertThat(String.join("\n", db.stats().droppedAtOpen())).contains("missing");
            assertSetAside(d, before, "");
        }
    }

    @Test
    void aTornTailIsDroppedAtOpenAndTheLogGoesOnAfterIt() throws IOException {
        Path d = logOfSeveralSegments("torn");
        Path newest = segments(d).getLast();
        try (var ch = Files.newByteChannel(newest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10); // inside the last record
        }
        try (Skipstore db = builder().open(d)) {
            assertThat(assertPrefix(db)).isEqualTo(WRITES - 1);
            assertThat(db.stats().droppedAtOpen()).as("a torn tail is a crash's, not damage").isEmpty();
            writes(db, WRITES - 1, WRITES + 2);
            db.crash();
        }
        Files.write(segments(d).getLast(), new byte[100], StandardOpenOption.APPEND); // zeros after a crash
        try (Skipstore db = builder().open(d)) {
            assertThat(assertPrefix(db)).isEqualTo(WRITES + 2);
        }
    }

    @Test
    void aSecondOpenIsLocked() {
        try (Skipstore db = builder().open(dir)) {
            db.put(b("a"), b("1"));
            assertProblem(() -> builder().open(dir), Problem.LOCKED);
            assertProblem(() -> builder().openAtLastConsistentPoint(true).open(dir), Problem.LOCKED);
        }
        try (Skipstore db = builder().open(dir)) {
            assertThat(db.get(b("a"))).isEqualTo(b("1"));
        }
    }

    @Test
    void afterTheCloseTheDatabaseItsSnapshotsAndItsCursorsFailClosed() {
        Skipstore db = builder().memtableBytes(1 << 20).open(dir);
        writes(db, 0, 100);
        DbSnapshot snap = db.snapshot();
        OrderedCursor onSnapshot = snap.cursor();
        assertThat(onSnapshot.first()).isTrue();
        writes(db, 100, 2000); // more than a memtable: the snapshot's memtable is flushed and retired
        db.flush();
        OrderedCursor live = db.cursor();
        assertThat(live.seek(key(5))).isTrue();
        db.close();
        List<ThrowingCallable> calls = new ArrayList<>(List.of(() -> db.put(b("k"), b("v")), () -> db.delete(b("k")),
                () -> db.write(new WriteBatch().put(b("k"), b("v"))), () -> db.get(b("k")), db::snapshot, db::cursor,
                () -> db.list(Range.all()), () -> db.stream(Range.all()), db::flush, () -> db.checkpoint(Map.of()),
                db::sync, db::metadata));
        calls.addAll(List.of(() -> snap.get(key(1)), () -> snap.get(key(500)), () -> snap.list(Range.all()),
                snap::cursor));
        calls.addAll(List.of(onSnapshot::next, onSnapshot::first, () -> onSnapshot.seek(key(3)), live::next,
                live::prev, live::last));
        assertThat(notRefused(calls, Problem.CLOSED)).as("calls after the close that did not fail CLOSED").isEmpty();
        db.close(); // idempotent, and so are these
        live.close();
        onSnapshot.close();
        snap.close();
    }

    @Test
    void aClosedSnapshotAndAClosedCursorFailClosedWhileTheDatabaseIsOpen() {
        try (Skipstore db = builder().open(dir)) {
            writes(db, 0, 10);
            DbSnapshot snap = db.snapshot();
            OrderedCursor c = snap.cursor();
            OrderedCursor open = snap.cursor();
            OrderedCursor own = db.cursor();
            assertThat(open.first()).isTrue();
            c.close();
            own.close();
            assertProblem(c::next, Problem.CLOSED);
            assertProblem(() -> own.seek(key(1)), Problem.CLOSED);
            snap.close();
            assertProblem(() -> snap.get(key(1)), Problem.CLOSED);
            assertProblem(snap::cursor, Problem.CLOSED);
            assertProblem(open::next, Problem.CLOSED); // valid while the snapshot is open, no longer
            open.close();
            assertThat(db.get(key(1))).as("the database reads on").isNotNull();
        }
    }

    @Test
    void keysValuesAndBatchesPastTheLimitsAreRefusedAtTheCallWithNothingWritten() {
        try (Skipstore db = builder().memtableBytes(1 << 20).open(dir)) {
            writes(db, 0, 10);
            db.checkpoint(Map.of("offset", b("10")));
            assertThat(db.stats().flushes()).as("counted when the checkpoint returns").isEqualTo(1);
            long sequence = db.stats().sequence();
            long logBytes = db.stats().logBytesWritten();
            long flushes = db.stats().flushes();
            byte[] bigKey = new byte[db.maxKeyBytes() + 1];
            byte[] bigValue = new byte[(int) db.maxValueBytes() + 1];
            WriteBatch bigBatch = new WriteBatch();
            for (int i = 0; bigBatch.memtableBytes() <= (1 << 19); i++) {
                bigBatch.put(key(100 + i), new byte[100]); // each fine alone, too much together
            }
            List<ThrowingCallable> calls = List.of(() -> db.put(bigKey, b("v")), () -> db.delete(bigKey),
                    () -> db.put(b("k"), bigValue), () -> db.write(new WriteBatch().put(b("a"), b("1")).put(bigKey, b("2"))),
                    () -> db.write(new WriteBatch().put(b("a"), b("1")).put(b("b"), bigValue)), () -> db.write(bigBatch),
                    () -> db.write(new WriteBatch().put(b("a"), b("1")), WriteDurability.NO_LOG), () -> db.get(bigKey),
                    () -> db.checkpoint(Map.of("offset", b("11"), Skipstore.RESERVED_PREFIX + "x", b("1"))),
                    () -> db.checkpoint(Map.of("offset", b("11"), "big", new byte[5000])), // past the 4 KiB of metadata
                    () -> db.checkpoint(Map.of("offset", b("11"), "x".repeat(300), b("1"))),
                    () -> db.checkpoint(Map.of("offset", b("11"), "", b("1"))));
            assertThat(notRefused(calls, null)).as("calls not refused with IllegalArgumentException").isEmpty();
            assertThat(db.stats().sequence()).as("no write got a sequence").isEqualTo(sequence);
            assertThat(db.stats().logBytesWritten()).as("nothing logged").isEqualTo(logBytes);
            assertThat(db.stats().flushes()).as("no checkpoint ran").isEqualTo(flushes);
            assertThat(db.metadata().get("offset")).isEqualTo(b("10"));
            db.put(new byte[db.maxKeyBytes()], new byte[(int) db.maxValueBytes()]); // the limits themselves pass
            db.checkpoint(Map.of("offset", b("12"), "big", new byte[3000]));
            db.crash();
        }
        try (Skipstore db = builder().open(dir)) {
            assertThat(db.list(Range.all())).hasSize(11);
            assertThat(db.metadata().get("big")).hasSize(3000);
            assertThat(db.get(b("a"))).isNull();
            assertThat(db.metadata().get("offset")).isEqualTo(b("12"));
        }
    }
}
