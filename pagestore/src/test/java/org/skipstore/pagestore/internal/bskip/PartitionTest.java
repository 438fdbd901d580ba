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

/** The slotted partition format against a TreeMap, with splits, copies, compaction and shared prefixes. */
class PartitionTest {

    private static final ValueLayout.OfLong BE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] randomKey(SplittableRandom r) {
        return randomKey(r, new byte[0]);
    }

    /**
     * Mostly {@code common} and then a short tail over a small alphabet (many near misses), as the
     * keys of one partition are; sometimes a key that leaves {@code common} early, or stops inside it.
     */
    static byte[] randomKey(SplittableRandom r, byte[] common) {
        int keep = r.nextInt(8) == 0 ? r.nextInt(common.length + 1) : common.length;
        byte[] k = Arrays.copyOf(common, keep + r.nextInt(0, 12));
        for (int i = keep; i < k.length; i++) {
            k[i] = (byte) (r.nextInt(4) * 85);
        }
        return k;
    }

    /** The bytes that all keys of {@code p} start with: those of its first and its last. */
    static int commonPrefix(MemorySegment p) {
        byte[] a = bytes(Partition.key(p, 0));
        byte[] b = bytes(Partition.key(p, Partition.count(p) - 1));
        int m = Arrays.mismatch(a, b);
        return m < 0 ? a.length : m;
    }

    @Test
    void randomInsertsAndRemovesAgreeWithATreeMap() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("randomInsertsAndRemovesAgreeWithATreeMap seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 200; round++) {
                // blocks over 64 KiB have wide slots (u32 offsets)
                MemorySegment p = arena.allocate(switch (r.nextInt(3)) {
                    case 0 -> 512;
                    case 1 -> 4096;
                    default -> 65536 + r.nextInt(1, 4096);
                });
                Partition.init(p, Partition.DATA, 0, 1);
                byte[] common = new byte[r.nextInt(0, 20)]; // shared prefixes up to 8 bytes, and longer
                r.nextBytes(common);
                TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
                for (int op = 0; op < 400; op++) {
                    byte[] k = randomKey(r, common);
                    int i = Partition.search(p, seg(k));
                    assertThat(i >= 0).as("seed %d: found %s", seed, Arrays.toString(k)).isEqualTo(model.containsKey(k));
                    if (i >= 0) {
                        assertThat(bytes(Partition.value(p, i))).isEqualTo(model.get(k));
                        if (r.nextInt(3) == 0) {
                            PartitionEdits.remove(p, i);
                            model.remove(k);
                        }
                    } else {
                        byte[] v = new byte[r.nextInt(0, 200)];
                        r.nextBytes(v);
                        long freeAfter = Partition.freeAfterCompaction(p);
                        boolean fits = freeAfter >= Partition.nodeSize(Partition.DATA, k.length, v.length) + Partition.SLOT;
                        boolean inserted = PartitionEdits.insertData(p, -i - 1, seg(k), seg(v));
                        if (p.byteSize() <= 65536) {
                            assertThat(inserted).as("seed %d: room counted exactly", seed).isEqualTo(fits);
                        } else if (fits) { // wide slots: the room is counted on the safe side
                            assertThat(inserted).as("seed %d: room counted on the safe side", seed).isTrue();
                        }
                        if (inserted) {
                            model.put(k, v);
                        }
                    }
                    if (r.nextInt(50) == 0) { // copy-on-write: into a block just large enough (as sized), or larger
                        int size = r.nextBoolean()
                                ? Partition.pagesFor(512, Partition.headerBytes() + Partition.used(p)) * 512
                                : (int) Math.max(Partition.headerBytes() + Partition.used(p), r.nextInt(256, 4097));
                        MemorySegment copy = arena.allocate(size);
                        PartitionEdits.copy(p, copy, 1);
                        p = copy;
                        if (!model.isEmpty()) {
                            assertThat(Partition.shared(p)).as("seed %d: a copy's keys share all they can", seed)
                                    .isEqualTo(commonPrefix(p));
                        }
                    }
                    check(p, model, seed);
                }
            }
        }
    }

    private static void check(MemorySegment p, TreeMap<byte[], byte[]> model, long seed) {
        assertThat(Partition.count(p)).as("seed %d", seed).isEqualTo(model.size());
        assertThat(Partition.layoutError(p)).as("seed %d: nodes in key order down the block, heads and shared prefix",
                seed).isNull();
        int i = 0;
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
            assertThat(bytes(Partition.key(p, i))).as("seed %d: key %d", seed, i).isEqualTo(e.getKey());
            assertThat(bytes(Partition.value(p, i))).isEqualTo(e.getValue());
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
                assertThat(PartitionEdits.insertIndex(p, Partition.count(p), seg(key), 1000 + k)).isTrue();
            }
            int at = Partition.search(p, seg(new byte[] {40, 7}));
            assertThat(at).isEqualTo(40);
            MemorySegment q = arena.allocate(4096);
            Partition.init(q, Partition.INDEX, 3, 1);
            long need = Partition.bytesOf(p, at);
            PartitionEdits.moveTail(p, at, q);
            assertThat(Partition.count(p)).isEqualTo(40);
            assertThat(Partition.count(q)).isEqualTo(60);
            assertThat(Partition.used(q)).isEqualTo(need);
            assertThat(Partition.level(q)).isEqualTo(3);
            for (int i = 0; i < 60; i++) {
                assertThat(bytes(Partition.key(q, i))).containsExactly(40 + i, 7);
                assertThat(Partition.down(q, i)).isEqualTo(1040 + i);
            }
            PartitionEdits.setDown(q, 0, 77);
            assertThat(Partition.down(q, 0)).isEqualTo(77);
            // the room the moved nodes left is garbage until compaction gives it back
            long before = Partition.free(p);
            PartitionEdits.compact(p);
            assertThat(Partition.free(p)).isGreaterThan(before);
            for (int i = 0; i < 40; i++) {
                assertThat(Partition.down(p, i)).isEqualTo(1000 + i);
            }
        }
    }

    @Test
    void sequentialKeysShareTheirPrefixAndEveryProbeFindsItsPlace() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(4096);
            Partition.init(p, Partition.DATA, 0, 4);
            byte[] k = new byte[16];
            Arrays.fill(k, 8, 16, (byte) '0');
            long first = 0x0102030405060000L + 250; // the counters cross a 256 boundary: 7 shared bytes, then 6
            for (int i = 0; i < 20; i++) {
                seg(k).set(BE_LONG, 0, first + 2 * i);
                assertThat(PartitionEdits.insertData(p, Partition.searchFromEnd(p, seg(k)) == -(i + 1) ? i : -1, seg(k),
                        seg(new byte[] {(byte) i}))).isTrue();
                assertThat(Partition.shared(p)).isEqualTo(i == 0 ? 16 : i < 3 ? 7 : 6);
                assertThat(Partition.layoutError(p)).isNull();
            }
            for (int i = -2; i < 42; i++) { // each key, the gaps between them, and beyond both ends
                seg(k).set(BE_LONG, 0, first + i);
                int expected = i < 0 ? -1 : i >= 40 ? -21 : i % 2 == 0 ? i / 2 : -(i / 2 + 1) - 1;
                assertThat(Partition.search(p, seg(k))).as("probe %d", i).isEqualTo(expected);
                assertThat(Partition.searchFromEnd(p, seg(k))).as("probe %d from the end", i).isEqualTo(expected);
            }
            // a key that stops inside the shared prefix sorts before all; one that leaves it upward, after all
            assertThat(Partition.search(p, seg(new byte[] {1, 2, 3, 4, 5}))).isEqualTo(-1);
            assertThat(Partition.search(p, seg(new byte[] {1, 2, 3, 4, 5, 6, 2}))).isEqualTo(-21);
            assertThat(Partition.search(p, seg(new byte[] {1, 2, 3, 4, 5, 6}))).isEqualTo(-1);
            // a key that leaves it downward, inserted first: the prefix shortens and every head follows
            byte[] low = {1, 2, 3, 0};
            assertThat(PartitionEdits.insertData(p, 0, seg(low), seg(new byte[1]))).isTrue();
            assertThat(Partition.shared(p)).isEqualTo(3);
            assertThat(Partition.layoutError(p)).isNull();
            assertThat(Partition.search(p, seg(low))).isZero();
            assertThat(Partition.search(p, seg(k))).isEqualTo(-22);
            // removing it leaves a shorter prefix than the keys share; a copy finds theirs again
            PartitionEdits.remove(p, 0);
            MemorySegment q = arena.allocate(4096);
            PartitionEdits.copy(p, q, 4);
            assertThat(Partition.shared(p)).isEqualTo(3);
            assertThat(Partition.shared(q)).isEqualTo(6);
            assertThat(Partition.layoutError(q)).isNull();
        }
    }

    @Test
    void varintsRoundTrip() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16);
            for (long v : new long[] {0, 1, 127, 128, 200, 255, 16383, 16384, 2097151, 2097152, 1L << 35,
                    Long.MAX_VALUE}) {
                long end = Varint.write(s, 0, v);
                assertThat(end).isEqualTo(Varint.size(v));
                assertThat(Varint.read(s, 0)).isEqualTo(v);
                long last = s.byteSize() - Varint.size(v); // ending on the segment's last byte: nothing read past it
                Varint.write(s, last, v);
                assertThat(Varint.read(s, last)).isEqualTo(v);
            }
        }
    }

    @Test
    void badSlotsAreErrors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(512);
            Partition.init(p, Partition.DATA, 0, 1);
            assertThatThrownBy(() -> PartitionEdits.remove(p, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> PartitionEdits.insertData(p, 1, seg(new byte[1]), seg(new byte[1])))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(PartitionEdits.insertData(p, 0, seg(new byte[400]), seg(new byte[400]))).isFalse(); // too big
        }
    }
}
