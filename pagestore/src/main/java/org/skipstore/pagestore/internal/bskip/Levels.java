package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * A key's level in the B-skip-list, rolled as Golovin's B-skip-list does: from a seeded hash of
 * the key, so that the level is a function of the key alone and the structure of the whole list
 * a function of the key set alone, whatever the order of inserts and deletes (a test inserts the
 * same keys in several orders and compares partitions exactly). Each level is reached with
 * probability {@code 1/B} from the one below, up to {@link #MAX_LEVEL}.
 */
public final class Levels {

    /** Levels 0..7: the data level and seven index levels. */
    public static final int LEVELS = 8;
    public static final int MAX_LEVEL = LEVELS - 1;

    private static final java.lang.foreign.ValueLayout.OfLong WORD = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long seed;
    private final int b;

    /**
     * @param seed the store's hash seed (kept in its meta, so the levels survive reopening)
     * @param b    the inverse promotion probability; quark uses about 20
     */
    public Levels(long seed, int b) {
        if (b < 2) {
            throw new IllegalArgumentException("the promotion probability must be at most 1/2: 1/" + b);
        }
        this.seed = seed;
        this.b = b;
    }

    /** The inverse promotion probability. */
    public int b() {
        return b;
    }

    /** The level of {@code key}: 0 with probability {@code 1 - 1/B}, each higher one {@code 1/B} as likely. */
    public int level(MemorySegment key) {
        long h = hash(key);
        int level = 0;
        // Each round takes fresh bits from the hash stream, so the levels are independent draws.
        while (level < MAX_LEVEL && Long.remainderUnsigned(h, b) == 0) {
            level++;
            h = mix(h + 0x9E3779B97F4A7C15L);
        }
        return level;
    }

    /** A seeded 64-bit hash of the key's bytes. */
    long hash(MemorySegment key) {
        long n = key.byteSize();
        long h = mix(seed ^ n);
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            h = mix(h ^ key.get(WORD, i));
        }
        long tail = 0;
        for (int shift = 0; i < n; i++, shift += 8) {
            tail |= (key.get(JAVA_BYTE, i) & 0xFFL) << shift;
        }
        return mix(h ^ tail ^ 0x632BE59BD9B4E019L);
    }

    /** SplitMix64's finalizer: a bijection that spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
