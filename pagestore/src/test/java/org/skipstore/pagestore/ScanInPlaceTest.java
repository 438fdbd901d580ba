package org.skipstore.pagestore;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Transaction#scanInPlace}: the entries where they lie, as segments and offsets. The
 * differential model test ({@code PageStoreModelTest}) checks its ranges against a TreeMap; this
 * checks what a model does not reach: values out of line, a writer's own entries, stopping,
 * failing visitors, changes during the scan, and checked mode's copies.
 */
class ScanInPlaceTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(MemorySegment seg, long off, long len) {
        return new String(seg.asSlice(off, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Value {@code i}: out of line (above 1 KiB) every seventh, else short. */
    private static byte[] value(int i) {
        byte[] v = new byte[i % 7 == 0 ? 3000 + i : 1 + i % 50];
        new SplittableRandom(i).nextBytes(v);
        return v;
    }

    @Test
    void givesEveryEntryOfTheRangeInPlaceInlineAndOutOfLineBothWays() {
        try (PageStore store = PageStore.builder().promotion(4).openInMemory()) {
            try (WriteTransaction w = store.write()) {
                for (int i = 0; i < 500; i++) {
                    w.put(b(String.format("k%04d", i)), value(i));
                }
                w.commit();
            }
            try (ReadTransaction r = store.read()) {
                for (boolean reversed : new boolean[] {false, true}) {
                    Range range = Range.closedOpen(b("k0100"), b("k0300"));
                    List<String> keys = new ArrayList<>();
                    long n = r.scanInPlace(reversed ? range.reversed() : range, (ks, ko, kl, vs, vo, vl) -> {
                        assertThat(ks.isReadOnly() && vs.isReadOnly()).isTrue();
                        String k = s(ks, ko, kl);
                        int i = Integer.parseInt(k.substring(1));
                        assertThat(vs.asSlice(vo, vl).toArray(JAVA_BYTE)).as(k).isEqualTo(value(i));
                        keys.add(k);
                        return true;
                    });
                    assertThat(n).isEqualTo(200);
                    assertThat(keys).hasSize(200);
                    assertThat(keys.get(0)).isEqualTo(reversed ? "k0299" : "k0100");
                    assertThat(keys.get(199)).isEqualTo(reversed ? "k0100" : "k0299");
                }
                long[] seen = {0};
                assertThat(r.scanInPlace(Range.all().keysOnly(), (ks, ko, kl, vs, vo, vl) -> {
                    assertThat(vl).isZero();
                    seen[0]++;
                    return true;
                })).isEqualTo(500).isEqualTo(seen[0]);
            }
        }
    }

    /**
     * The walk reads one- and two-byte lengths itself and longer ones apart, and narrow and wide
     * slots: keys and values of every length about a varint's byte boundaries (a value's field is
     * its length doubled), in narrow partitions, in wide ones (over 64 KiB: one partition of
     * thousands of entries), and with a page size whose longest key needs a three-byte length.
     */
    @Test
    void readsKeysAndValuesOfEveryLengthAboutAVarintBoundaryInNarrowAndWidePartitions() {
        long seed = System.nanoTime();
        System.out.println("ScanInPlaceTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int[] shape : new int[][] {{512, 4, 300}, {512, 8000, 3000}, {65536, 8, 300}}) {
            PageStoreBuilder b = PageStore.builder().pageSize(shape[0]).promotion(shape[1]);
            try (PageStore store = b.openInMemory()) {
                int maxKey = store.maxKeyBytes();
                long inlineMax = org.skipstore.pagestore.internal.bskip.Tree.inlineMax(shape[0]);
                int[] keyLengths = {1, 2, 127, 128, 129, 200, 8191, 8192, 16383, 16384, maxKey};
                long[] valueLengths = {0, 1, 63, 64, 65, 127, 128, inlineMax, inlineMax + 1};
                java.util.TreeMap<byte[], byte[]> model = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
                try (WriteTransaction w = store.write()) {
                    for (int i = 0; i < shape[2]; i++) {
                        int kl = Math.min(maxKey, keyLengths[r.nextInt(keyLengths.length)]);
                        byte[] k = new byte[i % 10 == 0 ? kl : 8 + r.nextInt(24)];
                        r.nextBytes(k);
                        byte[] v = new byte[(int) valueLengths[r.nextInt(valueLengths.length)]];
                        r.nextBytes(v);
                        w.put(k, v);
                        model.put(k, v);
                    }
                    w.commit();
                }
                try (ReadTransaction t = store.read()) {
                    for (boolean reversed : new boolean[] {false, true}) {
                        var expected = (reversed ? model.descendingMap() : model).entrySet().iterator();
                        long n = t.scanInPlace(reversed ? Range.all().reversed() : Range.all(), (ks, ko, kl, vs, vo, vl) -> {
                            var e = expected.next();
                            assertThat(ks.asSlice(ko, kl).toArray(JAVA_BYTE)).isEqualTo(e.getKey());
                            assertThat(vs.asSlice(vo, vl).toArray(JAVA_BYTE)).isEqualTo(e.getValue());
                            return true;
                        });
                        assertThat(n).as("page %d, 1/%d, seed %d", shape[0], shape[1], seed).isEqualTo(model.size());
                        assertThat(expected.hasNext()).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void stopsWhenTheVisitorSaysAndPassesItsExceptionOn() {
        try (PageStore store = PageStore.builder().promotion(4).openInMemory()) {
            for (int i = 0; i < 100; i++) {
                store.put(b(String.format("k%03d", i)), b("v" + i));
            }
            try (ReadTransaction r = store.read()) {
                List<String> keys = new ArrayList<>();
                assertThat(r.scanInPlace(Range.all(), (ks, ko, kl, vs, vo, vl) -> keys.add(s(ks, ko, kl))
                        && keys.size() < 30)).isEqualTo(30);
                assertThat(keys).hasSize(30).endsWith("k029");
                IllegalStateException mine = new IllegalStateException("the visitor's own");
                assertThatThrownBy(() -> r.scanInPlace(Range.all(), (ks, ko, kl, vs, vo, vl) -> {
                    throw mine;
                })).isSameAs(mine);
                assertThat(r.scanInPlace(Range.all().limit(0), (ks, ko, kl, vs, vo, vl) -> true)).isZero();
                List<String> limited = new ArrayList<>();
                assertThat(r.scanInPlace(Range.atLeast(b("k050")).limit(7), (ks, ko, kl, vs, vo, vl) ->
                        limited.add(s(ks, ko, kl)))).isEqualTo(7);
                assertThat(limited).containsExactly("k050", "k051", "k052", "k053", "k054", "k055", "k056");
                assertThatThrownBy(() -> r.scanInPlace(Range.all(), null)).isInstanceOf(NullPointerException.class);
            }
        }
    }

    @Test
    void aWriterSeesItsOwnEntriesAndMayNotChangeWhileItScans() {
        try (PageStore store = PageStore.builder().promotion(4).openInMemory()) {
            store.put(b("a"), b("committed"));
            try (WriteTransaction w = store.write()) {
                w.put(b("b"), b("mine"));
                List<String> seen = new ArrayList<>();
                w.scanInPlace(Range.all(), (ks, ko, kl, vs, vo, vl) -> seen.add(s(ks, ko, kl) + "=" + s(vs, vo, vl)));
                assertThat(seen).containsExactly("a=committed", "b=mine");
                assertThatThrownBy(() -> w.scanInPlace(Range.all(), (ks, ko, kl, vs, vo, vl) -> {
                    w.put(b("c" + ko), b("x"));
                    return true;
                })).isInstanceOf(ConcurrentModificationException.class);
            }
        }
    }

    @Test
    void checkedModeGivesCopiesThatDieWithTheScan() {
        try (PageStore store = PageStore.builder().checkedSegments(true).openInMemory()) {
            store.put(b("k"), b("v"));
            MemorySegment[] kept = new MemorySegment[1];
            try (ReadTransaction r = store.read()) {
                assertThat(r.scanInPlace(Range.all(), (ks, ko, kl, vs, vo, vl) -> {
                    assertThat(s(ks, ko, kl) + "=" + s(vs, vo, vl)).isEqualTo("k=v");
                    kept[0] = ks;
                    return true;
                })).isEqualTo(1);
            }
            assertThatThrownBy(() -> kept[0].get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
