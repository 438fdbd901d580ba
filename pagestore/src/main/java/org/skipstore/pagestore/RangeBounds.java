package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link Range}'s bounds as native keys ({@link NativeKeys}), seen in its direction: where a
 * walk starts and where it ends. The one place {@link Transaction#scan} and {@link RangeEntries}
 * decide whether an entry is in the range; each compares the entry's key with a bound its own
 * way (the scan on the tree's slices, a stream through its cursor) and asks here.
 */
final class RangeBounds {

    /** The bound a walk starts from (reversed: the upper one), or null: the first (last) entry. */
    final MemorySegment start;
    /** The bound a walk stops at, or null: it runs to the end. */
    final MemorySegment end;
    private final boolean startInclusive;
    private final boolean endInclusive;
    private final boolean reversed;

    /** Copies the bounds into {@code arena}, which may be null when the range has none. */
    RangeBounds(Range range, Arena arena) {
        MemorySegment from = NativeKeys.copy(range.from, arena);
        MemorySegment to = NativeKeys.copy(range.to, arena);
        this.reversed = range.reversed;
        this.start = reversed ? to : from;
        this.end = reversed ? from : to;
        this.startInclusive = reversed ? range.toInclusive : range.fromInclusive;
        this.endInclusive = reversed ? range.fromInclusive : range.toInclusive;
    }

    /** Whether the range has a bound, i.e. needs an arena for the copies. */
    static boolean bounded(Range range) {
        return range.from != null || range.to != null;
    }

    /**
     * Whether the entry a walk found first, whose key compares with {@link #start} as {@code c}
     * ({@link org.skipstore.core.Keys#compare}), is the excluded start bound itself.
     */
    boolean skipsStart(int c) {
        return c == 0 && !startInclusive;
    }

    /** Whether an entry whose key compares with {@link #end} as {@code c} lies past the end. */
    boolean pastEnd(int c) {
        int d = reversed ? -c : c;
        return d > 0 || (d == 0 && !endInclusive);
    }
}
