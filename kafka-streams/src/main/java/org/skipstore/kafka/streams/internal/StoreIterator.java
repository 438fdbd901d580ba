package org.skipstore.kafka.streams.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.DbSnapshot;

/**
 * A store's iterator: the entries between two bounds, ascending or descending, as of when it was
 * made. It merges two sources taken then: an engine {@link DbSnapshot} (its own, read with a
 * cursor) and a copy of the store's uncommitted writes in the range ({@link
 * UncommittedWrites#copy}). On a key both have, the write wins; a deleting write hides the key.
 * Later writes, commits and flushes do not change what it returns.
 *
 * <p>The caller closes it; the store closes every iterator still open when it closes itself, so
 * that none reads the engine after it is gone. Once closed, every method but {@code close} throws
 * {@link InvalidStateStoreException}. Its methods are synchronized: a close from the stream
 * thread waits for a read under way on another thread (interactive queries).
 *
 * <p>The next entry is read ahead, when {@code hasNext} or {@code peekNextKey} asks: the engine's
 * key and value are copied out of the cursor then, since its views move with it.
 */
public final class StoreIterator implements KeyValueIterator<Bytes, byte[]> {

    private final String store;
    private final DbSnapshot snapshot;
    private final OrderedCursor cursor;
    private final Iterator<Map.Entry<Bytes, byte[]>> writes;
    private final byte[] from;
    private final byte[] to;
    private final boolean toInclusive;
    private final boolean reverse;
    private final Consumer<StoreIterator> onClose;

    private boolean started;
    private byte[] engineKey; // the engine's next entry, null past its end
    private byte[] engineValue;
    private Map.Entry<Bytes, byte[]> write; // the writes' next entry, null past their end
    private KeyValue<Bytes, byte[]> next; // read ahead, null when not yet or past the end
    private boolean closed;

    /**
     * An iterator of {@code store} over {@code snapshot} (which it closes; null: the engine has
     * nothing in range) and {@code writes} (the copy, in the iterator's order), from {@code from}
     * (null: the first key) to {@code to} (null: the last; included when {@code toInclusive}).
     * {@code onClose} is told once when it closes.
     */
    public StoreIterator(String store, DbSnapshot snapshot, List<Map.Entry<Bytes, byte[]>> writes, Bytes from,
                         Bytes to, boolean toInclusive, boolean reverse, Consumer<StoreIterator> onClose) {
        this.store = store;
        this.snapshot = snapshot;
        this.writes = writes.iterator();
        this.from = from == null ? null : from.get();
        this.to = to == null ? null : to.get();
        this.toInclusive = toInclusive;
        this.reverse = reverse;
        this.onClose = onClose;
        OrderedCursor c = null;
        if (snapshot != null) {
            try {
                c = snapshot.cursor();
            } catch (RuntimeException e) {
                snapshot.close();
                throw e;
            }
        }
        this.cursor = c;
    }

    @Override
    public synchronized boolean hasNext() {
        return peek() != null;
    }

    @Override
    public synchronized KeyValue<Bytes, byte[]> next() {
        KeyValue<Bytes, byte[]> kv = peek();
        if (kv == null) {
            throw new NoSuchElementException("past the last entry of the iterator over store " + store);
        }
        next = null;
        return kv;
    }

    @Override
    public synchronized Bytes peekNextKey() {
        KeyValue<Bytes, byte[]> kv = peek();
        if (kv == null) {
            throw new NoSuchElementException("past the last entry of the iterator over store " + store);
        }
        return kv.key;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        next = null;
        try {
            if (cursor != null) {
                cursor.close();
            }
        } finally {
            if (snapshot != null) {
                snapshot.close();
            }
            onClose.accept(this);
        }
    }

    private KeyValue<Bytes, byte[]> peek() {
        if (closed) {
            throw new InvalidStateStoreException("the iterator over store " + store + " is closed");
        }
        if (next == null) {
            try {
                next = merge();
            } catch (SkipstoreException e) {
                throw Failures.of(store, "reading an iterator", e);
            }
        }
        return next;
    }

    /** The next entry of the merge, or null past the end of both sources. */
    private KeyValue<Bytes, byte[]> merge() {
        if (!started) {
            started = true;
            advanceEngine(true);
            advanceWrites();
        }
        while (engineKey != null || write != null) {
            // below 0: the engine's entry comes first in the iterator's order
            int order;
            if (write == null) {
                order = -1;
            } else if (engineKey == null) {
                order = 1;
            } else {
                order = Arrays.compareUnsigned(engineKey, write.getKey().get());
                order = reverse ? -order : order;
            }
            if (order < 0) {
                KeyValue<Bytes, byte[]> kv = KeyValue.pair(Bytes.wrap(engineKey), engineValue);
                advanceEngine(false);
                return kv;
            }
            if (order == 0) {
                advanceEngine(false); // the write replaces the engine's entry
            }
            Map.Entry<Bytes, byte[]> w = write;
            advanceWrites();
            if (!UncommittedWrites.isDeletion(w.getValue())) {
                return KeyValue.pair(w.getKey(), w.getValue());
            }
        }
        return null;
    }

    private void advanceWrites() {
        write = writes.hasNext() ? writes.next() : null;
    }

    /** Moves the cursor to the next entry in range (from its start when {@code first}) and copies it out. */
    private void advanceEngine(boolean first) {
        engineKey = null;
        engineValue = null;
        if (cursor == null) {
            return;
        }
        boolean on = first ? start() : reverse ? cursor.prev() : cursor.next();
        if (!on) {
            return;
        }
        byte[] k = cursor.keyBytes();
        if (reverse ? from != null && Arrays.compareUnsigned(k, from) < 0 : beyondTo(k)) {
            return;
        }
        engineKey = k;
        engineValue = cursor.valueBytes();
    }

    private boolean start() {
        if (!reverse) {
            return from == null ? cursor.first() : cursor.seek(from);
        }
        if (to == null) {
            return cursor.last();
        }
        boolean on = cursor.seekFloor(to);
        if (on && !toInclusive && Arrays.equals(cursor.keyBytes(), to)) {
            on = cursor.prev();
        }
        return on;
    }

    private boolean beyondTo(byte[] k) {
        if (to == null) {
            return false;
        }
        int c = Arrays.compareUnsigned(k, to);
        return c > 0 || (c == 0 && !toInclusive);
    }
}
