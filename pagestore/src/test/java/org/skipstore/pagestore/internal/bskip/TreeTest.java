package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.Checker;
import org.skipstore.pagestore.internal.MemoryPageFile;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.WriteTxn;

/** The B-skip-list over the page layer against a TreeMap, with its shape checked after each commit. */
class TreeTest {

    static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static Pager pager(int pageSize) throws IOException {
        return Pager.create(new MemoryPageFile(pageSize), Durability.NO_SYNC, Pager.Hook.NONE);
    }

    static TreeChecker.Shape check(Pager pager, Levels levels, NavigableMap<byte[], byte[]> model) {
        try (ReadView v = pager.read()) {
            Checker blocks = new Checker(pager.file(), v.meta());
            TreeChecker.Shape shape = TreeChecker.check(v, levels, blocks);
            blocks.verify();
            assertThat(shape.entries()).isEqualTo(model.size());
            TreeCursor cur = new TreeCursor(v);
            boolean ok = cur.first();
            for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
                assertThat(ok).isTrue();
                assertThat(bytes(cur.key())).isEqualTo(e.getKey());
                assertThat(bytes(cur.value())).isEqualTo(e.getValue());
                ok = cur.next();
            }
            assertThat(ok).isFalse();
            ok = cur.last();
            for (Map.Entry<byte[], byte[]> e : model.descendingMap().entrySet()) {
                assertThat(ok).isTrue();
                assertThat(bytes(cur.key())).isEqualTo(e.getKey());
                ok = cur.prev();
            }
            assertThat(ok).isFalse();
            return shape;
        }
    }

    static byte[] key(SplittableRandom r, int space) {
        byte[] k = new byte[r.nextInt(1, 6)];
        long x = r.nextInt(space);
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (x >>> (8 * (k.length - 1 - i)));
        }
        return k;
    }

    static byte[] value(SplittableRandom r, int pageSize) {
        int len = r.nextInt(20) == 0 ? r.nextInt(pageSize * 3) : r.nextInt(0, 40);
        byte[] v = new byte[len];
        r.nextBytes(v);
        return v;
    }

    @Test
    void randomPutsAndDeletesAgreeWithATreeMapAndKeepTheShape() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("randomPutsAndDeletesAgreeWithATreeMapAndKeepTheShape seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 8; round++) {
            // the last two: partitions over 64 KiB (wide slots), in 128 KiB pages, and grown past it from 4 KiB
            boolean wide = round >= 6;
            int pageSize = round == 6 ? 1 << 17 : round % 2 == 0 ? 512 : 4096;
            // small B: tall lists, many partitions; large B with values of 200-1000 bytes: partitions over 64 KiB
            Levels levels = new Levels(r.nextLong(), wide ? 100 + r.nextInt(200) : 2 + r.nextInt(8));
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
            int space = wide ? 3000 : 50 + r.nextInt(3000);
            long largest = 0;
            try (Pager pager = pager(pageSize)) {
                for (int txnNo = 0; txnNo < 60; txnNo++) {
                    TreeMap<byte[], byte[]> next = new TreeMap<>(model);
                    boolean abort = r.nextInt(8) == 0;
                    try (WriteTxn txn = pager.begin()) {
                        if (round >= 3) { // spills: blocks written ahead of the commit, some changed again
                            txn.limitBuffers((long) pageSize * r.nextInt(1, 24));
                        }
                        TreeWriter w = new TreeWriter(txn, levels);
                        int ops = r.nextInt(1, 120);
                        for (int op = 0; op < ops; op++) {
                            byte[] k = key(r, space);
                            if (r.nextInt(3) == 0) {
                                boolean had = next.remove(k) != null;
                                assertThat(w.delete(seg(k))).as("seed %d delete", seed).isEqualTo(had);
                            } else {
                                byte[] v = wide ? new byte[r.nextInt(200, 1000)] : value(r, pageSize);
                                if (wide) {
                                    r.nextBytes(v);
                                }
                                boolean isNew = next.put(k, v) == null;
                                assertThat(w.put(seg(k), seg(v))).as("seed %d put", seed).isEqualTo(isNew);
                            }
                            if (r.nextInt(10) == 0) {
                                byte[] probe = key(r, space);
                                w.settle(); // a read of the transaction sees what the writer held back after this
                                MemorySegment got = Tree.get(txn, seg(probe));
                                assertThat(got == null ? null : bytes(got)).isEqualTo(next.get(probe));
                            }
                        }
                        if (abort) {
                            txn.abort();
                        } else {
                            txn.commit();
                            model = next;
                        }
                    }
                    largest = Math.max(largest, check(pager, levels, model).largestBlock());
                }
            }
            if (wide) {
                assertThat(largest).as("seed %d: a partition over 64 KiB", seed).isGreaterThan(1 << 16);
            }
        }
    }

    @Test
    void theShapeDependsOnTheKeySetAloneNotTheInsertOrder() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("theShapeDependsOnTheKeySetAloneNotTheInsertOrder seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Levels levels = new Levels(seed, 4);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            keys.add(key(r, 1 << 24));
        }
        List<byte[]> extra = keys.subList(0, 500);
        List<List<String>> shapes = new ArrayList<>();
        for (int order = 0; order < 4; order++) {
            List<byte[]> sequence = new ArrayList<>(keys);
            if (order == 1) {
                sequence.sort(Keys.BYTE_ARRAY_ORDER);
            } else if (order == 2) {
                sequence.sort(Keys.BYTE_ARRAY_ORDER.reversed());
            } else if (order == 3) {
                Collections.shuffle(sequence, new java.util.Random(seed));
            }
            try (Pager pager = pager(512)) {
                try (WriteTxn txn = pager.begin()) {
                    TreeWriter w = new TreeWriter(txn, levels);
                    for (byte[] k : sequence) {
                        w.put(seg(k), seg(new byte[] {1}));
                    }
                    if (order == 3) { // and a detour: other keys in, then out again
                        for (int i = 0; i < 300; i++) {
                            byte[] k = key(r, 1 << 24);
                            if (w.put(seg(k), seg(new byte[] {2}))) {
                                w.delete(seg(k));
                            }
                        }
                    }
                    txn.commit();
                }
                try (ReadView v = pager.read()) {
                    shapes.add(describe(v));
                }
            }
        }
        assertThat(extra).isNotEmpty();
        assertThat(shapes.get(1)).isEqualTo(shapes.get(0));
        assertThat(shapes.get(2)).isEqualTo(shapes.get(0));
        assertThat(shapes.get(3)).isEqualTo(shapes.get(0));
    }

    /** Each level's partitions as the lists of their keys. */
    static List<String> describe(ReadView v) {
        List<String> out = new ArrayList<>();
        int top = Tree.top(v);
        for (int L = top; L >= 0; L--) {
            // walk level L through a cursor-like descent: the level's partitions from the level above
            out.add("level " + L + ": " + partitionsOf(v, L, top));
        }
        return out;
    }

    private static List<List<String>> partitionsOf(ReadView v, int L, int top) {
        List<List<String>> parts = new ArrayList<>();
        for (long page : pagesOf(v, L, top)) {
            MemorySegment p = Tree.partition(v, page);
            List<String> ks = new ArrayList<>();
            for (int i = 0; i < Partition.count(p); i++) {
                ks.add(java.util.HexFormat.of().formatHex(bytes(Partition.key(p, i))));
            }
            parts.add(ks);
        }
        return parts;
    }

    /** The first pages of level {@code L}'s partitions, in key order. */
    private static List<Long> pagesOf(ReadView v, int L, int top) {
        List<Long> pages = new ArrayList<>();
        pages.add(v.root(top));
        for (int l = top; l > L; l--) {
            List<Long> below = new ArrayList<>();
            MemorySegment first = Tree.partition(v, pages.get(0));
            if (Partition.down(first, 0) != v.root(l - 1)) {
                below.add(v.root(l - 1));
            }
            for (long page : pages) {
                MemorySegment p = Tree.partition(v, page);
                for (int i = 0; i < Partition.count(p); i++) {
                    below.add(Partition.down(p, i));
                }
            }
            pages = below;
        }
        return pages;
    }

    /**
     * Puts alone (inserts and updates, no deletes) leave every partition in the fewest pages that
     * hold it: copies, growth and new partitions are made to measure, and a split or an update
     * that shortens a value shrinks its partition ({@code TreeWriter.shrink}).
     */
    @Test
    void putsLeaveNoPartitionAWholePageUnused() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("putsLeaveNoPartitionAWholePageUnused seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Levels levels = new Levels(seed, 8);
        List<byte[]> seen = new ArrayList<>();
        try (Pager pager = pager(512)) {
            for (int batch = 0; batch < 6; batch++) {
                try (WriteTxn txn = pager.begin()) {
                    TreeWriter w = new TreeWriter(txn, levels);
                    for (int i = 0; i < 400; i++) {
                        byte[] k = i % 5 == 0 && !seen.isEmpty() ? seen.get(r.nextInt(seen.size())) : key(r, 1 << 24);
                        seen.add(k); // every fifth put an update, to a value of another size as likely as not
                        w.put(seg(k), seg(new byte[1 + r.nextInt(60)]));
                    }
                    txn.commit();
                }
            }
            try (ReadView v = pager.read()) {
                int top = Tree.top(v);
                assertThat(top).isPositive();
                long partitions = 0;
                for (int L = 0; L <= top; L++) {
                    for (long page : pagesOf(v, L, top)) {
                        MemorySegment p = Tree.partition(v, page);
                        int fewest = Partition.pagesFor(512, Partition.headerBytes() + Partition.used(p));
                        assertThat(Partition.pages(p)).as("level %d, partition at page %d (seed %d)", L, page, seed)
                                .isEqualTo(fewest);
                        partitions++;
                    }
                }
                assertThat(partitions).isGreaterThan(100);
            }
        }
    }
}
