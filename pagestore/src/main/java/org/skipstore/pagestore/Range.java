package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Which entries a scan visits: bounds (each inclusive or exclusive, or none), direction, a
 * limit, and whether values are read. Immutable; the factories and {@code with} methods return
 * new ranges. Keys are compared as unsigned bytes. Each factory takes its bounds as
 * {@code byte[]} or as {@code MemorySegment}; either is copied, so the range outlives them.
 *
 * <pre>{@code
 * Range.closedOpen(from, to)                 // from <= key < to, ascending
 * Range.atMost(key).reversed().limit(10)     // the 10 largest keys up to key, descending
 * Range.greaterThan(lastSeen).limit(1000)    // the next page of a paged scan: resume after a key
 * }</pre>
 */
public final class Range {

    private static final Range ALL = new Range(null, true, null, true, false, Long.MAX_VALUE, false);

    final byte[] from;
    final boolean fromInclusive;
    final byte[] to;
    final boolean toInclusive;
    final boolean reversed;
    final long limit;
    final boolean keysOnly;

    private Range(byte[] from, boolean fromInclusive, byte[] to, boolean toInclusive, boolean reversed, long limit,
                  boolean keysOnly) {
        this.from = from;
        this.fromInclusive = fromInclusive;
        this.to = to;
        this.toInclusive = toInclusive;
        this.reversed = reversed;
        this.limit = limit;
        this.keysOnly = keysOnly;
    }

    /** Every entry. */
    public static Range all() {
        return ALL;
    }

    /** {@code from <= key < to}. */
    public static Range closedOpen(byte[] from, byte[] to) {
        return new Range(key(from), true, key(to), false, false, Long.MAX_VALUE, false);
    }

    /** {@code from <= key <= to}. */
    public static Range closed(byte[] from, byte[] to) {
        return new Range(key(from), true, key(to), true, false, Long.MAX_VALUE, false);
    }

    /** {@code key >= from}. */
    public static Range atLeast(byte[] from) {
        return new Range(key(from), true, null, true, false, Long.MAX_VALUE, false);
    }

    /** {@code key > from}: resumes a scan after the last key it saw. */
    public static Range greaterThan(byte[] from) {
        return new Range(key(from), false, null, true, false, Long.MAX_VALUE, false);
    }

    /** {@code key < to}. */
    public static Range lessThan(byte[] to) {
        return new Range(null, true, key(to), false, false, Long.MAX_VALUE, false);
    }

    /** {@code key <= to}. */
    public static Range atMost(byte[] to) {
        return new Range(null, true, key(to), true, false, Long.MAX_VALUE, false);
    }

    /** {@code from <= key < to}. */
    public static Range closedOpen(MemorySegment from, MemorySegment to) {
        return closedOpen(bytes(from), bytes(to));
    }

    /** {@code from <= key <= to}. */
    public static Range closed(MemorySegment from, MemorySegment to) {
        return closed(bytes(from), bytes(to));
    }

    /** {@code key >= from}. */
    public static Range atLeast(MemorySegment from) {
        return atLeast(bytes(from));
    }

    /** {@code key > from}: resumes a scan after the last key it saw. */
    public static Range greaterThan(MemorySegment from) {
        return greaterThan(bytes(from));
    }

    /** {@code key < to}. */
    public static Range lessThan(MemorySegment to) {
        return lessThan(bytes(to));
    }

    /** {@code key <= to}. */
    public static Range atMost(MemorySegment to) {
        return atMost(bytes(to));
    }

    /** The same bounds, from the largest key down. */
    public Range reversed() {
        return new Range(from, fromInclusive, to, toInclusive, !reversed, limit, keysOnly);
    }

    /** At most {@code n} entries. */
    public Range limit(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative limit " + n);
        }
        return new Range(from, fromInclusive, to, toInclusive, reversed, n, keysOnly);
    }

    /** Values are not read (the visitor gets empty ones): cheaper, above all for large values. */
    public Range keysOnly() {
        return new Range(from, fromInclusive, to, toInclusive, reversed, limit, true);
    }

    public boolean isReversed() {
        return reversed;
    }

    private static byte[] key(byte[] k) {
        return Objects.requireNonNull(k, "bound").clone();
    }

    /** A copy of a segment bound (the factories then copy it once more: ranges are not hot). */
    private static byte[] bytes(MemorySegment k) {
        return Objects.requireNonNull(k, "bound").toArray(ValueLayout.JAVA_BYTE);
    }
}
