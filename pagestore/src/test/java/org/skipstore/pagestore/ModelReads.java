package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;

/**
 * The reads {@link SkipstoreModelTest} draws, each with what a TreeMap says it must return:
 * ranges of every bound shape, both directions, with limits; cursor walks that switch direction.
 */
final class ModelReads {

    private ModelReads() {
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
