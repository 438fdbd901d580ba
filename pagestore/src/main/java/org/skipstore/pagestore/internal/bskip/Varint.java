package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/** Unsigned LEB128 lengths: 7 bits a byte, low bits first, the top bit set on all but the last. */
final class Varint {

    private Varint() {
    }

    /** Bytes of {@code v} (non-negative). */
    static int size(long v) {
        return v < 0x80 ? 1 : (70 - Long.numberOfLeadingZeros(v)) / 7;
    }

    /** Writes {@code v} at {@code at}; returns the offset after it. */
    static long write(MemorySegment s, long at, long v) {
        while (v >= 0x80) {
            s.set(JAVA_BYTE, at++, (byte) (v | 0x80));
            v >>>= 7;
        }
        s.set(JAVA_BYTE, at++, (byte) v);
        return at;
    }

    /**
     * Reads the varint at {@code at}. One and two bytes (every length below 16 KiB, and the value
     * field of a value up to 8 KiB) are read without the loop: a 100-byte value's field is two
     * bytes, read by every scan and point read; the loop is kept apart so that this stays small
     * enough to inline.
     */
    static long read(MemorySegment s, long at) {
        byte b0 = s.get(JAVA_BYTE, at);
        if (b0 >= 0) {
            return b0;
        }
        byte b1 = s.get(JAVA_BYTE, at + 1);
        if (b1 >= 0) {
            return (b0 & 0x7F) | b1 << 7;
        }
        return readLong(s, at);
    }

    /** Three bytes or more: apart, so that {@link #read} stays small enough to inline everywhere. */
    private static long readLong(MemorySegment s, long at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = s.get(JAVA_BYTE, at++);
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("a varint longer than 10 bytes at " + (at - 10));
    }
}
