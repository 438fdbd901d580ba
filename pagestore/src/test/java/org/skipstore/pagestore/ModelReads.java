package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * The reads {@link SkipstoreModelTest} draws, each with what the model's TreeMap says it must
 * return: point reads, ranges of every bound shape both ways with limits, cursor walks that
 * switch direction, and snapshots kept open across later writes, flushes and checkpoints and
 * checked again. Each read method returns the operations it made.
 */
final class ModelReads {

    /** A snapshot kept open, and what it must go on returning. */
    private record OpenSnapshot(DbSnapshot snap, long sequence, List<byte[]> probes, List<byte[]> values,
                                RangeCase scan) {
    }

    private final SplittableRandom r;
    /** The test's keys. */
    private final Supplier<byte[]> keys;
    private final Supplier<String> where;
    private final List<OpenSnapshot> snapshots = new ArrayList<>();
    long snapshotChecks;

    ModelReads(SplittableRandom r, Supplier<byte[]> keys, Supplier<String> where) {
        this.r = r;
        this.keys = keys;
        this.where = where;
    }

    /** A key the model holds, mostly. */
    private byte[] existingKey(EngineModel model) {
        byte[] k = model.map.ceilingKey(keys.get());
        return k == null ? keys.get() : k;
    }

    /** A point read (get, containsKey, a segment get) of a key, held mostly; now and then the stats' sequence. */
    int get(Skipstore db, EngineModel model) {
        byte[] k = r.nextInt(3) == 0 ? existingKey(model) : keys.get();
        byte[] want = model.map.get(k);
        switch (r.nextInt(6)) {
            case 0 -> assertThat(db.containsKey(k)).as(where).isEqualTo(want != null);
            case 1 -> {
                MemorySegment v = db.get(MemorySegment.ofArray(k));
                assertThat(v == null ? null : v.toArray(ValueLayout.JAVA_BYTE)).as(where).isEqualTo(want);
            }
            default -> assertThat(db.get(k)).as(where).isEqualTo(want);
        }
        if (r.nextInt(100) == 0) {
            assertThat(db.stats().sequence()).as(where).isEqualTo(model.sequence);
        }
        return 1;
    }

    /** A random range read through the database, a stream or a snapshot of its own. */
    int scan(Skipstore db, EngineModel model) {
        ModelReads.RangeCase c = range(r, model.map, keys.get(), keys.get());
        List<KeyValue> got;
        switch (r.nextInt(3)) {
            case 0 -> got = db.list(c.range());
            case 1 -> {
                try (Stream<KeyValue> s = db.stream(c.range())) {
                    got = s.toList();
                }
            }
            default -> {
                try (DbSnapshot s = db.snapshot()) {
                    got = s.list(c.range());
                }
            }
        }
        assertThat(got).as(where).isEqualTo(c.expected());
        return 1;
    }

    /** A cursor walk on the database or on a snapshot of its own; returns its steps. */
    int walk(Skipstore db, EngineModel model) {
        boolean own = r.nextInt(3) == 0;
        try (DbSnapshot s = own ? db.snapshot() : null; OrderedCursor c = own ? s.cursor() : db.cursor()) {
            return walk(r, c, model.map, keys.get(), where);
        }
    }

