package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.Snapshot;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteTransaction;

/**
 * The merged cursor against a {@code TreeMap} model: random layers (a file PageStore with
 * committed data under 0 to 5 memtables of puts, overwrites and deletes, some read through a
 * snapshot taken before their last writes), then a random walk of first, last, seek, seekFloor,
 * next and prev with runs in both directions, so that it switches direction anywhere, comparing
 * the position, key and value with the model at every step. The model is the store with each
 * memtable applied on top, oldest to newest, a tombstone removing its key. Keys come from a small
 * alphabet (0x00, 0x01, 'a', 0x80, 0xff) and lengths 0 to 3 or 0 to 8, so layers share keys, keys
 * are prefixes of each other, and the empty key occurs; or they share a 60-byte prefix and run to
 * 163 bytes, past the merged cursor's first key buffers. At times the store's cursor comes
 * wrapped in a merged cursor of its own, a source the outer one reads through its views. Replay a failure with
 * {@code -Dskipstore.seed=S} (the seed of the failing run, printed).
 */
class MergedCursorModelTest {

    static final int RUNS = Integer.getInteger("skipstore.mergeRuns", 300);
    static final int STEPS = Integer.getInteger("skipstore.mergeSteps", 1000);
    private static final byte[] ALPHABET = {0x00, 0x01, 'a', (byte) 0x80, (byte) 0xff};

    @TempDir
    Path dir;

    @Test
    void randomWalksOverRandomLayersAgreeWithTheModel() {
        long seed0 = Long.getLong("skipstore.seed", System.nanoTime());
        int runs = Long.getLong("skipstore.seed") != null ? 1 : RUNS;
        System.out.println("MergedCursorModelTest seed=" + seed0 + " (replay a failing run with -Dskipstore.seed=S)");
        long steps = 0;
        long[] counts = new long[2]; // direction switches on an entry, steps that ended on one
        for (int run = 0; run < runs; run++) {
            long seed = seed0 + run;
            try {
                steps += runOnce(seed, counts);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("run with seed " + seed + " failed (-Dskipstore.seed=" + seed + ")", e);
            }
        }
        System.out.println("  " + runs + " runs, " + steps + " steps, " + counts[1] + " on an entry, " + counts[0]
                + " direction switches on an entry");
        assertThat(counts[0]).as("the walks switch direction").isGreaterThan(runs);
        assertThat(counts[1]).as("the walks are mostly on entries").isGreaterThan(steps / 2);
    }

