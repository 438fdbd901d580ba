package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.SimulatedPageFile;
import org.skipstore.pagestore.internal.SimulatedPageFile.CrashAt;
import org.skipstore.pagestore.internal.SimulatedPageFile.SimulatedCrash;

/**
 * The PageStore against a TreeMap model: long seeded sequences of puts, overwrites and deletes
 * in write transactions that commit or abort, auto-committed operations, snapshot reads while the
 * writer goes on, cursor and range scans both ways, clean reopens, and crashes (of the process,
 * or of the machine with torn pages) at random points of the commit protocol, through the page
 * layer's fault-injecting file. After every reopen and recovery the whole store is compared with
 * the model and its structure verified. Replay a failure with {@code -Dskipstore.seed=S}.
 */
class PageStoreModelTest {

    static final long OPS = Long.getLong("skipstore.modelOps", 1_000_000);

    /** The model, and how to undo the changes of the open transaction. */
    static final class Model {
        final TreeMap<byte[], byte[]> map = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        final List<Map.Entry<byte[], byte[]>> undo = new ArrayList<>();

        void put(byte[] k, byte[] v) {
            undo.add(new java.util.AbstractMap.SimpleEntry<>(k, map.put(k, v)));
        }

        boolean delete(byte[] k) {
            byte[] old = map.remove(k);
            undo.add(new java.util.AbstractMap.SimpleEntry<>(k, old));
            return old != null;
        }

        void commit() {
            undo.clear();
        }

