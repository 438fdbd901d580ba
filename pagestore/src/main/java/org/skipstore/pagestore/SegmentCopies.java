package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The copies that a store opened with {@link PageStoreBuilder#checkedSegments(boolean)} hands
 * out instead of views of its pages: read-only, in an arena that {@link #release()} closes, so
 * that a read after the owner ends throws {@link IllegalStateException} instead of showing
 * whatever the pages hold by then.
 *
 * <p>The arena is shared, not confined: a transaction is for one thread at a time but is not
 * bound to the thread that opened it, and a confined arena would refuse a close or a late read
 * from another thread with {@code WrongThreadException} instead of the documented exception. It
 * is made at the first copy, so an owner that hands out nothing costs no arena.
 */
final class SegmentCopies {

    private Arena arena;

    /** A read-only copy of {@code s} that lives until {@link #release()}; null for null. */
    MemorySegment copy(MemorySegment s) {
        if (s == null) {
            return null;
        }
        if (arena == null) {
            arena = Arena.ofShared();
        }
        MemorySegment c = arena.allocate(s.byteSize());
        MemorySegment.copy(s, 0, c, 0, s.byteSize());
        return c.asReadOnly();
    }

    /** Ends every copy made so far; later copies go to a new arena. */
    void release() {
        if (arena != null) {
            Arena a = arena;
            arena = null;
            a.close();
        }
    }
}
