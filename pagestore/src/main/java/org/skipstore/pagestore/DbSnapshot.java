package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.internal.engine.View;

/**
 * A consistent, repeatable view of a {@link Skipstore} as of when it was taken: every write
 * that returned before is in it, none that started after. It holds the memtables and the store
 * state it reads until {@link #close()}, so close it soon (a long-open snapshot keeps flushed
 * memtables in memory and the store's old pages from reuse). Thread-safe; its cursors are each
 * for one thread. After it or the database is closed, reads throw {@code CLOSED}.
 */
public final class DbSnapshot implements AutoCloseable {

    private final View view;
    private final Skipstore db;

    DbSnapshot(View view, Skipstore db) {
        this.view = view;
        this.db = db;
    }

    /** The last write (log sequence) the snapshot sees. */
    public long sequence() {
        return view.sequence();
    }

    /** A copy of the value of {@code key}, or null. */
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        try {
            return view.get(NativeKeys.of(key));
        } catch (RuntimeException e) {
            throw db.failure(e);
        }
    }

    /** A copy of the value of {@code key} (a heap segment), or null. */
    public MemorySegment get(MemorySegment key) {
        Objects.requireNonNull(key, "key");
        try {
            byte[] v = view.get(NativeKeys.of(key));
            return v == null ? null : MemorySegment.ofArray(v);
        } catch (RuntimeException e) {
            throw db.failure(e);
        }
    }

    /** Whether {@code key} has a value. */
    public boolean containsKey(byte[] key) {
        return get(key) != null;
    }

    /**
     * A cursor over the snapshot, before the first entry ({@link OrderedCursor}); its key and
     * value views are valid until it moves. Valid while the snapshot is open.
     */
    public OrderedCursor cursor() {
        try {
            return view.cursor();
        } catch (RuntimeException e) {
            throw db.failure(e);
        }
    }

    /** A cursor that closes this snapshot when it is closed. */
    OrderedCursor cursorOwning() {
        return new OwningCursor(cursor(), this);
    }

    /** The entries of {@code range} as a lazy stream of copies: close the stream. */
    public Stream<KeyValue> stream(Range range) {
        Objects.requireNonNull(range, "range");
        OrderedCursor c = cursor();
        return StreamSupport.stream(new RangeEntries(c, range), false).onClose(c::close);
    }

    /** The entries of {@code range}, copied. */
    public List<KeyValue> list(Range range) {
        try (Stream<KeyValue> s = stream(range)) {
            return s.collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
        }
    }

    @Override
    public void close() {
        view.close();
    }

    /** A cursor that ends its snapshot with it. */
    private static final class OwningCursor implements OrderedCursor {
        private final OrderedCursor c;
        private final DbSnapshot owner;

        OwningCursor(OrderedCursor c, DbSnapshot owner) {
            this.c = c;
            this.owner = owner;
        }

        @Override public boolean first() { return c.first(); }
        @Override public boolean last() { return c.last(); }
        @Override public boolean seek(MemorySegment key) { return c.seek(key); }
        @Override public boolean seek(byte[] key) { return c.seek(key); }
        @Override public boolean seekFloor(MemorySegment key) { return c.seekFloor(key); }
        @Override public boolean seekFloor(byte[] key) { return c.seekFloor(key); }
        @Override public boolean next() { return c.next(); }
        @Override public boolean prev() { return c.prev(); }
        @Override public boolean isValid() { return c.isValid(); }
        @Override public MemorySegment key() { return c.key(); }
        @Override public MemorySegment value() { return c.value(); }
        @Override public byte[] keyBytes() { return c.key().toArray(ValueLayout.JAVA_BYTE); }
        @Override public byte[] valueBytes() { return c.value().toArray(ValueLayout.JAVA_BYTE); }

        @Override
        public void close() {
            try {
                c.close();
            } finally {
                owner.close();
            }
        }
    }
}
