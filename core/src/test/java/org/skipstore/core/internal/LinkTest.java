package org.skipstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.skipstore.arena.ShardedArena;

/** The packing of tower links: references survive it, and prefixes order like keys. */
class LinkTest {

    @Test
    void referencesThatFitSurviveThePacking() {
        long seed = System.nanoTime();
        System.out.println("referencesThatFitSurviveThePacking seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            int chunk = 1 + random.nextInt(Link.MAX_CHUNK_ID);
            long offset = random.nextLong(Link.MAX_OFFSET) & ~7L;
            long ref = ShardedArena.reference(chunk, offset);
            long prefix = random.nextLong();
            assertThat(Link.fits(ref)).isTrue();
            long link = Link.of(ref, prefix);
            assertThat(link).isNotZero();
            assertThat(Link.ref(link)).isEqualTo(ref);
            assertThat(Link.prefix(link)).isEqualTo(Link.prefixOfKey(prefix));
        }
        assertThat(Link.ref(0)).isZero();
    }

    @Test
    void referencesBeyondTheLimitsDoNotFit() {
        assertThat(Link.fits(ShardedArena.reference(Link.MAX_CHUNK_ID + 1, 0))).isFalse();
        assertThat(Link.fits(ShardedArena.reference(1, Link.MAX_OFFSET))).isFalse();
        assertThat(Link.fits(ShardedArena.reference(1, 12))).isFalse(); // not 8-byte aligned
        assertThat(Link.fits(ShardedArena.reference(Link.MAX_CHUNK_ID, Link.MAX_OFFSET - 8))).isTrue();
    }

    @Test
    void prefixesOrderLikeTheKeysFirstBitsAsUnsignedNumbers() {
        long seed = System.nanoTime();
        System.out.println("prefixesOrderLikeTheKeysFirstBitsAsUnsignedNumbers seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            long a = random.nextLong();
            long b = random.nextInt(4) == 0 ? a ^ random.nextLong(1L << 34) : random.nextLong(); // often tie
            long pa = Link.prefix(Link.of(ShardedArena.reference(1, 0), a));
            long pb = Link.prefix(Link.of(ShardedArena.reference(2, 8), b));
            int keyOrder = Long.signum(Long.compareUnsigned(a, b));
            int prefixOrder = Long.signum(Long.compare(pa, pb));
            // Prefixes never contradict the keys; they tie only when the first 30 bits do.
            assertThat(prefixOrder == 0 || prefixOrder == keyOrder).isTrue();
            assertThat(prefixOrder == 0).isEqualTo((a >>> 34) == (b >>> 34));
        }
    }
}