        void rollback() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                Map.Entry<byte[], byte[]> e = undo.get(i);
                if (e.getValue() == null) {
                    map.remove(e.getKey());
                } else {
                    map.put(e.getKey(), e.getValue());
                }
            }
            undo.clear();
        }

        List<KeyValue> entries() {
            List<KeyValue> out = new ArrayList<>(map.size());
            map.forEach((k, v) -> out.add(new KeyValue(k, v)));
            return out;
        }
    }

    long seed;
    SplittableRandom r;
    int space;
    int pageSize;
    Durability mode;
    int b;
    long storeSeed;
    SimulatedPageFile sim;
    CrashAt hook;
    PageStore store;
    long ops;
    final int[] counts = new int[8]; // txns, aborts, reopens, crashes, in-flight recovered, scans, snapshots, auto

    byte[] key() {
        int x = r.nextInt(space);
        int len = 1 + r.nextInt(x % 7 == 0 ? 30 : 6);
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (i < 4 ? x >>> (8 * (3 - i)) : x * 31 + i);
        }
        return r.nextInt(5000) == 0 ? new byte[0] : k;
    }

    byte[] value() {
        int len = switch (r.nextInt(40)) {
            case 0 -> r.nextInt(pageSize * 5); // out of line, often
            case 1, 2 -> (int) Tree.inlineMax(pageSize) - 8 + r.nextInt(16); // about the inline limit
            default -> r.nextInt(48);
        };
        byte[] v = new byte[len];
        r.nextBytes(v);
        return v;
    }

    @Test
    void longRandomSequencesAgreeWithATreeMapThroughCommitsAbortsReopensAndCrashes() throws IOException {
        seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("PageStoreModelTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        r = new SplittableRandom(seed);
        int round = 0;
        while (ops < OPS) {
            runRound(round++);
        }
        System.out.printf("  %d operations in %d rounds: %d transactions (%d aborted), %d auto-commits, %d reopens, "
                        + "%d crashes (in-flight commit recovered %d times), %d scans, %d snapshot checks%n", ops, round,
                counts[0], counts[1], counts[7], counts[2], counts[3], counts[4], counts[5], counts[6]);
        assertThat(counts[3]).isPositive();
        assertThat(counts[2]).isPositive();
    }

    void runRound(int round) throws IOException {
        pageSize = new int[] {4096, 512, 1024}[round % 3]; // 1 KiB is the default
        mode = Durability.values()[r.nextInt(Durability.values().length)];
        b = round % 4 == 0 ? 20 : 2 + r.nextInt(7);
        storeSeed = r.nextLong();
        space = 100 + r.nextInt(round % 2 == 0 ? 500 : 20_000);
        sim = SimulatedPageFile.fresh(pageSize);
        hook = new CrashAt();
        store = open(Pager.create(sim, mode, hook));
        Model model = new Model();
        long roundOps = 20_000 + r.nextInt(60_000);
        long until = Math.min(OPS, ops + roundOps);
        while (ops < until) {
            int action = r.nextInt(100);
            if (action < 55) {
                writeTxn(model, false);
            } else if (action < 65) {
                autoCommit(model);
            } else if (action < 80) {
                scan(model);
            } else if (action < 90) {
                snapshot(model);
            } else if (action < 96) {
                ops++;
                byte[] k = key();
                assertThat(store.get(k)).as(this::where).isEqualTo(model.map.get(k));
            } else if (action < 98) {
                reopen(model);
            } else {
                crash(model);
            }
        }
        compare(model);
        store.close();
    }

    String where() {
        return "seed " + seed + ", " + mode + ", page " + pageSize + ", 1/" + b + ", op " + ops;
    }

    PageStore open(Pager pager) throws IOException {
        pager.checkpointAfter(16 + r.nextInt(200), 16 + r.nextInt(200));
        long buffers = r.nextInt(3) == 0 ? PageStore.DEFAULT_TRANSACTION_BUFFERS : (long) pageSize * r.nextInt(2, 64);
        return PageStore.builder().promotion(b).seed(storeSeed).transactionBufferBytes(buffers).on(pager, "model");
    }

    void writeTxn(Model model, boolean mustCommit) throws IOException {
        counts[0]++;
        int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 400 : 40);
        try (WriteTransaction txn = store.write()) {
            Cursor cursor = r.nextInt(10) == 0 ? txn.cursor() : null;
            if (cursor != null) {
                cursor.seek(key());
            }
            for (int i = 0; i < n; i++) {
                ops++;
                byte[] k = key();
                int what = r.nextInt(10);
                if (what < 6) {
                    byte[] v = value();
                    boolean isNew = !model.map.containsKey(k);
                    model.put(k, v);
                    assertThat(txn.put(k, v)).as(this::where).isEqualTo(isNew);
                } else if (what < 9) {
                    boolean had = model.delete(k);
                    assertThat(txn.delete(k)).as(this::where).isEqualTo(had);
                } else {
                    assertThat(txn.get(k)).as(this::where).isEqualTo(model.map.get(k));
                }
                if (cursor != null && cursor.isValid()) { // the cursor finds its place again after a change
                    byte[] at = cursor.keyBytes();
                    Map.Entry<byte[], byte[]> e = model.map.ceilingEntry(at);
                    assertThat(e).isNotNull();
                    assertThat(at).isEqualTo(e.getKey());
                    assertThat(cursor.valueBytes()).isEqualTo(e.getValue());
                    Map.Entry<byte[], byte[]> after = model.map.higherEntry(at);
                    assertThat(cursor.next()).as(this::where).isEqualTo(after != null);
                    if (after != null) {
                        assertThat(cursor.keyBytes()).isEqualTo(after.getKey());
                    }
                }
            }
            assertThat(txn.count()).isEqualTo(model.map.size());
            int end = mustCommit ? 0 : r.nextInt(10);
            if (end < 8) {
                txn.commit();
                model.commit();
            } else if (end == 8) {
                txn.abort();
                model.rollback();
                counts[1]++;
            } else {
                model.rollback(); // closed without a commit: aborted
                counts[1]++;
            }
        }
    }

    void autoCommit(Model model) throws IOException {
        counts[7]++;
        ops++;
        byte[] k = key();
        if (r.nextInt(3) == 0) {
            boolean had = model.delete(k);
            assertThat(store.delete(k)).as(this::where).isEqualTo(had);
        } else {
            byte[] v = value();
            model.put(k, v);
            store.put(k, v);
        }
        model.commit();
    }

    void scan(Model model) {
        counts[5]++;
        ops++;
        byte[] a = key();
        byte[] c = key();
        if (Keys.compare(a, c) > 0) {
            byte[] t = a;
            a = c;
            c = t;
        }
        int shape = r.nextInt(7);
        Range range;
        NavigableMap<byte[], byte[]> expect;
        switch (shape) {
            case 0 -> { range = Range.all(); expect = model.map; }
            case 1 -> { range = Range.closedOpen(a, c); expect = model.map.subMap(a, true, c, false); }
            case 2 -> { range = Range.closed(a, c); expect = model.map.subMap(a, true, c, true); }
            case 3 -> { range = Range.atLeast(a); expect = model.map.tailMap(a, true); }
            case 4 -> { range = Range.greaterThan(a); expect = model.map.tailMap(a, false); }
            case 5 -> { range = Range.lessThan(c); expect = model.map.headMap(c, false); }
            default -> { range = Range.atMost(c); expect = model.map.headMap(c, true); }
        }
        if (r.nextBoolean()) {
            range = range.reversed();
            expect = expect.descendingMap();
        }
        int limit = r.nextInt(4) == 0 ? Integer.MAX_VALUE : r.nextInt(200);
        range = range.limit(limit);
        boolean keysOnly = r.nextInt(4) == 0;
        if (keysOnly) {
            range = range.keysOnly();
        }
        List<KeyValue> want = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : expect.entrySet()) {
            if (want.size() >= limit) {
                break;
            }
            want.add(new KeyValue(e.getKey(), keysOnly ? new byte[0] : e.getValue()));
        }
        try (ReadTransaction txn = store.read()) {
            assertThat(txn.list(range)).as(this::where).isEqualTo(want);
            if (r.nextBoolean()) { // in place: the ranges it gives are the entries
                List<KeyValue> got = new ArrayList<>();
                long n = txn.scanInPlace(range, (ks, ko, kl, vs, vo, vl) -> got.add(new KeyValue(
                        ks.asSlice(ko, kl).toArray(ValueLayout.JAVA_BYTE), vs.asSlice(vo, vl).toArray(ValueLayout.JAVA_BYTE))));
                assertThat(got).as(this::where).isEqualTo(want);
                assertThat(n).as(this::where).isEqualTo(want.size());
            }
            if (r.nextInt(4) == 0) { // the same walk with a cursor, backwards from a floor
                try (Cursor cur = txn.cursor()) {
                    Map.Entry<byte[], byte[]> e = model.map.floorEntry(c);
                    boolean ok = cur.seekFloor(c);
                    for (int i = 0; i < 50; i++) {
                        assertThat(ok).as(this::where).isEqualTo(e != null);
                        if (!ok) {
                            break;
                        }
                        assertThat(cur.keyBytes()).isEqualTo(e.getKey());
                        assertThat(cur.valueBytes()).isEqualTo(e.getValue());
                        ok = cur.prev();
                        e = model.map.lowerEntry(e.getKey());
                    }
                }
            }
        }
    }

    void snapshot(Model model) throws IOException {
        counts[6]++;
        List<byte[]> probes = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] k = key();
            probes.add(k);
            expected.add(model.map.get(k));
        }
        long count = model.map.size();
        try (ReadTransaction snap = store.read()) {
            writeTxn(model, r.nextBoolean());
            for (int i = 0; i < probes.size(); i++) {
                MemorySegment v = snap.get(MemorySegment.ofArray(probes.get(i)));
                assertThat(v == null ? null : v.toArray(ValueLayout.JAVA_BYTE)).as(this::where)
                        .isEqualTo(expected.get(i));
            }
            assertThat(snap.count()).isEqualTo(count);
        }
    }

    void reopen(Model model) throws IOException {
        counts[2]++;
        store.close();
        sim = SimulatedPageFile.of(sim.processCrashImage(), pageSize);
        hook = new CrashAt();
        store = open(Pager.open(sim, mode, hook, "reopen"));
        compare(model);
    }

    void crash(Model model) throws IOException {
        counts[3]++;
        hook.left = r.nextInt(8);
        hook.armed = true;
        List<KeyValue> inFlight = null;
        try {
            writeTxn(model, true);
            hook.armed = false; // the commit ran past the crash point count: no crash this time
        } catch (SimulatedCrash c) {
            inFlight = model.entries();
            model.rollback();
        }
        boolean machine = mode != Durability.NO_SYNC && r.nextBoolean();
        byte[] image = machine ? sim.crash(r, new int[1]) : sim.processCrashImage();
        sim = SimulatedPageFile.of(image, pageSize);
        hook = new CrashAt();
        store = open(Pager.open(sim, mode, hook, "crashed"));
        List<KeyValue> got = store.list(Range.all());
        if (inFlight != null && got.equals(inFlight)) {
            counts[4]++;
            model.map.clear(); // the in-flight commit made it: it is the model now
            inFlight.forEach(kv -> model.map.put(kv.key(), kv.value()));
        } else if (!got.equals(model.entries())) {
            fail(where() + (machine ? ": machine" : ": process") + " crash recovered " + got.size()
                    + " entries, neither the acknowledged state (" + model.map.size() + ") nor the one in flight ("
                    + (inFlight == null ? "none" : inFlight.size()) + ")");
        }
        store.verify();
    }

    void compare(Model model) throws IOException {
        assertThat(store.list(Range.all())).as(this::where).isEqualTo(model.entries());
        assertThat(store.count()).isEqualTo(model.map.size());
        PageStoreStats stats = store.verify();
        assertThat(stats.entries()).isEqualTo(model.map.size());
    }
}
