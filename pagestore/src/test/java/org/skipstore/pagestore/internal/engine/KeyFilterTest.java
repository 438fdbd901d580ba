package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link KeyFilter}: never "absent" for a key added, and few false positives at its size. */
class KeyFilterTest {

    static final long SEED = Long.getLong("skipstore.seed", System.nanoTime());

    static MemorySegment key(SplittableRandom r, Arena arena) {
        byte[] k = new byte[r.nextInt(41)]; // 0..40 bytes: the tails and the 8-byte words
        r.nextBytes(k);
        MemorySegment s = arena.allocate(Math.max(1, k.length)).asSlice(0, k.length);
        MemorySegment.copy(k, 0, s, ValueLayout.JAVA_BYTE, 0, k.length);
        return s;
    }

    @Test
    void everyKeyAddedIsFoundAndStrangersMostlyNot() {
        System.out.println("KeyFilterTest seed " + SEED + " (-Dskipstore.seed to replay)");
        int n = 40_000; // a 8 MiB memtable's filter (512 Ki bits): 13 bits a key
        KeyFilter f = new KeyFilter(8L << 20);
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(SEED);
            long[] hashes = new long[n];
            for (int i = 0; i < n; i++) {
                hashes[i] = KeyFilter.hash(key(r, arena));
                f.add(hashes[i]);
            }
            for (long h : hashes) {
                assertThat(f.mayContain(h)).isTrue();
            }
            SplittableRandom strangers = new SplittableRandom(SEED + 1);
            int positives = 0;
            int tries = 100_000;
            for (int i = 0; i < tries; i++) {
                MemorySegment k = arena.allocate(24);
                k.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, strangers.nextLong());
                k.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, strangers.nextLong());
                k.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, -1L); // longer than any key added: never one of them
                if (f.mayContain(KeyFilter.hash(k))) {
                    positives++;
                }
            }
            assertThat(positives / (double) tries).as("false positives").isLessThan(0.03);
        }
    }

    @Test
    void keysThatDifferInOneByteOrInLengthHashApart() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(17);
            MemorySegment b = arena.allocate(17);
            b.set(ValueLayout.JAVA_BYTE, 16, (byte) 1);
            assertThat(KeyFilter.hash(a)).isNotEqualTo(KeyFilter.hash(b));
            assertThat(KeyFilter.hash(a.asSlice(0, 16))).isNotEqualTo(KeyFilter.hash(a));
            assertThat(KeyFilter.hash(a.asSlice(0, 0))).isNotEqualTo(KeyFilter.hash(a.asSlice(0, 1)));
        }
    }
}
