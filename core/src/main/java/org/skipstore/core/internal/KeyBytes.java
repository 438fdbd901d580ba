package org.skipstore.core.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Unsigned key comparison eight bytes at a time. A big-endian long of key bytes compares, as an
 * unsigned number, exactly as the bytes compare one by one; so does a zero-padded 8-byte
 * <em>prefix</em> (a key's first 8 bytes, or a skip list's {@link Windows window} after a shared
 * prefix), up to the point where the shorter key ends.
 */
public final class KeyBytes {

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private KeyBytes() {
    }

    /**
     * The first eight bytes of {@code k} as a big-endian number, zero-padded when {@code k} is
     * shorter. Compared as unsigned numbers, two prefixes never contradict the order of their
     * keys; equal prefixes need the full comparison. Both tiers decide most comparisons with it
     * (a skip list node's window, a partition's slots): the page store reads it through the
     * qualified export of this package.
     */
    public static long prefix(MemorySegment k) {
        return prefix(k, 0, k.byteSize());
    }

    /** {@link #prefix(MemorySegment)} of the key of {@code len} bytes at {@code off} of {@code s}. */
    public static long prefix(MemorySegment s, long off, long len) {
        if (len >= 8) {
            return s.get(BE_LONG, off);
        }
        long p = 0;
        for (int i = 0; i < len; i++) {
            p |= (s.get(ValueLayout.JAVA_BYTE, off + i) & 0xFFL) << (56 - 8 * i);
        }
        return p;
    }

    /**
     * Compares two keys whose prefixes are equal: {@code a} ({@code al} bytes at {@code ao}) with
     * {@code b} ({@code bl} bytes at {@code bo}). Bytes from index 8 on decide, 8 at a time; a
     * tail of 1 to 7 bytes is read as the 8 bytes that end with it, whose bytes before the tail
     * are equal (the prefix, or compared already), so they cannot change the order. Keys that
     * share their first 8 bytes are common (Kafka's "customer-12345"): every step of a memtable
     * search compares such a tail, which one read does where a loop took two reads a byte.
     */
    public static int compareAfterPrefix(MemorySegment a, long ao, long al, MemorySegment b, long bo, long bl) {
        long min = Math.min(al, bl);
        long i = 8;
        for (; i + 8 <= min; i += 8) {
            long x = a.get(BE_LONG, ao + i);
            long y = b.get(BE_LONG, bo + i);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        if (i < min) { // 8 < min: the 8 bytes ending at min lie within both keys
            long x = a.get(BE_LONG, ao + min - 8);
            long y = b.get(BE_LONG, bo + min - 8);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        return Long.compare(al, bl);
    }
}
