package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeysTest {

    private static final byte[] EMPTY = {};

    @Test
    void bytesCompareUnsignedAndPrefixesFirst() {
        byte[][] ascending = {
            EMPTY, {0}, {0, 0}, {0, 1}, {1}, {0x7f}, {(byte) 0x80}, {(byte) 0xff}, {(byte) 0xff, 0}
        };
        for (int i = 0; i < ascending.length; i++) {
            for (int j = 0; j < ascending.length; j++) {
                int expected = Integer.signum(Integer.compare(i, j));
                assertThat(Integer.signum(Keys.compare(ascending[i], ascending[j]))).isEqualTo(expected);
                assertThat(Integer.signum(Keys.compare(MemorySegment.ofArray(ascending[i]),
                        MemorySegment.ofArray(ascending[j])))).isEqualTo(expected);
            }
        }
    }

    @Test
    void segmentOrderAgreesWithByteOrderOnRandomKeys() {
        long seed = System.nanoTime();
        System.out.println("segmentOrderAgreesWithByteOrderOnRandomKeys seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] k = new byte[random.nextInt(0, 40)];
            for (int b = 0; b < k.length; b++) {
                k[b] = (byte) random.nextInt(0, 4); // few symbols: many shared prefixes
            }
            keys.add(k);
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 1; i < keys.size(); i++) {
                byte[] a = keys.get(i - 1);
                byte[] b = keys.get(i);
                // Off-heap copies at an odd offset: the comparison must not depend on alignment.
                MemorySegment sa = arena.allocate(a.length + 1L).asSlice(1);
                MemorySegment sb = arena.allocate(b.length + 1L).asSlice(1);
                MemorySegment.copy(MemorySegment.ofArray(a), 0, sa, 0, a.length);
                MemorySegment.copy(MemorySegment.ofArray(b), 0, sb, 0, b.length);
                assertThat(Integer.signum(Keys.SEGMENT_ORDER.compare(sa, sb)))
                        .as("seed %d, keys %d and %d", seed, i - 1, i)
                        .isEqualTo(Integer.signum(Keys.BYTE_ARRAY_ORDER.compare(a, b)));
            }
        }
    }

    @Test
    void keysInsideLargerSegmentsCompareAsTheirBytes() {
        long seed = System.nanoTime();
        System.out.println("keysInsideLargerSegmentsCompareAsTheirBytes seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            byte[] a = new byte[r.nextInt(0, 20)];
            byte[] b = new byte[r.nextInt(0, 20)];
            for (int j = 0; j < a.length; j++) {
                a[j] = (byte) (r.nextInt(3) * 127);
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) (r.nextInt(3) * 127);
            }
            int ao = r.nextInt(0, 9);
            int bo = r.nextInt(0, 9);
            byte[] pa = new byte[ao + a.length + r.nextInt(0, 5)];
            byte[] pb = new byte[bo + b.length + r.nextInt(0, 5)];
            r.nextBytes(pa); // noise around the keys must not matter
            r.nextBytes(pb);
            System.arraycopy(a, 0, pa, ao, a.length);
            System.arraycopy(b, 0, pb, bo, b.length);
            int expected = Integer.signum(Keys.compare(a, b));
            assertThat(Integer.signum(Keys.compare(MemorySegment.ofArray(pa), ao, a.length, MemorySegment.ofArray(pb), bo,
                    b.length))).as("seed %d", seed).isEqualTo(expected);
        }
        assertThatThrownBy(() -> Keys.compare(MemorySegment.ofArray(new byte[4]), 2, 3, MemorySegment.ofArray(EMPTY), 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void nullIsAClearError() {
        assertThatThrownBy(() -> Keys.compare((byte[]) null, EMPTY)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> Keys.compare(EMPTY, (byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Keys.compare(MemorySegment.NULL, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theModuleRequiresTheArenaAndExportsOnlyItsApi() {
        ModuleDescriptor d = Keys.class.getModule().getDescriptor();
        assertThat(d).as("tests must run on the module path").isNotNull();
        assertThat(d.name()).isEqualTo("org.skipstore.core");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name).contains("org.skipstore.arena");
        // The API to everyone; the internals (key prefixes) only to the page store, qualified.
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets)
                .containsExactlyInAnyOrder(tuple("org.skipstore.core", Set.of()),
                        tuple("org.skipstore.core.internal", Set.of("org.skipstore.pagestore")));
        assertThat(Keys.class.getModule().isExported("org.skipstore.core.internal")).isFalse();
    }

    @Test
    void keysHaveNoPublicMethodBeyondTheirOrder() {
        // What the tiers share beyond the order (prefixes) lives in core.internal, not here.
        assertThat(Arrays.stream(Keys.class.getMethods()).filter(m -> m.getDeclaringClass() == Keys.class)
                .map(Method::getName)).contains("compare").doesNotContain("prefix");
    }
}
