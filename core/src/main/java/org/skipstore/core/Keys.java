package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * The one key order of Skipstore: unsigned lexicographic bytes. A key that is a proper prefix of
 * another sorts first, so the empty key is the smallest key. Every tier (memtable, page store,
 * engine) orders keys with these methods, so a scan of any of them agrees with the others.
 */
public final class Keys {

    /** {@link #compare(byte[], byte[])} as a {@link Comparator}, e.g. for a {@code TreeMap}. */
    public static final Comparator<byte[]> BYTE_ARRAY_ORDER = Keys::compare;

    /** {@link #compare(MemorySegment, MemorySegment)} as a {@link Comparator}. */
    public static final Comparator<MemorySegment> SEGMENT_ORDER = Keys::compare;

    private Keys() {
    }

    /**
     * Compares two keys as unsigned bytes, left to right; the shorter wins a tie.
     *
     * @throws NullPointerException when either key is null
     */
    public static int compare(byte[] a, byte[] b) {
        // Arrays.compareUnsigned would order null first; a null key is a bug, not a key.
        return Arrays.compareUnsigned(Objects.requireNonNull(a, "key"), Objects.requireNonNull(b, "key"));
    }

    /**
     * Compares two keys held in segments, as {@link #compare(byte[], byte[])} does. Uses
     * {@link MemorySegment#mismatch}, which compares eight bytes at a time, and allocates nothing.
     *
     * @throws NullPointerException when either key is null
     */
    public static int compare(MemorySegment a, MemorySegment b) {
        return compare(Objects.requireNonNull(a, "key"), 0, a.byteSize(), Objects.requireNonNull(b, "key"), 0,
                b.byteSize());
    }

    /**
     * Compares the key of {@code aLength} bytes at {@code aOffset} of {@code a} with the key of
     * {@code bLength} bytes at {@code bOffset} of {@code b}, as {@link #compare(byte[], byte[])}
     * does: for keys stored inside larger segments (pages, nodes), without a slice per compare.
     *
     * @throws IndexOutOfBoundsException when a range leaves its segment
     */
    public static int compare(MemorySegment a, long aOffset, long aLength, MemorySegment b, long bOffset, long bLength) {
        long i = MemorySegment.mismatch(a, aOffset, aOffset + aLength, b, bOffset, bOffset + bLength);
        if (i < 0) {
            return 0;
        }
        if (i == aLength || i == bLength) {
            return Long.compare(aLength, bLength);
        }
        return Integer.compare(
                Byte.toUnsignedInt(a.get(ValueLayout.JAVA_BYTE, aOffset + i)),
                Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, bOffset + i)));
    }
}
