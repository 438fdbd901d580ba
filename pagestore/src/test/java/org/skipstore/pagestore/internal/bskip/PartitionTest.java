package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The slotted partition format against a TreeMap, with splits, copies and compaction. */
class PartitionTest {

    static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] randomKey(SplittableRandom r) {
        byte[] k = new byte[r.nextInt(0, 12)]; // short keys over a small alphabet: many near misses
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (r.nextInt(4) * 85);
        }
        return k;
    }

    @Test
    void randomInsertsAndRemovesAgreeWithATreeMap() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("randomInsertsAndRemovesAgreeWithATreeMap seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 200; round++) {
                MemorySegment p = arena.allocate(r.nextBoolean() ? 4096 : 512);
                Partition.init(p, Partition.DATA, 0, 1);
                TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
                for (int op = 0; op < 400; op++) {
                    byte[] k = randomKey(r);
                    int i = Partition.search(p, seg(k));
                    assertThat(i >= 0).as("seed %d: found %s", seed, Arrays.toString(k)).isEqualTo(model.containsKey(k));
                    if (i >= 0) {
                        assertThat(bytes(Partition.value(p, i))).isEqualTo(model.get(k));
                        if (r.nextInt(3) == 0) {
                            Partition.remove(p, i);
                            model.remove(k);
                        }
                    } else {
                        byte[] v = new byte[r.nextInt(0, 200)];
                        r.nextBytes(v);
                        long freeAfter = Partition.freeAfterCompaction(p);
                        boolean fits = freeAfter >= Partition.nodeSize(Partition.DATA, k.length, v.length) + Partition.SLOT;
                        assertThat(Partition.insertData(p, -i - 1, seg(k), seg(v))).isEqualTo(fits);
                        if (fits) {
                            model.put(k, v);
                        }
                    }
                    if (r.nextInt(50) == 0) { // copy-on-write: into a block just large enough, or larger
                        int size = (int) Math.max(Partition.headerBytes() + Partition.used(p), r.nextInt(256, 4097));
                        MemorySegment copy = arena.allocate(size);
                        Partition.copy(p, copy, 1);
                        p = copy;
                    }
                    check(p, model, seed);
                }
            }
        }
    }

    private static void check(MemorySegment p, TreeMap<byte[], byte[]> model, long seed) {
        assertThat(Partition.count(p)).as("seed %d", seed).isEqualTo(model.size());
        assertThat(Partition.layoutError(p)).as("seed %d: nodes in key order down the block", seed).isNull();
        int i = 0;
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
            assertThat(bytes(Partition.key(p, i))).as("seed %d: key %d", seed, i).isEqualTo(e.getKey());
            assertThat(bytes(Partition.value(p, i))).isEqualTo(e.getValue());
            assertThat(Partition.slotPrefix(p, i)).as("seed %d: prefix %d", seed, i)
                    .isEqualTo(Partition.prefix(Partition.key(p, i)));
            i++;
        }
        long nodes = 0;
        for (byte[][] kv : model.entrySet().stream().map(e -> new byte[][] {e.getKey(), e.getValue()}).toList()) {
            nodes += Partition.nodeSize(Partition.DATA, kv[0].length, kv[1].length) + Partition.SLOT;
        }
        assertThat(Partition.used(p)).isEqualTo(nodes);
    }

    @Test
    void aSplitMovesTheTailInOrderAndIndexNodesKeepTheirDownReferences() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(4096);
            Partition.init(p, Partition.INDEX, 3, 1);
            for (int k = 0; k < 100; k++) {
                byte[] key = {(byte) k, 7};
                assertThat(Partition.insertIndex(p, Partition.count(p), seg(key), 1000 + k)).isTrue();
            }
            int at = Partition.search(p, seg(new byte[] {40, 7}));
            assertThat(at).isEqualTo(40);
            MemorySegment q = arena.allocate(4096);
            Partition.init(q, Partition.INDEX, 3, 1);
            long need = Partition.bytesOf(p, at);
            Partition.moveTail(p, at, q);
            assertThat(Partition.count(p)).isEqualTo(40);
            assertThat(Partition.count(q)).isEqualTo(60);
            assertThat(Partition.used(q)).isEqualTo(need);
            assertThat(Partition.level(q)).isEqualTo(3);
            for (int i = 0; i < 60; i++) {
                assertThat(bytes(Partition.key(q, i))).containsExactly(40 + i, 7);
                assertThat(Partition.down(q, i)).isEqualTo(1040 + i);
            }
            Partition.setDown(q, 0, 77);
            assertThat(Partition.down(q, 0)).isEqualTo(77);
            // the room the moved nodes left is garbage until compaction gives it back
            long before = Partition.free(p);
            Partition.compact(p);
            assertThat(Partition.free(p)).isGreaterThan(before);
            for (int i = 0; i < 40; i++) {
                assertThat(Partition.down(p, i)).isEqualTo(1000 + i);
            }
        }
    }

    @Test
    void varintsRoundTrip() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16);
            for (long v : new long[] {0, 1, 127, 128, 16383, 16384, 1L << 35, Long.MAX_VALUE}) {
                long end = Varint.write(s, 0, v);
                assertThat(end).isEqualTo(Varint.size(v));
                assertThat(Varint.read(s, 0)).isEqualTo(v);
            }
        }
    }

    @Test
    void badSlotsAreErrors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(512);
            Partition.init(p, Partition.DATA, 0, 1);
            assertThatThrownBy(() -> Partition.remove(p, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> Partition.insertData(p, 1, seg(new byte[1]), seg(new byte[1])))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(Partition.insertData(p, 0, seg(new byte[400]), seg(new byte[400]))).isFalse(); // too big
        }
    }
}
