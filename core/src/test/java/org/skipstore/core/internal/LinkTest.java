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
            long link = Link.of(ref, Link.prefixOfKey(prefix));
            assertThat(link).isNotZero();
            assertThat(Link.ref(link)).isEqualTo(ref);
            assertThat(Link.prefix(link)).isEqualTo(Link.prefixOfKey(prefix));
        }
        assertThat(Link.ref(0)).isZero();
    }

    @Test
    void countersWithLeadingZeroBytesGetSummariesOfTheirOwn() {
        for (long i = 1; i < 1_000_000; i++) {
            assertThat(Link.prefixOfKey(i)).isGreaterThan(Link.prefixOfKey(i - 1));
        }
    }

    @Test
    void referencesBeyondTheLimitsDoNotFit() {
        assertThat(Link.fits(ShardedArena.reference(Link.MAX_CHUNK_ID + 1, 0))).isFalse();
        assertThat(Link.fits(ShardedArena.reference(1, Link.MAX_OFFSET))).isFalse();
        assertThat(Link.fits(ShardedArena.reference(1, 12))).isFalse(); // not 8-byte aligned
        assertThat(Link.fits(ShardedArena.reference(Link.MAX_CHUNK_ID, Link.MAX_OFFSET - 8))).isTrue();
    }

    @Test
    void summariesOrderLikeTheKeysFirstBytesAsUnsignedNumbers() {
        long seed = System.nanoTime();
        System.out.println("summariesOrderLikeTheKeysFirstBytesAsUnsignedNumbers seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            // random keys, and keys whose first bytes are zero (db_bench's counters)
            long a = random.nextBoolean() ? random.nextLong() : random.nextLong() >>> (8 + random.nextInt(56));
            long b = switch (random.nextInt(4)) {
                case 0 -> a ^ random.nextLong(1L << 34); // often tie
                case 1 -> a + random.nextInt(3) - 1;     // neighbours
                default -> random.nextBoolean() ? random.nextLong() : random.nextLong() >>> (8 + random.nextInt(56));
            };
            long pa = Link.prefix(Link.of(ShardedArena.reference(1, 0), Link.prefixOfKey(a)));
            long pb = Link.prefix(Link.of(ShardedArena.reference(2, 8), Link.prefixOfKey(b)));
            int keyOrder = Long.signum(Long.compareUnsigned(a, b));
            int prefixOrder = Long.signum(Long.compare(pa, pb));
            // Summaries never contradict the keys; they tie only when the top one bit and the
            // MANTISSA_BITS after it do.
            assertThat(prefixOrder == 0 || prefixOrder == keyOrder).as("%x %x", a, b).isTrue();
            int lz = Long.numberOfLeadingZeros(a);
            boolean sameTop = lz == Long.numberOfLeadingZeros(b)
                    && (lz == 64 || ((a << lz << 1) >>> (64 - Link.MANTISSA_BITS)) == ((b << lz << 1) >>> (64 - Link.MANTISSA_BITS)));
            assertThat(prefixOrder == 0).as("%x %x", a, b).isEqualTo(sameTop);
        }
    }
}
