package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Keys;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.engine.MergedCursor;

/**
 * A {@link Range} applied by {@link RangeEntries} to any cursor, and by {@link Transaction#scan}
 * to the store, both through {@link RangeBounds}: random ranges (bounds inclusive, exclusive or
 * none, either direction, limits, keys only) over a merged cursor of a store under two memtables
 * of puts and deletes, and over the store alone through its stream and its scan, against a
 * {@code TreeMap} model. Replay a failure with {@code -Dskipstore.seed=S}.
 */
class RangeEntriesTest {

    @Test
    void rangesOverAMergedCursorAndOverTheStoreAgreeWithTheModel() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("RangeEntriesTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        NavigableMap<byte[], byte[]> stored = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        NavigableMap<byte[], byte[]> merged = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        try (PageStore store = PageStore.builder().promotion(3).openInMemory();
             ConcurrentSkipList older = new ConcurrentSkipList();
             ConcurrentSkipList newer = new ConcurrentSkipList()) {
            try (WriteTransaction t = store.write()) {
                for (int i = 0; i < 300; i++) {
                    byte[] k = key(r);
                    byte[] v = key(r);
                    t.put(k, v);
                    stored.put(k, v);
                }
                t.commit();
            }
            merged.putAll(stored);
            for (ConcurrentSkipList m : List.of(older, newer)) {
                for (int i = 0; i < 150; i++) {
                    byte[] k = key(r);
                    if (r.nextInt(3) == 0) {
                        m.delete(k);
                        merged.remove(k);
                    } else {
                        byte[] v = key(r);
                        m.put(k, v);
                        merged.put(k, v);
                    }
                }
            }
            try (ReadTransaction t = store.read()) {
                for (int i = 0; i < 300; i++) {
                    Range range = range(r);
                    String as = describe(range);
                    try (Stream<KeyValue> s = RangeEntries.stream(
                            new MergedCursor(List.of(newer.cursor(), older.cursor(), t.cursor())), range)) {
                        assertThat(strings(s.toList())).as("merged " + as).isEqualTo(strings(expected(merged, range)));
                    }
                    List<String> fromStore = strings(expected(stored, range));
                    try (Stream<KeyValue> s = t.stream(range)) {
                        assertThat(strings(s.toList())).as("store stream " + as).isEqualTo(fromStore);
                    }
                    assertThat(strings(t.list(range))).as("store scan " + as).isEqualTo(fromStore);
                }
            }
        }
    }

    @Test
    void closingTheStreamClosesTheMergedCursorAndItsSources() {
        try (PageStore store = PageStore.builder().openInMemory(); ConcurrentSkipList m = new ConcurrentSkipList()) {
            store.put(new byte[] {1}, new byte[] {1});
            m.put(new byte[] {2}, new byte[] {2});
            try (ReadTransaction t = store.read()) {
                Cursor storeCursor = t.cursor();
                org.skipstore.core.Cursor memtableCursor = m.cursor();
                Stream<KeyValue> s = RangeEntries.stream(new MergedCursor(List.of(memtableCursor, storeCursor)),
                        Range.all());
                assertThat(s.count()).isEqualTo(2);
                s.close();
                for (org.skipstore.core.OrderedCursor c : List.of(storeCursor, memtableCursor)) {
                    assertThatThrownBy(c::first).isInstanceOfSatisfying(SkipstoreException.class,
                            e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
                }
            }
        }
    }

    /** What {@code range} holds of {@code map}, in its order, values emptied for keys only. */
    static List<KeyValue> expected(NavigableMap<byte[], byte[]> map, Range range) {
        List<KeyValue> out = new ArrayList<>();
        for (var e : (range.reversed ? map.descendingMap() : map).entrySet()) {
            byte[] k = e.getKey();
            if (out.size() >= range.limit) {
                break;
            }
            int lo = range.from == null ? 1 : Keys.compare(k, range.from);
            int hi = range.to == null ? -1 : Keys.compare(k, range.to);
            if ((lo > 0 || lo == 0 && range.fromInclusive) && (hi < 0 || hi == 0 && range.toInclusive)) {
                out.add(new KeyValue(k, range.keysOnly ? new byte[0] : e.getValue()));
            }
        }
        return out;
    }

    static Range range(SplittableRandom r) {
        byte[] a = key(r);
        byte[] b = key(r);
        if (Keys.compare(a, b) > 0) {
            byte[] x = a;
            a = b;
            b = x;
        }
        Range range = switch (r.nextInt(8)) {
            case 0 -> Range.all();
            case 1 -> Range.closedOpen(a, b);
            case 2 -> Range.closed(a, b);
            case 3 -> Range.atLeast(a);
            case 4 -> Range.greaterThan(a);
            case 5 -> Range.lessThan(b);
            case 6 -> Range.atMost(b);
            default -> Range.closedOpen(b, a); // empty: from above to
        };
        if (r.nextBoolean()) {
            range = range.reversed();
        }
        if (r.nextInt(3) == 0) {
            range = range.limit(r.nextInt(20));
        }
        if (r.nextInt(4) == 0) {
            range = range.keysOnly();
        }
        return range;
    }

    /** Keys of 0 to 2 bytes from a small alphabet: bounds often equal stored keys. */
    static byte[] key(SplittableRandom r) {
        byte[] k = new byte[r.nextInt(3)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) "\u0000az\u00ff".charAt(r.nextInt(4));
        }
        return k;
    }

    static List<String> strings(List<KeyValue> entries) {
        return entries.stream().map(e -> java.util.HexFormat.of().formatHex(e.key()) + "="
                + java.util.HexFormat.of().formatHex(e.value())).toList();
    }

    static String describe(Range r) {
        return (r.from == null ? "(" : (r.fromInclusive ? "[" : "(") + java.util.HexFormat.of().formatHex(r.from)) + ", "
                + (r.to == null ? ")" : java.util.HexFormat.of().formatHex(r.to) + (r.toInclusive ? "]" : ")"))
                + (r.reversed ? " reversed" : "") + (r.limit < Long.MAX_VALUE ? " limit " + r.limit : "")
                + (r.keysOnly ? " keys only" : "");
    }
}
