package org.skipstore.pagestore.internal;

import java.util.Arrays;

/**
 * The free blocks of one order, as bits: what {@link java.util.BitSet} would do, for the
 * allocator's pattern of use. It keeps its count, so an empty order is skipped at once, and a
 * lower bound of its lowest set bit, so finding the lowest free block does not scan the words
 * below it again on every allocation (with {@code BitSet.nextSetBit(0)} a sequential fill of
 * 3 M entries spent a fifth of its time scanning the empty low words of a 500 MB file's bitmap).
 * Clearing never scans either. Not thread-safe.
 */
final class FreeBits {

    private long[] words = new long[1];
    private int count;
    /** Every bit below this word is clear. */
    private int lowWord;

    boolean get(int i) {
        int w = i >>> 6;
        return w < words.length && (words[w] & (1L << i)) != 0;
    }

    void set(int i) {
        int w = i >>> 6;
        if (w >= words.length) {
            words = Arrays.copyOf(words, Math.max(w + 1, words.length * 2));
        }
        if ((words[w] & (1L << i)) == 0) {
            words[w] |= 1L << i;
            count++;
            lowWord = Math.min(lowWord, w);
        }
    }

    void clear(int i) {
        int w = i >>> 6;
        if (w < words.length && (words[w] & (1L << i)) != 0) {
            words[w] &= ~(1L << i);
            count--;
        }
    }

    /** The lowest set bit at or above {@code from}, or -1. */
    int nextSetBit(int from) {
        if (from < 0) {
            throw new IndexOutOfBoundsException("bit " + from);
        }
        int w = from >>> 6;
        if (count == 0 || w >= words.length) {
            return -1;
        }
        long word;
        if (w < lowWord) {
            w = lowWord;
            word = words[w];
        } else {
            word = words[w] & (-1L << from); // the shift takes from's low 6 bits
        }
        while (word == 0) {
            if (++w >= words.length) {
                return -1;
            }
            word = words[w];
        }
        return (w << 6) + Long.numberOfTrailingZeros(word);
    }

    /** Whether any bit in {@code [from, to)} is set; reads only the words of that range. */
    boolean anySet(int from, int to) {
        if (from >= to || count == 0) {
            return false;
        }
        int w = from >>> 6;
        int last = Math.min((to - 1) >>> 6, words.length - 1);
        for (; w <= last; w++) {
            long word = words[w];
            if (w == from >>> 6) {
                word &= -1L << from;
            }
            if (w == (to - 1) >>> 6) {
                word &= -1L >>> (63 - ((to - 1) & 63));
            }
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    /** The lowest set bit, or -1; moves the lower bound up to it. */
    int first() {
        if (count == 0) {
            return -1;
        }
        int w = lowWord;
        while (words[w] == 0) {
            w++;
        }
        lowWord = w;
        return (w << 6) + Long.numberOfTrailingZeros(words[w]);
    }

    int cardinality() {
        return count;
    }
}
