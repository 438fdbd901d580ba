package org.skipstore.core.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.skipstore.core.Keys;

/**
 * Unsigned key comparison eight bytes at a time. A big-endian long of key bytes compares, as an
 * unsigned number, exactly as the bytes compare one by one; so does the zero-padded 8-byte
 * <em>prefix</em> that every node keeps in its header, up to the point where the shorter key ends.
 */
public final class KeyBytes {

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private KeyBytes() {
    }

    /** The first eight bytes of {@code k}, big-endian, zero-padded when {@code k} is shorter. */
    public static long prefix(MemorySegment k) {
        return Keys.prefix(k, 0, k.byteSize());
    }

    /** {@link #prefix(MemorySegment)} of {@code len} bytes of {@code s} at {@code off}. */
    public static long prefix(MemorySegment s, long off, int len) {
        return Keys.prefix(s, off, len);
    }

    /**
     * Compares two keys whose prefixes are equal: {@code a} ({@code al} bytes at {@code ao}) with
     * {@code b} ({@code bl} bytes at {@code bo}). Only bytes from index 8 on are read.
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
        for (; i < min; i++) {
            int x = a.get(ValueLayout.JAVA_BYTE, ao + i) & 0xFF;
            int y = b.get(ValueLayout.JAVA_BYTE, bo + i) & 0xFF;
            if (x != y) {
                return x - y;
            }
        }
        return Long.compare(al, bl);
    }
}
