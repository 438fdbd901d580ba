package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Long random operation sequences checked against a {@code TreeMap} model. Each test prints its
 * seed; set {@code -Dskipstore.seed=N} to replay one.
 */
class ConcurrentSkipListDifferentialTest {

    /** The model's marker for a tombstone (compared by identity). */
    private static final byte[] TOMB = new byte[0];

    private static long seed(String test) {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        return seed;
    }

    /** Keys from a small alphabet so that many share prefixes; the empty key included. */
    private static byte[] key(SplittableRandom r, int space) {
        int i = r.nextInt(space);
        SplittableRandom kr = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        byte[] k = new byte[kr.nextInt(0, 10)];
        for (int j = 0; j < k.length; j++) {
            k[j] = (byte) (kr.nextInt(0, 3) * 0x7f); // 0x00, 0x7f, 0xfe
        }
        return k;
    }

    private static byte[] value(SplittableRandom r) {
        byte[] v = new byte[r.nextInt(0, 24)];
        r.nextBytes(v);
        return v;
    }

    @Test
    void aMillionRandomOperationsAgreeWithTreeMap() {
        randomOperationsAgreeWithTreeMap("aMillionRandomOperationsAgreeWithTreeMap", 1_000_000, b -> b);
    }

    /**
     * The same with a list that expects keys with a shared prefix that many keys lack (one
     * {@code 0x7f} byte: the others sort below or above it), and with one that learned the shape
     * of such keys from a list of them ({@link ConcurrentSkipList.Builder#keysLike}: their common
     * prefix, none here, and the ranges of their first bytes, which later keys leave at times).
     */
    @Test
    void randomOperationsAgreeWithTreeMapWhereKeysHaveAShape() {
        randomOperationsAgreeWithTreeMap("shared prefix 7f", 150_000, b -> b.sharedKeyPrefix(new byte[] {0x7f}));
        randomOperationsAgreeWithTreeMap("shared prefix 7f 7f fe", 150_000,
                b -> b.sharedKeyPrefix(new byte[] {0x7f, 0x7f, (byte) 0xfe}));
        try (ConcurrentSkipList teacher = ConcurrentSkipList.builder().shards(1).build()) {
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < 2000; i++) {
                byte[] k = key(r, 3000);
                teacher.put(k.length > 1 ? Arrays.copyOf(k, 1 + k.length % 3) : k, k); // fewer bytes: some ranges left out
            }
            randomOperationsAgreeWithTreeMap("keys like another list's", 150_000, b -> b.keysLike(teacher));
        }
    }

    private void randomOperationsAgreeWithTreeMap(String name, int ops,
                                                  java.util.function.UnaryOperator<ConcurrentSkipList.Builder> shape) {
        long seed = seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        NavigableMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        List<Map.Entry<Snapshot, NavigableMap<byte[], byte[]>>> snaps = new ArrayList<>();
        int space = 3000;
        try (ConcurrentSkipList sl = shape.apply(ConcurrentSkipList.builder().shards(2)).build()) {
            for (int op = 0; op < ops; op++) {
                String at = "seed " + seed + ", op " + op;
                byte[] k = key(r, space);
                byte[] cur = model.get(k);
                boolean live = cur != null && cur != TOMB;
                int dice = r.nextInt(100);
                if (dice < 20) {
                    byte[] v = value(r);
                    InsertResult res = sl.tryInsert(k, v);
                    assertThat(res).as(at).isEqualTo(live ? InsertResult.DUPLICATE_KEY : InsertResult.INSERTED);
                    if (!live) {
                        model.put(k, v);
                    }
                } else if (dice < 40) {
                    byte[] v = value(r);
                    assertThat(sl.put(k, v)).as(at).isEqualTo(InsertResult.INSERTED);
                    model.put(k, v);
                } else if (dice < 50) {
                    assertThat(sl.delete(k)).as(at).isEqualTo(live);
                    model.put(k, TOMB);
                } else if (dice < 55) {
                    byte[] v = value(r);
                    ConcurrentSkipList.GetOrInsert g = sl.getOrInsert(k, v);
                    assertThat(g.inserted()).as(at).isEqualTo(!live);
                    assertThat(g.entry().valueBytes()).as(at).isEqualTo(live ? cur : v);
                    if (!live) {
                        model.put(k, v);
                    }
                } else if (dice < 75) {
                    assertMatches(sl.get(k), cur, at);
                } else if (dice < 80) {
                    if (!snaps.isEmpty()) {
                        var s = snaps.get(r.nextInt(snaps.size()));
                        assertMatches(s.getKey().get(k), s.getValue().get(k), at + " (snapshot)");
                    }
                } else if (dice < 95) {
                    seekAndWalk(sl.cursorAt(k), model, k, r.nextInt(1, 8), r.nextBoolean(), at);
                } else if (dice < 96 && r.nextInt(100) < 5) {
                    if (snaps.size() == 3) {
                        var s = snaps.remove(r.nextInt(3));
                        assertSameContents(s.getKey(), s.getValue(), at + " (snapshot scan)");
                        s.getKey().close();
                    }
                    snaps.add(Map.entry(sl.snapshot(), new TreeMap<>(model)));
                } else {
                    assertThat(sl.containsKey(k)).as(at).isEqualTo(live);
                }
            }
            assertSameContents(sl, model, "seed " + seed + ", final scan");
            for (var s : snaps) {
                assertSameContents(s.getKey(), s.getValue(), "seed " + seed + ", final snapshot scan");
            }
            assertThat(sl.size()).isEqualTo(model.values().stream().filter(v -> v != TOMB).count());
            ConcurrentSkipList.Structure st = sl.verify();
            assertThat(st.keys()).as("seed " + seed).isEqualTo(model.size());
            assertThat(st.liveKeys()).as("seed " + seed).isEqualTo(sl.size());
        }
    }

    private static void assertMatches(Entry e, byte[] expected, String at) {
        if (expected == null) {
            assertThat(e).as(at).isNull();
        } else {
            assertThat(e).as(at).isNotNull();
            assertThat(e.isTombstone()).as(at).isEqualTo(expected == TOMB);
            if (expected != TOMB) {
                assertThat(e.valueBytes()).as(at).isEqualTo(expected);
            }
        }
    }

    private static void seekAndWalk(Cursor c, NavigableMap<byte[], byte[]> model, byte[] k, int steps,
            boolean backward, String at) {
        try (c) {
            Map.Entry<byte[], byte[]> m = model.ceilingEntry(k);
            for (int i = 0; i <= steps; i++) {
                assertThat(c.isValid()).as(at + " step " + i).isEqualTo(m != null);
                if (m == null) {
                    return;
                }
                assertThat(c.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(at).isEqualTo(m.getKey());
                assertThat(c.isTombstone()).as(at).isEqualTo(m.getValue() == TOMB);
                if (backward) {
                    c.prev();
                    m = model.lowerEntry(m.getKey());
                } else {
                    c.next();
                    m = model.higherEntry(m.getKey());
                }
            }
        }
    }

    private static void assertSameContents(Iterable<Entry> actual, NavigableMap<byte[], byte[]> model, String at) {
        Iterator<Entry> it = actual.iterator();
        int i = 0;
        for (Map.Entry<byte[], byte[]> m : model.entrySet()) {
            assertThat(it.hasNext()).as(at + ", entry " + i).isTrue();
            Entry e = it.next();
            assertThat(e.keyBytes()).as(at + ", entry " + i).isEqualTo(m.getKey());
            assertMatches(e, m.getValue(), at + ", entry " + i);
            i++;
        }
        assertThat(it.hasNext()).as(at + ": more entries than the model").isFalse();
    }

    /**
     * Several threads, each with its own key prefix and its own model; a reader thread scans
     * snapshots meanwhile and checks that each scan is sorted and repeatable.
     */
    @Test
    void concurrentWritersOnDisjointRangesAgreeWithTheirModels() throws Exception {
        long seed = seed("concurrentWritersOnDisjointRangesAgreeWithTheirModels");
        int threads = 4;
        int ops = 100_000;
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(2).build()) {
            List<NavigableMap<byte[], byte[]>> models = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                NavigableMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
                models.add(model);
                byte prefix = (byte) (t * 50);
                SplittableRandom r = new SplittableRandom(seed + t);
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int op = 0; op < ops; op++) {
                            byte[] k0 = key(r, 500);
                            byte[] k = new byte[k0.length + 1];
                            k[0] = prefix;
                            System.arraycopy(k0, 0, k, 1, k0.length);
                            byte[] cur = model.get(k);
                            boolean live = cur != null && cur != TOMB;
                            int dice = r.nextInt(10);
                            String at = "seed " + seed + ", thread " + prefix / 50 + ", op " + op;
                            if (dice < 4) {
                                byte[] v = value(r);
                                assertThat(sl.put(k, v)).as(at).isEqualTo(InsertResult.INSERTED);
                                model.put(k, v);
                            } else if (dice < 6) {
                                byte[] v = value(r);
                                assertThat(sl.insert(k, v)).as(at).isEqualTo(!live);
                                if (!live) {
                                    model.put(k, v);
                                }
                            } else if (dice < 7) {
                                assertThat(sl.delete(k)).as(at).isEqualTo(live);
                                model.put(k, TOMB);
                            } else {
                                assertMatches(sl.get(k), cur, at);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    while (writers.stream().anyMatch(Thread::isAlive)) {
                        try (Snapshot snap = sl.snapshot()) {
                            List<byte[]> first = new ArrayList<>();
                            snap.forEach(e -> first.add(e.keyBytes()));
                            for (int i = 1; i < first.size(); i++) {
                                assertThat(Keys.compare(first.get(i - 1), first.get(i))).isNegative();
                            }
                            List<byte[]> second = new ArrayList<>();
                            snap.forEach(e -> second.add(e.keyBytes()));
                            assertThat(second).as("a snapshot scanned twice").hasSameSizeAs(first);
                            for (int i = 0; i < first.size(); i++) {
                                assertThat(Arrays.equals(first.get(i), second.get(i))).isTrue();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            for (Thread w : writers) {
                w.join();
            }
            reader.join();
            if (failure.get() != null) {
                throw new AssertionError("seed " + seed, failure.get());
            }
            NavigableMap<byte[], byte[]> all = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
            models.forEach(all::putAll);
            assertSameContents(sl, all, "seed " + seed + ", final scan");
            assertThat(sl.verify().keys()).as("seed " + seed).isEqualTo(all.size());
        }
    }
}