    /** Takes a snapshot, with what it must go on returning; at most four are kept open. */
    int openSnapshot(Skipstore db, EngineModel model) {
        if (snapshots.size() >= 4) {
            checkSnapshot(snapshots.removeFirst(), true);
        }
        List<byte[]> probes = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] k = i % 2 == 0 ? existingKey(model) : keys.get();
            probes.add(k);
            values.add(model.map.get(k));
        }
        snapshots.add(new OpenSnapshot(db.snapshot(), model.sequence, probes, values,
                range(r, model.map, keys.get(), keys.get())));
        return 1;
    }

    /** Checks one of the open snapshots (taking one when none is), and closes it now and then. */
    int checkSnapshot(Skipstore db, EngineModel model) {
        if (snapshots.isEmpty()) {
            return openSnapshot(db, model);
        }
        int i = r.nextInt(snapshots.size());
        boolean close = r.nextInt(3) == 0;
        checkSnapshot(close ? snapshots.remove(i) : snapshots.get(i), close);
        return 1;
    }

    /** The snapshot still reads as it did when it was taken, whatever was written, flushed or checkpointed since. */
    private void checkSnapshot(OpenSnapshot o, boolean close) {
        snapshotChecks++;
        assertThat(o.snap().sequence()).as(where).isEqualTo(o.sequence());
        for (int i = 0; i < o.probes().size(); i++) {
            assertThat(o.snap().get(o.probes().get(i))).as(where).isEqualTo(o.values().get(i));
        }
        assertThat(o.snap().list(o.scan().range())).as(where).isEqualTo(o.scan().expected());
        if (close) {
            o.snap().close();
        }
    }

    /** Closes the open snapshots; once their database is closed or crashed, their reads fail CLOSED. */
    void closeSnapshots() {
        for (OpenSnapshot o : snapshots) {
            assertThatThrownBy(() -> o.snap().get(o.probes().getFirst())).as(where)
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            o.snap().close();
        }
        snapshots.clear();
    }


    /** A range and the entries of the model it covers, in its direction, its limit applied. */
    record RangeCase(Range range, List<KeyValue> expected) {
    }

    /**
     * A random range between keys {@code a} and {@code c}: no bound, one or two, each inclusive
     * or exclusive as {@link Range} offers them; reversed half the time; a limit often.
     */
    static RangeCase range(SplittableRandom r, NavigableMap<byte[], byte[]> map, byte[] a, byte[] c) {
        if (Keys.compare(a, c) > 0) {
            byte[] t = a;
            a = c;
            c = t;
        }
        int shape = r.nextInt(7);
        Range range = switch (shape) {
            case 0 -> Range.all();
            case 1 -> Range.closedOpen(a, c);
            case 2 -> Range.closed(a, c);
            case 3 -> Range.atLeast(a);
            case 4 -> Range.greaterThan(a);
            case 5 -> Range.lessThan(c);
            default -> Range.atMost(c);
        };
        boolean low = shape >= 1 && shape <= 4;
        boolean lowIn = shape != 4;
        boolean high = shape == 1 || shape == 2 || shape >= 5;
        boolean highIn = shape == 2 || shape == 6;
        NavigableMap<byte[], byte[]> view = low ? (high ? map.subMap(a, lowIn, c, highIn) : map.tailMap(a, lowIn))
                : (high ? map.headMap(c, highIn) : map);
        if (r.nextBoolean()) {
            range = range.reversed();
            view = view.descendingMap();
        }
        long limit = r.nextInt(40) == 0 ? Long.MAX_VALUE : r.nextInt(100); // whole scans are slow: now and then
        range = range.limit(limit);
        boolean keysOnly = r.nextInt(5) == 0;
        if (keysOnly) {
            range = range.keysOnly();
        }
        List<KeyValue> expected = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : view.entrySet()) {
            if (expected.size() >= limit) {
                break;
            }
            expected.add(new KeyValue(e.getKey(), keysOnly ? new byte[0] : e.getValue()));
        }
        return new RangeCase(range, expected);
    }

    /**
     * Positions cursor {@code c} (first, last, seek or floor of {@code k}, or not at all), then
     * takes up to 40 steps, mostly on in the direction it goes, sometimes back (a switch),
     * checking each against {@code map}. Returns the steps taken.
     */
    static int walk(SplittableRandom r, OrderedCursor c, NavigableMap<byte[], byte[]> map, byte[] k,
                    Supplier<String> where) {
        Map.Entry<byte[], byte[]> at;
        boolean after = false; // off an entry: after the last (else before the first)
        boolean ok;
        switch (r.nextInt(5)) {
            case 0 -> { ok = c.first(); at = map.firstEntry(); }
            case 1 -> { ok = c.last(); at = map.lastEntry(); }
            case 2 -> { ok = c.seek(k); at = map.ceilingEntry(k); after = at == null; }
            case 3 -> { ok = c.seekFloor(k); at = map.floorEntry(k); }
            default -> { ok = c.isValid(); at = null; }
        }
        check(c, ok, at, where);
        boolean forward = r.nextBoolean();
        int steps = 1 + r.nextInt(40);
        for (int i = 0; i < steps; i++) {
            if (r.nextInt(4) == 0) {
                forward = !forward;
            }
            if (forward) {
                ok = c.next();
                at = at != null ? map.higherEntry(at.getKey()) : after ? null : map.firstEntry();
                after = at == null;
            } else {
                ok = c.prev();
                at = at != null ? map.lowerEntry(at.getKey()) : after ? map.lastEntry() : null;
                after = false;
            }
            check(c, ok, at, where);
        }
        return steps;
    }

    private static void check(OrderedCursor c, boolean ok, Map.Entry<byte[], byte[]> at, Supplier<String> where) {
        assertThat(ok).as(where).isEqualTo(at != null);
        assertThat(c.isValid()).as(where).isEqualTo(at != null);
        if (at != null) {
            assertThat(c.keyBytes()).as(where).isEqualTo(at.getKey());
            assertThat(c.valueBytes()).as(where).isEqualTo(at.getValue());
        }
    }
}
