package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.skipstore.pagestore.internal.bskip.TreeTest.bytes;
import static org.skipstore.pagestore.internal.bskip.TreeTest.seg;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * Sorted runs (an engine's flush: puts and deletes in ascending key order, in one transaction)
 * merged into random existing trees, against a TreeMap: every answer, the contents, the structural
 * check ({@link TreeChecker}, every block accounted for), and the shape, which must be the one
 * the same key set gets when inserted one key at a time in random order (the shape is a function
 * of the key set alone). The runs mix new keys, replaced values (some out of line), deletes of
 * present keys and of absent ones, keys of every level, keys in front of and behind the whole
 * tree, and a few keys changed twice in a row; some runs read in the middle, which must see the
 * run's changes so far. Replay with {@code -Dskipstore.seed=S}.
 */
class SortedMergeTest {

    /** One change of a run: a put when {@code value} is not null, else a delete. */
    private record Change(byte[] key, byte[] value) {
    }

    @Test
    void sortedRunsMergedIntoRandomTreesAgreeWithATreeMapAndKeepTheShape() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("sortedRunsMergedIntoRandomTreesAgreeWithATreeMapAndKeepTheShape seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 12; round++) {
            int pageSize = round % 3 == 0 ? 4096 : 512;
            Levels levels = new Levels(r.nextLong(), 2 + r.nextInt(6)); // small B: many partitions, tall lists
            int space = 200 + r.nextInt(20_000);
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
            try (Pager pager = TreeTest.pager(pageSize)) {
                int existing = round % 4 == 0 ? 0 : r.nextInt(3000); // sometimes an empty tree
                try (WriteTxn txn = pager.begin()) {
                    TreeWriter w = new TreeWriter(txn, levels);
                    for (int i = 0; i < existing; i++) {
                        byte[] k = TreeTest.key(r, space);
                        byte[] v = TreeTest.value(r, pageSize);
                        model.put(k, v);
                        w.put(seg(k), seg(v));
                    }
                    txn.commit();
                }
                for (int runNo = 0; runNo < 3; runNo++) {
                    List<Change> run = sortedRun(r, model, space, pageSize);
                    boolean reads = r.nextBoolean();
                    try (WriteTxn txn = pager.begin()) {
                        TreeWriter w = new TreeWriter(txn, levels);
                        for (Change c : run) {
                            if (c.value() != null) {
                                boolean isNew = model.put(c.key(), c.value()) == null;
                                assertThat(w.put(seg(c.key()), seg(c.value()))).as("seed %d put", seed).isEqualTo(isNew);
                            } else {
                                boolean had = model.remove(c.key()) != null;
                                assertThat(w.delete(seg(c.key()))).as("seed %d delete", seed).isEqualTo(had);
                            }
                            if (reads && r.nextInt(50) == 0) { // a read in the middle sees the run so far
                                w.settle();
                                byte[] probe = r.nextBoolean() ? c.key() : TreeTest.key(r, space);
                                MemorySegment got = Tree.get(txn, seg(probe));
                                assertThat(got == null ? null : bytes(got)).as("seed %d get", seed)
                                        .isEqualTo(model.get(probe));
                                assertThat(Tree.count(txn)).as("seed %d count", seed).isEqualTo(model.size());
                            }
                        }
                        txn.commit(); // writes what the writer held back
                    }
                    TreeTest.check(pager, levels, model);
                    assertThat(shape(pager)).as("seed %d shape", seed).isEqualTo(shapeOf(model, levels, pageSize, seed));
                }
            }
        }
    }

    /**
     * A run: about as many changes as the model has keys (at least a few), ascending, a few keys
     * twice in a row: new keys (some below and above every key so far), replaced values, deletes of
     * present keys and of absent ones.
     */
    private static List<Change> sortedRun(SplittableRandom r, TreeMap<byte[], byte[]> model, int space, int pageSize) {
        TreeMap<byte[], byte[]> run = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        List<byte[]> present = new ArrayList<>(model.keySet());
        int n = 1 + r.nextInt(Math.max(4, model.size()));
        int deletePercent = r.nextInt(4) == 0 ? 90 : r.nextInt(40); // some runs mostly tombstones
        for (int i = 0; i < n; i++) {
            byte[] k = !present.isEmpty() && r.nextInt(3) == 0 ? present.get(r.nextInt(present.size()))
                    : r.nextInt(30) == 0 ? new byte[] {0, 0, 0, 0, 0, 0, (byte) r.nextInt(256)}
                    : r.nextInt(30) == 0 ? new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) r.nextInt(256)}
                    : TreeTest.key(r, space);
            run.put(k, r.nextInt(100) < deletePercent ? null : TreeTest.value(r, pageSize));
        }
        List<Change> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : run.entrySet()) {
            out.add(new Change(e.getKey(), e.getValue()));
            if (r.nextInt(20) == 0) { // the same key again: ascending, not strictly
                out.add(new Change(e.getKey(), r.nextBoolean() ? null : TreeTest.value(r, pageSize)));
            }
        }
        return out;
    }

    private static List<String> shape(Pager pager) {
        try (ReadView v = pager.read()) {
            return TreeTest.describe(v);
        }
    }

    /** The shape of a tree holding the model's keys, inserted one at a time in random order. */
    private static List<String> shapeOf(TreeMap<byte[], byte[]> model, Levels levels, int pageSize, long seed)
            throws IOException {
        List<byte[]> keys = new ArrayList<>(model.keySet());
        Collections.shuffle(keys, new Random(seed));
        try (Pager pager = TreeTest.pager(pageSize)) {
            try (WriteTxn txn = pager.begin()) {
                TreeWriter w = new TreeWriter(txn, levels);
                for (byte[] k : keys) {
                    w.put(seg(k), seg(new byte[] {1}));
                }
                txn.commit();
            }
            return shape(pager);
        }
    }
}
