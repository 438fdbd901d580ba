package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The allocator's bitmaps against {@link BitSet}, on random sets, clears and searches. */
class FreeBitsTest {

    @Test
    void agreesWithBitSet() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("FreeBitsTest seed " + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 50; round++) {
            FreeBits f = new FreeBits();
            BitSet b = new BitSet();
            int range = 1 << r.nextInt(1, 14);
            for (int op = 0; op < 2000; op++) {
                int i = r.nextInt(range);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        f.set(i);
                        b.set(i);
                    }
                    case 1 -> {
                        f.clear(i);
                        b.clear(i);
                    }
                    case 2 -> {
                        int first = f.first();
                        assertThat(first).as("seed %d", seed).isEqualTo(b.nextSetBit(0));
                        if (first >= 0 && r.nextBoolean()) { // as the allocator does: take the lowest
                            f.clear(first);
                            b.clear(first);
                        }
                    }
                    default -> assertThat(f.nextSetBit(i)).as("seed %d", seed).isEqualTo(b.nextSetBit(i));
                }
                int to = i + r.nextInt(0, 200);
                int next = b.nextSetBit(i);
                assertThat(f.anySet(i, to)).as("seed %d: any in [%d, %d)", seed, i, to)
                        .isEqualTo(next >= 0 && next < to);
                assertThat(f.get(i)).isEqualTo(b.get(i));
                assertThat(f.cardinality()).isEqualTo(b.cardinality());
            }
        }
    }
}
