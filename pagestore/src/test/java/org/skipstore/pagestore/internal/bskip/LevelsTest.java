package org.skipstore.pagestore.internal.bskip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Levels depend on the key and the seed alone, and follow the promotion probability. */
class LevelsTest {

    static MemorySegment key(long i) {
        return MemorySegment.ofArray(ByteBuffer.allocate(16).putLong(i).putLong(~i).array());
    }

    @Test
    void theLevelIsAFunctionOfKeyAndSeed() {
        Levels a = new Levels(42, 20);
        Levels again = new Levels(42, 20);
        Levels other = new Levels(43, 20);
        int differ = 0;
        for (long i = 0; i < 100_000; i++) {
            assertThat(again.level(key(i))).isEqualTo(a.level(key(i)));
            differ += a.level(key(i)) != other.level(key(i)) ? 1 : 0;
        }
        assertThat(differ).as("another seed gives other levels").isGreaterThan(5_000);
    }

    @Test
    void eachLevelIsOneBthAsLikelyAsTheOneBelow() {
        Levels levels = new Levels(7, 20);
        int n = 2_000_000;
        int[] count = new int[Levels.LEVELS];
        for (long i = 0; i < n; i++) {
            count[levels.level(key(i))]++;
        }
        // level >= 1: 1/20 of the keys; level >= 2: 1/400; level >= 3: 1/8000
        int atLeast1 = n - count[0];
        int atLeast2 = atLeast1 - count[1];
        int atLeast3 = atLeast2 - count[2];
        assertThat((double) atLeast1 / n).isCloseTo(1.0 / 20, within(0.002));
        assertThat((double) atLeast2 / n).isCloseTo(1.0 / 400, within(0.0004));
        assertThat((double) atLeast3 / n).isCloseTo(1.0 / 8000, within(0.0001));
    }
}
