package org.skipstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.skipstore.core.Keys;

/** Key prefixes, which both tiers compare first, against the key order itself. */
class KeyBytesTest {

    @Test
    void prefixesNeverContradictTheKeyOrder() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("prefixesNeverContradictTheKeyOrder seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int n = 0; n < 100_000; n++) {
            byte[] a = new byte[r.nextInt(0, 12)];
            byte[] b = new byte[r.nextInt(0, 12)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) (r.nextInt(3) * 127); // few distinct bytes: many shared prefixes
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(3) * 127);
            }
            int byPrefix = Long.compareUnsigned(KeyBytes.prefix(MemorySegment.ofArray(a)),
                    KeyBytes.prefix(MemorySegment.ofArray(b)));
            int byKey = Integer.signum(Keys.compare(a, b));
            if (byPrefix != 0) {
                assertThat(Integer.signum(byPrefix)).as("seed %d", seed).isEqualTo(byKey);
            }
        }
    }

    @Test
    void aPrefixIsTheFirstEightBytesBigEndianZeroPadded() {
        byte[] noise = {9, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xff, 9};
        MemorySegment s = MemorySegment.ofArray(noise);
        assertThat(KeyBytes.prefix(s, 1, 8)).isEqualTo(0x0102030405060708L);
        assertThat(KeyBytes.prefix(s, 1, 10)).isEqualTo(0x0102030405060708L); // bytes past 8 do not count
        assertThat(KeyBytes.prefix(s, 8, 2)).isEqualTo(0x08ff000000000000L);
        assertThat(KeyBytes.prefix(s, 0, 0)).isZero();
        assertThat(KeyBytes.prefix(MemorySegment.ofArray(new byte[] {(byte) 0x80}))).isEqualTo(0x8000000000000000L);
    }

    /**
     * Keys with equal prefixes compare as their bytes do, for every length and tail: lengths 0
     * to 40 (a tail of 0 to 7 bytes after the 8-byte steps), few distinct bytes so that keys
     * often differ only in their last byte, and keys at odd offsets of larger segments.
     */
    @Test
    void keysWithEqualPrefixesCompareAsTheirBytes() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("keysWithEqualPrefixesCompareAsTheirBytes seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int n = 0; n < 200_000; n++) {
            int al = r.nextInt(0, 41);
            int bl = r.nextInt(0, 41);
            byte[] a = new byte[al + 3];
            byte[] b = new byte[bl + 5];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) (r.nextInt(2) * 255);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(2) * 255);
            }
            System.arraycopy(a, 3, b, 5, Math.min(8, Math.min(al, bl))); // equal prefixes
            byte[] ka = java.util.Arrays.copyOfRange(a, 3, 3 + al);
            byte[] kb = java.util.Arrays.copyOfRange(b, 5, 5 + bl);
            if (KeyBytes.prefix(MemorySegment.ofArray(ka)) != KeyBytes.prefix(MemorySegment.ofArray(kb))) {
                continue; // a key shorter than 8 bytes padded with zeros against real zeros: not equal prefixes
            }
            int got = Integer.signum(KeyBytes.compareAfterPrefix(MemorySegment.ofArray(a), 3, al,
                    MemorySegment.ofArray(b), 5, bl));
            assertThat(got).as("seed %d, %s vs %s", seed, java.util.Arrays.toString(ka), java.util.Arrays.toString(kb))
                    .isEqualTo(Integer.signum(Keys.compare(ka, kb)));
        }
    }
}
