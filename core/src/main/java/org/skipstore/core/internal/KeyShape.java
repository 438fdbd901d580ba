package org.skipstore.core.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * What a skip list expects of its keys, so that its {@link Windows} tell them apart: the prefix
 * they share, and for each of the 8 bytes after it (the window) the range its bytes fell in.
 * Learned from the list a new one replaces ({@link #learn}); a hint for speed only, since a key
 * that does not fit it is stored and ordered as any other.
 *
 * <p>Why ranges: the links keep 30 bits of a key's window. Taken as its top bits, 30 bits hold
 * fewer than 4 bytes, and keys of text or decimal digits ("customer-45031") waste most of each
 * byte: 3 digits and a bit, so a few dozen keys tie in every summary, and each tie costs a search
 * a cache miss or two. Knowing that the bytes after "customer-" are digits (10 values and the end
 * of the key), 8 of them fit in 30 bits ({@link Windows#summary}).
 *
 * <p>Immutable.
 */
public final class KeyShape {

    /** Nothing known: windows are the first 8 bytes of each key. */
    public static final KeyShape NONE = new KeyShape(new byte[0], new int[0], new int[0]);

    /** Towers walked for the sample: the list's top level minus this, about 2^12 nodes. */
    private static final int SAMPLE_LEVELS = 12;
    /** Most keys sampled. */
    private static final int SAMPLE_KEYS = 8192;

    private final byte[] prefix;
    /** Per window byte: the least and the greatest seen, for the leading bytes that were seen. */
    private final int[] low;
    private final int[] high;

    private KeyShape(byte[] prefix, int[] low, int[] high) {
        this.prefix = prefix;
        this.low = low;
        this.high = high;
    }

    /** The shape of keys known only to start with {@code prefix}. */
    public static KeyShape ofPrefix(byte[] prefix) {
        return prefix.length == 0 ? NONE : new KeyShape(prefix.clone(), new int[0], new int[0]);
    }

    /** A shape with byte ranges given ({@code low[i]..high[i]} for window byte i): tests. */
    static KeyShape of(byte[] prefix, int[] low, int[] high) {
        return new KeyShape(prefix.clone(), low.clone(), high.clone());
    }

    /**
     * The shape of {@code sl}'s keys: the common prefix of its smallest and largest key (so of
     * every key), and the ranges of the window bytes of a sample, the keys of its taller towers
     * in order. When it holds fewer than two keys (one says nothing of the next), the shape it
     * was built with.
     */
    public static KeyShape learn(SkipList sl) {
        long first = sl.next(sl.head(), 0);
        long last = sl.last();
        if (first == 0 || sl.sameKey(first, last)) {
            return sl.shape();
        }
        MemorySegment a = sl.chunk(first);
        long ao = sl.keyOffset(first);
        long bo = sl.keyOffset(last);
        int skip = (int) MemorySegment.mismatch(a, ao, ao + sl.keyLength(first), sl.chunk(last), bo,
                bo + sl.keyLength(last)); // >= 0: the keys differ
        byte[] prefix = a.asSlice(ao, skip).toArray(ValueLayout.JAVA_BYTE);
        int[] low = new int[8];
        int[] high = new int[8];
        Arrays.fill(low, 256);
        Arrays.fill(high, -1);
        int level = Math.max(0, sl.levels() - 1 - SAMPLE_LEVELS);
        int n = 0;
        for (long x = sl.next(sl.head(), level); x != 0 && n < SAMPLE_KEYS; x = sl.next(x, level), n++) {
            MemorySegment c = sl.chunk(x);
            long ko = sl.keyOffset(x) + skip;
            int len = Math.min(8, sl.keyLength(x) - skip);
            for (int i = 0; i < len; i++) {
                int b = c.get(ValueLayout.JAVA_BYTE, ko + i) & 0xFF;
                low[i] = Math.min(low[i], b);
                high[i] = Math.max(high[i], b);
            }
        }
        int seen = 0;
        while (seen < 8 && high[seen] >= 0) {
            seen++;
        }
        return new KeyShape(prefix, Arrays.copyOf(low, seen), Arrays.copyOf(high, seen));
    }

    /** The prefix the keys share; empty for none. */
    public byte[] prefix() {
        return prefix.clone();
    }

    int skip() {
        return prefix.length;
    }

    /** Window bytes whose range is known: the first this many. */
    int rangedBytes() {
        return low.length;
    }

    /** The least byte seen at window byte {@code i} (below {@link #rangedBytes}). */
    int low(int i) {
        return low[i];
    }

    /** The greatest byte seen at window byte {@code i}. */
    int high(int i) {
        return high[i];
    }

    byte[] prefixBytes() {
        return prefix;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("KeyShape[prefix=").append(prefix.length).append(" bytes");
        for (int i = 0; i < low.length; i++) {
            s.append(i == 0 ? ", ranges=" : " ").append(String.format("%02x-%02x", low[i], high[i]));
        }
        return s.append(']').toString();
    }
}