    /** One layered state and one walk over it; returns the steps taken. */
    private long runOnce(long seed, long[] counts) {
        SplittableRandom r = new SplittableRandom(seed);
        int maxKeyLength = switch (r.nextInt(3)) {
            case 0 -> 3;
            case 1 -> 8;
            default -> -1; // long keys: a shared prefix longer than the cursor's first key buffers
        };
        NavigableMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        List<AutoCloseable> owners = new ArrayList<>();
        PageStore store = PageStore.builder().pageSize(512).promotion(2 + r.nextInt(7)).durability(Durability.NO_SYNC)
                .open(dir.resolve("store-" + seed));
        owners.add(store);
        try {
            int stored = r.nextInt(4) == 0 ? 0 : r.nextInt(400);
            try (WriteTransaction t = store.write()) {
                for (int i = 0; i < stored; i++) {
                    byte[] k = key(r, maxKeyLength);
                    byte[] v = value(r);
                    t.put(k, v);
                    model.put(k, v);
                }
                t.commit();
            }
            ReadTransaction read = store.read();
            owners.add(read);
            // oldest first here; the cursor takes them newest first
            List<OrderedCursor> sources = new ArrayList<>();
            // at times wrapped: a source of a kind the merged cursor knows only as an OrderedCursor
            sources.add(r.nextInt(4) == 0 ? new MergedCursor(List.of(read.cursor())) : read.cursor());
            int memtables = r.nextInt(6);
            for (int m = 0; m < memtables; m++) {
                sources.add(memtable(r, maxKeyLength, model, owners));
            }
            try (MergedCursor c = new MergedCursor(sources.reversed())) {
                return walk(r, c, model, maxKeyLength, counts);
            }
        } finally {
            for (AutoCloseable o : owners.reversed()) { // snapshots before their memtables, the store last
                try {
                    o.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** A memtable of random puts and deletes, applied to {@code model} as far as its cursor sees. */
    private static OrderedCursor memtable(SplittableRandom r, int maxKeyLength, NavigableMap<byte[], byte[]> model,
                                          List<AutoCloseable> owners) {
        ConcurrentSkipList m = new ConcurrentSkipList();
        owners.add(m);
        int ops = r.nextInt(200);
        int snapshotAt = r.nextInt(3) == 0 ? r.nextInt(ops + 1) : -1; // else read its newest versions
        Snapshot snapshot = null;
        for (int i = 0; i < ops; i++) {
            if (i == snapshotAt) {
                snapshot = m.snapshot();
                owners.add(snapshot);
            }
            byte[] k = key(r, maxKeyLength);
            boolean seen = snapshot == null;
            if (r.nextInt(3) == 0) {
                m.delete(k);
                if (seen) {
                    model.remove(k);
                }
            } else {
                byte[] v = value(r);
                m.put(k, v);
                if (seen) {
                    model.put(k, v);
                }
            }
        }
        if (snapshotAt == ops) {
            snapshot = m.snapshot();
            owners.add(snapshot);
        }
        return snapshot != null ? snapshot.cursor() : m.cursor();
    }

    /** The walk: every step on the cursor and the model, compared; returns the steps. */
    private static long walk(SplittableRandom r, MergedCursor c, NavigableMap<byte[], byte[]> model, int maxKeyLength,
                             long[] counts) {
        Position p = new Position(model);
        int lastDir = 0;
        for (int step = 0; step < STEPS; step++) {
            int op = r.nextInt(100);
            boolean onEntry = p.at != null;
            String what;
            boolean got;
            boolean expected;
            int dir;
            if (op < 40) {
                // runs of one direction, so that a switch meets sources far apart
                dir = r.nextInt(4) == 0 ? -lastDir : (lastDir == 0 ? 1 : lastDir);
                what = dir > 0 ? "next" : "prev";
                got = dir > 0 ? c.next() : c.prev();
                expected = dir > 0 ? p.next() : p.prev();
            } else if (op < 80) {
                dir = r.nextBoolean() ? 1 : -1;
                what = dir > 0 ? "next" : "prev";
                got = dir > 0 ? c.next() : c.prev();
                expected = dir > 0 ? p.next() : p.prev();
            } else if (op < 84) {
                dir = 1;
                what = "first";
                got = c.first();
                expected = p.first();
            } else if (op < 88) {
                dir = -1;
                what = "last";
                got = c.last();
                expected = p.last();
            } else {
                byte[] k = key(r, maxKeyLength);
                boolean floor = r.nextBoolean();
                dir = floor ? -1 : 1;
                what = (floor ? "seekFloor " : "seek ") + HexFormat.of().formatHex(k);
                got = switch (r.nextInt(3)) {
                    case 0 -> floor ? c.seekFloor(k) : c.seek(k);
                    case 1 -> floor ? c.seekFloor(MemorySegment.ofArray(k)) : c.seek(MemorySegment.ofArray(k));
                    default -> {
                        MemorySegment n = Arena.ofAuto().allocate(Math.max(1, k.length)).asSlice(0, k.length);
                        MemorySegment.copy(k, 0, n, ValueLayout.JAVA_BYTE, 0, k.length);
                        yield floor ? c.seekFloor(n) : c.seek(n);
                    }
                };
                expected = floor ? p.seekFloor(k) : p.seek(k);
            }
            if (onEntry && dir != lastDir && op < 80) {
                counts[0]++;
            }
            lastDir = dir;
            String at = "step " + step + " (" + what + "), model at " + p;
            assertThat(got).as(at).isEqualTo(expected);
            assertThat(c.isValid()).as(at).isEqualTo(expected);
            if (expected) {
                counts[1]++;
                assertThat(hex(c.keyBytes())).as(at).isEqualTo(hex(p.at));
                assertThat(hex(c.valueBytes())).as(at).isEqualTo(hex(model.get(p.at)));
                if (r.nextInt(8) == 0) {
                    assertThat(hex(c.key().toArray(ValueLayout.JAVA_BYTE))).as(at).isEqualTo(hex(p.at));
                    assertThat(hex(c.value().toArray(ValueLayout.JAVA_BYTE))).as(at).isEqualTo(hex(model.get(p.at)));
                }
            } else if (r.nextInt(8) == 0) {
                assertThatThrownBy(c::key).as(at).isInstanceOf(NoSuchElementException.class);
            }
        }
        return STEPS;
    }

    /** The model's cursor: a key, or off an entry after the last or before the first. */
    static final class Position {
        final NavigableMap<byte[], byte[]> map;
        byte[] at;
        boolean afterLast;

        Position(NavigableMap<byte[], byte[]> map) {
            this.map = map;
        }

        boolean first() {
            return to(map.isEmpty() ? null : map.firstKey(), true);
        }

        boolean last() {
            return to(map.isEmpty() ? null : map.lastKey(), false);
        }

        boolean seek(byte[] k) {
            return to(map.ceilingKey(k), true);
        }

        boolean seekFloor(byte[] k) {
            return to(map.floorKey(k), false);
        }

        boolean next() {
            if (at == null) {
                return !afterLast && first();
            }
            return to(map.higherKey(at), true);
        }

        boolean prev() {
            if (at == null) {
                return afterLast && last();
            }
            return to(map.lowerKey(at), false);
        }

        private boolean to(byte[] k, boolean after) {
            at = k;
            afterLast = after;
            return k != null;
        }

        @Override
        public String toString() {
            return at != null ? hex(at) : afterLast ? "(after the last)" : "(before the first)";
        }
    }

    /**
     * A key of up to {@code maxLength} letters; for -1, 60 shared bytes, up to 3 letters and at
     * times 100 more shared bytes, so long keys collide too.
     */
    static byte[] key(SplittableRandom r, int maxLength) {
        int letters = r.nextInt((maxLength < 0 ? 3 : maxLength) + 1);
        int head = maxLength < 0 ? 60 : 0;
        int tail = maxLength < 0 && r.nextInt(4) == 0 ? 100 : 0;
        byte[] k = new byte[head + letters + tail];
        java.util.Arrays.fill(k, 0, head, (byte) 'p');
        for (int i = head; i < head + letters; i++) {
            k[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        java.util.Arrays.fill(k, head + letters, k.length, (byte) 'q');
        return k;
    }

    static byte[] value(SplittableRandom r) {
        byte[] v = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(24)]; // empty values are live, not tombstones
        r.nextBytes(v);
        return v;
    }

    static String hex(byte[] b) {
        return "[" + HexFormat.of().formatHex(b) + "]";
    }
}
