package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.pagestore.SkipstoreTest.b;
import static org.skipstore.pagestore.SkipstoreTest.s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * A crash at each named {@link Point} of the write and flush paths ({@link CrashHook}, then
 * {@link Skipstore#crash()}) recovers exactly the acknowledged writes: in the logged modes all
 * of them, with the write in flight whole or absent; in NO_LOG what the last committed flush
 * holds. Also: a batch split across two memtables by a seal survives a crash between their
 * flushes whole, and no reader sees a write before its log force. Replay and the recovery's own
 * flush are in SkipstoreRecoveryCrashTest.
 */
@Timeout(120) // a guard: a bug here may leave a checkpoint, a close or an open waiting forever
class SkipstoreCrashTest {

    static final List<WriteDurability> LOGGED = List.of(WriteDurability.SYNC, WriteDurability.GROUP,
            WriteDurability.NO_SYNC);
    static final List<Point> FLUSH_POINTS = List.of(Point.FLUSH_WRITTEN, Point.FLUSH_COMMITTED,
            Point.FLUSH_PUBLISHED, Point.LOG_TRIMMED);

    @TempDir
    Path dir;

    /** A batch and what it does to the expected state (a null value deletes). */
    static final class Ops {
        final WriteBatch batch = new WriteBatch();
        final Map<String, String> changes = new LinkedHashMap<>();

        Ops put(String k, String v) {
            batch.put(b(k), b(v));
            changes.put(k, v);
            return this;
        }

        Ops delete(String k) {
            batch.delete(b(k));
            changes.put(k, null);
            return this;
        }

        /** {@code state} with this batch applied, as a new map. */
        TreeMap<String, String> after(Map<String, String> state) {
            TreeMap<String, String> m = new TreeMap<>(state);
            changes.forEach((k, v) -> {
                if (v == null) {
                    m.remove(k);
                } else {
                    m.put(k, v);
                }
            });
            return m;
        }
    }

    static TreeMap<String, String> contents(Skipstore db) {
        TreeMap<String, String> m = new TreeMap<>();
        for (KeyValue kv : db.list(Range.all())) {
            m.put(s(kv.key()), s(kv.value()));
        }
        return m;
    }

    static SkipstoreBuilder builder(WriteDurability mode, CrashHook hook) {
        return Skipstore.builder().memtableBytes(1 << 20).logSegmentBytes(64 << 10).durability(mode).hook(hook);
    }

    /** Batch {@code i} of the writes the tests acknowledge: two puts and, from the fifth, a delete of an earlier key. */
    static Ops batch(int i, int valueBytes) {
        Ops o = new Ops().put(String.format("k%05d-a", i), i + "a" + "x".repeat(valueBytes))
                .put(String.format("k%05d-b", i), i + "b");
        return i >= 5 && i % 3 == 0 ? o.delete(String.format("k%05d-a", i - 5)) : o;
    }

    /** Writes batches {@code from..to-1} and returns the state they leave on {@code state}. */
    static TreeMap<String, String> write(Skipstore db, TreeMap<String, String> state, int from, int to, int valueBytes) {
        for (int i = from; i < to; i++) {
            Ops o = batch(i, valueBytes);
            db.write(o.batch);
            state = o.after(state);
        }
        return state;
    }

    /** Every point of {@code points} in every mode of {@code modes}. */
    static Stream<Arguments> crossed(List<Point> points, List<WriteDurability> modes) {
        return points.stream().flatMap(p -> modes.stream().map(d -> Arguments.of(p, d)));
    }

    static Stream<Arguments> writePointsInLoggedModes() {
        return crossed(List.of(Point.LOG_WRITTEN, Point.LOG_FORCED, Point.APPLIED), LOGGED);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("writePointsInLoggedModes")
    void aCrashAtAWritePointKeepsEveryAcknowledgedWriteAndTheOneInFlightWholeOrAbsent(Point point, WriteDurability mode) {
        CrashHook hook = new CrashHook();
        TreeMap<String, String> acked;
        Ops inFlight = new Ops().put("x1", "in flight").put("x2", "in flight").delete("k00003-b");
        try (Skipstore db = builder(mode, hook).open(dir)) {
            acked = write(db, new TreeMap<>(), 0, 40, 10);
            hook.arm(point, 0);
            assertThatThrownBy(() -> db.write(inFlight.batch)).isInstanceOf(SkipstoreException.class);
            assertThat(hook.firedAt()).isEqualTo(point);
            // reads go on, and never show the failed write: it was not published
            assertThat(contents(db)).isEqualTo(acked);
            assertThatThrownBy(() -> db.put(b("later"), b("1"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.FAILED_WRITE));
            db.crash();
        }
        TreeMap<String, String> withIt = inFlight.after(acked);
        TreeMap<String, String> recovered;
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            recovered = contents(db);
            assertThat(recovered).as("acknowledged writes, the one in flight whole or absent").isIn(acked, withIt);
            db.crash(); // replay again, from the same log
        }
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            assertThat(contents(db)).as("a second replay of the same log").isEqualTo(recovered);
        }
    }

    @Test
    void aNoLogCrashAtApplyKeepsTheLastCheckpoint() {
        CrashHook hook = new CrashHook();
        TreeMap<String, String> checkpointed;
        try (Skipstore db = builder(WriteDurability.NO_LOG, hook).open(dir)) {
            checkpointed = write(db, new TreeMap<>(), 0, 40, 10);
            db.checkpoint(Map.of("offset", b("40")));
            write(db, checkpointed, 40, 60, 10);
            hook.arm(Point.APPLIED, 0);
            assertThatThrownBy(() -> db.put(b("x"), b("1"))).isInstanceOf(SkipstoreException.class);
            assertThat(hook.passes(Point.LOG_WRITTEN)).as("no log in NO_LOG").isZero();
            db.crash();
        }
        try (Skipstore db = builder(WriteDurability.NO_LOG, new CrashHook()).open(dir)) {
            assertThat(contents(db)).isEqualTo(checkpointed);
            assertThat(s(db.metadata().get("offset"))).isEqualTo("40");
        }
    }

    /**
     * A memtable holding only deletes (no live key) still holds writes: a checkpoint must flush it
     * (and return), in every mode, and so must the NO_LOG close; the deletes survive a crash.
     */
    @ParameterizedTest
    @EnumSource(WriteDurability.class)
    void aCheckpointOfOnlyDeletesFlushesThemAndReturns(WriteDurability mode) {
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            db.put(b("a"), b("1"));
            db.put(b("b"), b("2"));
            db.checkpoint(Map.of("n", b("1")));
            db.delete(b("a"));
            db.checkpoint(Map.of("n", b("2")));
            assertThat(db.stats().flushedSequence()).isEqualTo(3);
            db.delete(b("b"));
            db.crash();
        }
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            assertThat(contents(db)).isEqualTo(mode == WriteDurability.NO_LOG ? Map.of("b", "2") : Map.of());
            assertThat(s(db.metadata().get("n"))).isEqualTo("2");
            db.delete(b("b"));
        } // a NO_LOG close flushes the delete
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            assertThat(contents(db)).isEmpty();
        }
    }

    static Stream<Arguments> flushPointsInEveryMode() {
        return crossed(FLUSH_POINTS, List.of(WriteDurability.values()));
    }

    /**
     * A checkpoint's flush crashes at {@code point}, over a log of several segments. Logged: every
     * acknowledged write survives. NO_LOG: before the flush's commit, the state of the checkpoint
     * before; after it, every write. The metadata is the old checkpoint's or the new one's, and the
     * new one's only with its writes.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("flushPointsInEveryMode")
    void aCrashInAFlushRecoversTheSameWrites(Point point, WriteDurability mode) {
        CrashHook hook = new CrashHook();
        TreeMap<String, String> first;
        TreeMap<String, String> all;
        long segments;
        try (Skipstore db = builder(mode, hook).open(dir)) {
            first = write(db, new TreeMap<>(), 0, 60, 1000);
            db.checkpoint(Map.of("n", b("1")));
            all = write(db, first, 60, 200, 1000);
            segments = db.stats().logSegments();
            hook.arm(point, 0);
            assertThatThrownBy(() -> db.checkpoint(Map.of("n", b("2")))).isInstanceOf(SkipstoreException.class);
            assertThat(hook.firedAt()).isEqualTo(point);
            assertThat(contents(db)).as("reads go on after a failed flush").isEqualTo(all);
            db.crash();
        }
        if (mode != WriteDurability.NO_LOG) {
            assertThat(segments).as("the writes span several log segments").isGreaterThan(2);
        }
        boolean committed = mode != WriteDurability.NO_LOG || point != Point.FLUSH_WRITTEN;
        for (int reopen = 0; reopen < 2; reopen++) {
            try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
                assertThat(contents(db)).as("reopen %d", reopen).isEqualTo(committed ? all : first);
                String n = s(db.metadata().get("n"));
                assertThat(n).isIn("1", "2");
                if (n.equals("2")) {
                    assertThat(db.stats().flushedSequence()).as("metadata only with its writes").isEqualTo(200);
                }
                if (reopen == 1) { // the segments the crash left are trimmed by the next flush of a memtable
                    db.put(b("next"), b("1"));
                    db.flush();
                    assertThat(db.stats().logSegments()).as("a flush trims every segment but the current one")
                            .isLessThanOrEqualTo(1);
                }
                db.crash();
            }
        }
    }

    /**
     * A batch that does not fit the active memtable is split by a seal: its first part lies in the
     * memtable flushed next, the rest in the new one. A crash after that flush and before the next
     * must recover the batch whole: the flush records the last sequence whole in its memtable, and
     * replay applies the split batch again.
     */
    @ParameterizedTest
    @EnumSource(WriteDurability.class)
    void aBatchSplitAcrossTwoMemtablesSurvivesACrashBetweenTheirFlushesWhole(WriteDurability mode) {
        CrashHook hook = new CrashHook();
        TreeMap<String, String> before;
        Ops split = new Ops();
        for (int i = 0; i < 400; i++) {
            split.put(String.format("s%04d", i), "split " + "y".repeat(1000));
        }
        try (Skipstore db = builder(mode, hook).open(dir)) {
            TreeMap<String, String> state = new TreeMap<>();
            for (int i = 0; i < 700; i++) { // about 750 KiB of the 1 MiB memtable: the batch cannot fit
                String k = String.format("f%04d", i);
                db.put(b(k), b("z".repeat(1000)));
                state.put(k, "z".repeat(1000));
            }
            before = state;
            hook.arm(Point.FLUSH_COMMITTED, 0); // the first flush, of the memtable holding the batch's first part
            db.write(split.batch);
            // the flusher takes the sealed memtable on its own; a flush() before it does would seal
            // the rest of the batch too, and the two memtables would go in one flush, unsplit
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!hook.fired() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThatThrownBy(db::flush).isInstanceOf(SkipstoreException.class);
            assertThat(hook.firedAt()).isEqualTo(Point.FLUSH_COMMITTED);
            db.crash();
        }
        TreeMap<String, String> after = split.after(before);
        try (Skipstore db = builder(mode, new CrashHook()).open(dir)) {
            // the flushed memtable ended inside the batch: logged, the flush records the write before
            // it and replay applies it again; without a log the flush wrote it whole
            assertThat(db.stats().flushedSequence()).isEqualTo(mode == WriteDurability.NO_LOG ? 701 : 700);
            TreeMap<String, String> got = contents(db);
            assertThat(got.equals(before) || got.equals(after)).as("the batch whole or absent (%d of its %d keys)",
                    got.keySet().stream().filter(k -> k.startsWith("s")).count(), split.changes.size()).isTrue();
            assertThat(got).as("flushed or logged: whole").isEqualTo(after);
        }
    }

    /**
     * In the durable modes a reader sees a write only after its log force: at every point before
     * the write returns, a read of its key finds the value of the write before.
     */
    @ParameterizedTest
    @EnumSource(value = WriteDurability.class, names = {"SYNC", "GROUP"})
    void noReaderSeesAWriteBeforeItsLogForce(WriteDurability mode) {
        List<String> early = new ArrayList<>();
        Skipstore[] db = new Skipstore[1];
        String[] visible = new String[1]; // the value readers may see while the next write is in flight
        byte[] key = b("watched");
        Point.Hook hook = p -> {
            if (p == Point.LOG_WRITTEN || p == Point.LOG_FORCED || p == Point.APPLIED) {
                String v = s(db[0].get(key));
                if (!java.util.Objects.equals(v, visible[0])) {
                    early.add(v + " at " + p + " (expected " + visible[0] + ")");
                }
            }
        };
        try (Skipstore d = builder(mode, new CrashHook()).hook(hook).open(dir)) {
            db[0] = d;
            for (int i = 0; i < 20; i++) {
                d.put(key, b("v" + i));
                visible[0] = "v" + i;
                assertThat(s(d.get(key))).isEqualTo("v" + i);
                d.delete(key);
                visible[0] = null;
                assertThat(d.get(key)).isNull();
            }
        }
        assertThat(early).as("reads that saw a write before its force").isEmpty();
    }
}
