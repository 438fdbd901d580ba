package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.List;
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
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.skipstore.core");
    }
}
