package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;

/**
 * The entries of a {@link Range} on any {@link OrderedCursor} (a transaction's {@link Cursor},
 * the engine's merged cursor), copied one at a time as a stream pulls them
 * ({@link Transaction#stream}): the range's bounds, direction, limit and keys-only flag applied
 * as {@link Transaction#scan} applies them ({@link RangeBounds}).
 */
final class RangeEntries extends Spliterators.AbstractSpliterator<KeyValue> {

    private static final byte[] NO_VALUE = new byte[0];

    private final OrderedCursor c;
    /** {@link #c} when it is a store cursor: it compares without handing a segment out (checked mode copies). */
    private final Cursor store;
    private final Range range;
    private final RangeBounds bounds;
    private long n;
    private boolean started;
    private boolean done;

    RangeEntries(OrderedCursor c, Range range) {
        super(range.limit, Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL);
        this.c = c;
        this.store = c instanceof Cursor s ? s : null;
        this.range = range;
        // native copies, as every key the store reads ({@link NativeKeys}); the GC frees them,
        // since a stream may be pulled by another thread than the one that made it
        this.bounds = new RangeBounds(range, RangeBounds.bounded(range) ? Arena.ofAuto() : null);
    }

    /** The entries of {@code range} on {@code c} as a lazy, sequential stream; closing the stream closes {@code c}. */
    static Stream<KeyValue> stream(OrderedCursor c, Range range) {
        return StreamSupport.stream(new RangeEntries(c, range), false).onClose(c::close);
    }

    @Override
    public boolean tryAdvance(Consumer<? super KeyValue> action) {
        if (done) {
            return false;
        }
        boolean ok = started ? (range.reversed ? c.prev() : c.next()) : start();
        started = true;
        if (!ok || n >= range.limit || bounds.end != null && bounds.pastEnd(compareKey(bounds.end))) {
            done = true;
            return false;
        }
        n++;
        action.accept(new KeyValue(c.keyBytes(), range.keysOnly ? NO_VALUE : c.valueBytes()));
        return true;
    }

    /** To the first entry of the range in its direction, past an exclusive start bound. */
    private boolean start() {
        MemorySegment s = bounds.start;
        boolean ok = s == null ? (range.reversed ? c.last() : c.first()) : (range.reversed ? c.seekFloor(s) : c.seek(s));
        if (ok && s != null && bounds.skipsStart(compareKey(s))) {
            return range.reversed ? c.prev() : c.next();
        }
        return ok;
    }

    /** The current key compared with {@code bound} ({@link Keys#compare}). */
    private int compareKey(MemorySegment bound) {
        return store != null ? store.compareKey(bound) : Keys.compare(c.key(), bound);
    }
}
