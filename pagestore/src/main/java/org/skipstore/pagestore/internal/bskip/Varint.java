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

    /** Reads the varint at {@code at}. */
    static long read(MemorySegment s, long at) {
        byte b0 = s.get(JAVA_BYTE, at);
        if (b0 >= 0) {
            return b0; // one byte: every key length below 128
        }
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
