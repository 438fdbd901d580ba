package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.WriteTxn;

/** The one descent: each rule lands on level 0 where a TreeMap says its entry is. */
class DescentTest {

    @Test
    void eachRuleLandsOnItsEntryOrJustBesideItsPartition() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("eachRuleLandsOnItsEntryOrJustBesideItsPartition seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 4; round++) {
            Levels levels = new Levels(r.nextLong(), 2 + r.nextInt(4)); // small B: tall lists, keys on many levels
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
            int space = 100 + r.nextInt(5000);
            try (Pager pager = TreeTest.pager(512)) {
                try (WriteTxn txn = pager.begin()) {
                    TreeWriter w = new TreeWriter(txn, levels);
                    for (int i = 0, n = r.nextInt(1, 2000); i < n; i++) {
                        byte[] k = TreeTest.key(r, space);
                        model.put(k, k);
                        w.put(TreeTest.seg(k), TreeTest.seg(k));
                    }
                    txn.commit();
                }
                try (ReadView v = pager.read()) {
                    check(v, Rule.FIRST, null, model.firstKey(), seed);
                    check(v, Rule.LAST, null, model.lastKey(), seed);
                    for (int probe = 0; probe < 1000; probe++) {
                        // half the probes are keys of the list: those an index level holds too take the shortcut
                        byte[] x = r.nextBoolean() ? TreeTest.key(r, space) : model.ceilingKey(TreeTest.key(r, space));
                        if (x == null) {
                            continue;
                        }
                        check(v, Rule.FLOOR, x, model.floorKey(x), seed);
                        check(v, Rule.STRICT, x, model.lowerKey(x), seed);
                        check(v, Rule.CEILING, x, model.ceilingKey(x), seed);
                    }
                }
            }
        }
    }

    /**
     * The descent by {@code rule} for {@code x} must land on {@code expected}; or, only when it
     * lies in no partition before (FLOOR, STRICT: none) or lies in the next one (CEILING), just
     * beside the partition.
     */
    private static void check(ReadView v, Rule rule, byte[] x, byte[] expected, long seed) {
        MemorySegment key = x == null ? null : TreeTest.seg(x);
        long kp = x == null ? 0 : Partition.prefix(key);
        MemorySegment p = Tree.descend(v, key, kp, rule, null);
        int i = Tree.land(p, key, kp, rule);
        int n = Partition.count(p);
        String as = "seed " + seed + ", " + rule + " of " + java.util.Arrays.toString(x);
        if (i >= 0 && i < n) {
            assertThat(TreeTest.bytes(Partition.key(p, i))).as(as).isEqualTo(expected);
        } else if (i == -1 && rule != Rule.CEILING) {
            assertThat(expected).as(as).isNull();
        } else {
            assertThat(i).as(as).isEqualTo(n);
            assertThat(rule).as(as).isEqualTo(Rule.CEILING);
            assertThat(Keys.compare(Partition.key(p, n - 1), key)).as(as).isNegative();
            if (expected != null) { // the first key of the next partition: above all of this one
                assertThat(Keys.compare(TreeTest.seg(expected), Partition.key(p, n - 1))).as(as).isPositive();
            }
        }
    }
}
