package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.skipstore.pagestore.internal.bskip.TreeTest.bytes;
import static org.skipstore.pagestore.internal.bskip.TreeTest.check;
import static org.skipstore.pagestore.internal.bskip.TreeTest.pager;
import static org.skipstore.pagestore.internal.bskip.TreeTest.seg;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * A large transaction under a bound on its write buffers ({@link WriteTxn#spillExcept}): it holds
 * no more than the bound after any change, reads and changes again what it wrote ahead, and
 * commits or aborts as if it had held everything. Replay with {@code -Dskipstore.seed=S}.
 */
class SpillTest {

    static final int PAGE = 512;
    static final long BOUND = 64L << 10;

    @Test
    void aFlushOverAWholeStoreHoldsNoMoreThanItsBoundAndCommitsEverything() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("aFlushOverAWholeStoreHoldsNoMoreThanItsBoundAndCommitsEverything seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Levels levels = new Levels(seed, 8);
        try (Pager pager = pager(PAGE)) {
            TreeMap<byte[], byte[]> model = fill(pager, levels, r);
            long unbounded = flush(pager, levels, new TreeMap<>(model), run(r, model), 0, true, seed);
            assertThat(unbounded).as("seed %d: without a bound the flush holds more", seed).isGreaterThan(4 * BOUND);
            TreeMap<byte[], byte[]> run = run(r, model);
            TreeMap<byte[], byte[]> next = new TreeMap<>(model);
            long most = flush(pager, levels, next, run, BOUND, false, seed);
            assertThat(most).as("seed %d: the most it held", seed).isLessThanOrEqualTo(BOUND);
            check(pager, levels, next);
        }
    }

    @Test
    void anAbortedTransactionThatSpilledLeavesTheLastCommitAndEveryBlockFree() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("anAbortedTransactionThatSpilledLeavesTheLastCommitAndEveryBlockFree seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Levels levels = new Levels(seed, 8);
        try (Pager pager = pager(PAGE)) {
            TreeMap<byte[], byte[]> model = fill(pager, levels, r);
            long used = used(pager);
            try (WriteTxn txn = pager.begin()) {
                txn.limitBuffers(BOUND);
                TreeWriter w = new TreeWriter(txn, levels);
                TreeMap<byte[], byte[]> scratch = new TreeMap<>(model);
                for (Map.Entry<byte[], byte[]> e : run(r, model).entrySet()) {
                    apply(w, scratch, e.getKey(), e.getValue(), seed);
                }
                assertThat(txn.spilledBlocks()).isPositive();
                txn.abort();
            }
            assertThat(used(pager)).as("seed %d: pages in use after the abort", seed).isEqualTo(used);
            check(pager, levels, model);
            fill(pager, levels, r, model); // and the store goes on: the blocks written ahead are reused
            check(pager, levels, model);
        }
    }

    /**
     * Applies {@code run} (null: delete) in key order in one transaction under {@code bound}
     * (0: none), reading some keys back and changing some twice; returns the most bytes of buffers
     * it held after a change.
     */
    private static long flush(Pager pager, Levels levels, TreeMap<byte[], byte[]> model, TreeMap<byte[], byte[]> run,
                              long bound, boolean abort, long seed) throws IOException {
        long most = 0;
        SplittableRandom r = new SplittableRandom(seed);
        try (WriteTxn txn = pager.begin()) {
            txn.limitBuffers(bound);
            TreeWriter w = new TreeWriter(txn, levels);
            byte[] last = null;
            for (Map.Entry<byte[], byte[]> e : run.entrySet()) {
                apply(w, model, e.getKey(), e.getValue(), seed);
                most = Math.max(most, txn.bufferBytes());
                if (last != null && r.nextInt(50) == 0) { // back to a partition written ahead, perhaps
                    byte[] v = new byte[r.nextInt(60)];
                    r.nextBytes(v);
                    apply(w, model, last, v, seed);
                    most = Math.max(most, txn.bufferBytes());
                }
                if (r.nextInt(100) == 0) {
                    w.settle();
                    MemorySegment got = Tree.get(txn, seg(e.getKey()));
                    assertThat(got == null ? null : bytes(got)).as("seed %d read back", seed).isEqualTo(model.get(e.getKey()));
                }
                last = e.getKey();
            }
            if (bound != 0) {
                assertThat(txn.spilledBlocks()).as("seed %d: blocks written ahead", seed).isPositive();
            }
            if (abort) {
                txn.abort();
            } else {
                txn.commit();
            }
        }
        return most;
    }

    /** Pages the allocator does not hold free (the file may have grown meanwhile). */
    private static long used(Pager pager) {
        return pager.allocator().capacity() - pager.allocator().freePages();
    }

    private static void apply(TreeWriter w, TreeMap<byte[], byte[]> model, byte[] k, byte[] v, long seed) throws IOException {
        if (v == null) {
            assertThat(w.delete(seg(k))).as("seed %d delete", seed).isEqualTo(model.remove(k) != null);
        } else {
            assertThat(w.put(seg(k), seg(v))).as("seed %d put", seed).isEqualTo(model.put(k, v) == null);
        }
    }

    /** A committed store of 20 000 keys. */
    private static TreeMap<byte[], byte[]> fill(Pager pager, Levels levels, SplittableRandom r) throws IOException {
        TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        fill(pager, levels, r, model);
        return model;
    }

    private static void fill(Pager pager, Levels levels, SplittableRandom r, TreeMap<byte[], byte[]> model)
            throws IOException {
        try (WriteTxn txn = pager.begin()) {
            TreeWriter w = new TreeWriter(txn, levels);
            for (int i = 0; i < 20_000; i++) {
                byte[] k = key(r);
                byte[] v = value(r);
                model.put(k, v);
                w.put(seg(k), seg(v));
            }
            txn.commit();
        }
    }

    /** A sorted run over the whole key space, as an engine's flush brings: new keys, new values, deletes. */
    private static TreeMap<byte[], byte[]> run(SplittableRandom r, TreeMap<byte[], byte[]> model) {
        TreeMap<byte[], byte[]> run = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        Object[] present = model.keySet().toArray();
        for (int i = 0; i < 8000; i++) {
            byte[] k = r.nextInt(3) == 0 ? (byte[]) present[r.nextInt(present.length)] : key(r);
            run.put(k, r.nextInt(6) == 0 ? null : value(r));
        }
        return run;
    }

    private static byte[] key(SplittableRandom r) {
        byte[] k = new byte[8 + r.nextInt(9)];
        r.nextBytes(k);
        return k;
    }

    private static byte[] value(SplittableRandom r) {
        byte[] v = new byte[r.nextInt(40) == 0 ? r.nextInt(PAGE * 3) : r.nextInt(60)]; // some out of line
        r.nextBytes(v);
        return v;
    }
}
