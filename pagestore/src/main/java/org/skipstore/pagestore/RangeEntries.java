package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;

/**
 * The entries of a {@link Range} on a {@link Cursor}, copied one at a time as a stream pulls
 * them ({@link Transaction#stream}): the range's bounds, direction, limit and keys-only flag
 * applied as {@link Transaction#scan} applies them.
 */
final class RangeEntries extends Spliterators.AbstractSpliterator<KeyValue> {

    private static final byte[] NO_VALUE = new byte[0];

    private final Cursor c;
    private final Range range;
    private final MemorySegment from;
    private final MemorySegment to;
    private long n;
    private boolean started;
    private boolean done;

    RangeEntries(Cursor c, Range range) {
        super(range.limit, Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL);
        this.c = c;
        this.range = range;
        // native copies, as every key the store reads ({@link NativeKeys}); the GC frees them,
        // since a stream may be pulled by another thread than the one that made it
        Arena bounds = range.from == null && range.to == null ? null : Arena.ofAuto();
        this.from = NativeKeys.copy(range.from, bounds);
        this.to = NativeKeys.copy(range.to, bounds);
    }

    @Override
    public boolean tryAdvance(Consumer<? super KeyValue> action) {
        if (done) {
            return false;
        }
        boolean ok = started ? (range.reversed ? c.prev() : c.next()) : start();
        started = true;
        if (!ok || n >= range.limit || beyondEnd()) {
            done = true;
            return false;
        }
        n++;
        action.accept(new KeyValue(c.keyBytes(), range.keysOnly ? NO_VALUE : c.valueBytes()));
        return true;
    }

    /** To the first entry of the range in its direction, past an exclusive start bound. */
    private boolean start() {
        if (!range.reversed) {
            boolean ok = from == null ? c.first() : c.seek(from);
            return ok && from != null && !range.fromInclusive && c.compareKey(from) == 0 ? c.next() : ok;
        }
        boolean ok = to == null ? c.last() : c.seekFloor(to);
        return ok && to != null && !range.toInclusive && c.compareKey(to) == 0 ? c.prev() : ok;
    }

    /** Whether the entry the cursor is on lies past the range's end bound. */
    private boolean beyondEnd() {
        if (!range.reversed) {
            return to != null && beyond(c.compareKey(to), range.toInclusive);
        }
        return from != null && beyond(-c.compareKey(from), range.fromInclusive);
    }

    private static boolean beyond(int c, boolean inclusive) {
        return c > 0 || (c == 0 && !inclusive);
    }
}
