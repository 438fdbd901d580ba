package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.NoSuchElementException;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.internal.bskip.TreeCursor;

/**
 * A position among the entries of a {@link Transaction}'s state, in key order, under the
 * contract of every Skipstore cursor ({@link OrderedCursor}): it starts before the first entry,
 * {@link #first()}, {@link #last()}, {@link #seek}, {@link #seekFloor}, {@link #next()} and
 * {@link #prev()} return whether it is now on an entry and never throw for running off an end,
 * and {@link #key()} or {@link #value()} off an entry throw {@link NoSuchElementException}.
 *
 * <pre>{@code
 * try (ReadTransaction txn = store.read(); Cursor c = txn.cursor()) {
 *     while (c.next()) {
 *         use(c.key(), c.value());   // zero-copy views, valid while txn is open
 *     }
 * }
 * }</pre>
 *
 * In a write transaction the cursor sees the transaction's own changes: after a change it finds
 * its place again by key (on the entry it was on, or, when that was deleted, the next one). To
 * resume a scan in a later transaction, remember the last key and {@link #seek} past it (or use
 * {@link Range#greaterThan}). For one thread, like its transaction. Once the cursor, its
 * transaction or the store is closed, its methods throw a {@link SkipstoreException} with
 * {@link SkipstoreException.Problem#CLOSED}.
 *
 * <p>{@link #key()} and {@link #value()} live as long as the transaction's other segments: valid
 * while it is open (a write transaction: until its next change), afterwards readable but perhaps
 * showing later data ({@link Transaction}, "Segment lifetime"); {@link #keyBytes()} and
 * {@link #valueBytes()} copy.
 */
public final class Cursor implements OrderedCursor {

    private final Transaction txn;
    private final TreeCursor c;
    /** In a write transaction: the key the cursor is on, to find it again after a change. */
    private byte[] at;
    private int seen;
    /** Off an entry: whether after the last (else before the first), as {@link OrderedCursor} says. */
    private boolean afterLast;
    private boolean closed;

    Cursor(Transaction txn, TreeCursor c) {
        this.txn = txn;
        this.c = c;
        this.seen = txn.changes;
    }

    @Override
    public boolean first() {
        try {
            check();
            return moved(c.first(), true);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    @Override
    public boolean last() {
        try {
            check();
            return moved(c.last(), false);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** To the first entry whose key is at least {@code key}; false (after the last) when there is none. */
    @Override
    public boolean seek(byte[] key) {
        return seek(txn.store.limits.key(key));
    }

    @Override
    public boolean seek(MemorySegment key) {
        try {
            check();
            return moved(c.seekCeiling(txn.store.limits.checkKey(key)), true);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** To the last entry whose key is at most {@code key}; false (before the first) when there is none. */
    @Override
    public boolean seekFloor(byte[] key) {
        return seekFloor(txn.store.limits.key(key));
    }

    @Override
    public boolean seekFloor(MemorySegment key) {
        try {
            check();
            return moved(c.seekFloor(txn.store.limits.checkKey(key)), false);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** To the next entry (from before the first: the first); false (after the last) past the last. */
    @Override
    public boolean next() {
        try {
            if (!refresh()) {
                if (!c.isValid()) {
                    return !afterLast && moved(c.first(), true);
                }
                return moved(c.next(), true);
            }
            // re-found: on the same key, step past it; on its successor (it was deleted), stay
            if (!c.isValid()) {
                return moved(false, true);
            }
            return Keys.compare(c.key(), NativeKeys.of(at)) == 0 ? moved(c.next(), true) : moved(true, true);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** To the previous entry (from after the last: the last); false (before the first) before the first. */
    @Override
    public boolean prev() {
        try {
            if (!refresh()) {
                if (!c.isValid()) {
                    return afterLast && moved(c.last(), false);
                }
                return moved(c.prev(), false);
            }
            // re-found on the key or its successor: the previous entry is before both
            return moved(c.isValid() ? c.prev() : c.last(), false);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    @Override
    public boolean isValid() {
        try {
            refresh();
            return c.isValid();
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** The current key, a read-only view (see {@link Transaction}). */
    @Override
    public MemorySegment key() {
        try {
            onEntry();
            return txn.handOut(c.key()); // read-only: a slice of a read-only block, or a checked-mode copy
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** The current value, a read-only view (see {@link Transaction}). */
    @Override
    public MemorySegment value() {
        try {
            onEntry();
            return txn.handOut(c.value());
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    @Override
    public byte[] keyBytes() {
        try {
            onEntry();
            return c.key().toArray(ValueLayout.JAVA_BYTE); // copied here: no checked-mode copy first
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    @Override
    public byte[] valueBytes() {
        try {
            onEntry();
            return c.value().toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /**
     * Copies the current key into {@code dst} (as much as fits) and returns its length; creates
     * no object, as {@link org.skipstore.core.Cursor#copyKey} does (the engine's merged cursor
     * compares its sources' keys in buffers of its own this way).
     */
    public int copyKey(MemorySegment dst) {
        try {
            onEntry();
            return (int) c.copyKey(dst);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    /** The current key compared with {@code key} ({@link Keys#compare}), without handing a segment out. */
    int compareKey(MemorySegment key) {
        try {
            onEntry();
            return Keys.compare(c.key(), key);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.failure(e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** {@code ok} as the position; off an entry, after the last or before the first as {@code after} says. */
    private boolean moved(boolean ok, boolean after) {
        if (!ok) {
            afterLast = after;
        }
        if (txn instanceof WriteTransaction) {
            at = ok ? c.key().toArray(ValueLayout.JAVA_BYTE) : null;
            seen = txn.changes;
        }
        return ok;
    }

    private void onEntry() {
        refresh();
        if (!c.isValid()) {
            throw new NoSuchElementException("the cursor is not on an entry");
        }
    }

    /** After a change in the write transaction: back on the key (or its successor); true if it moved. */
    private boolean refresh() {
        check();
        if (seen == txn.changes) {
            return false;
        }
        seen = txn.changes;
        if (at == null) {
            c.invalidate();
            return false;
        }
        c.seekCeiling(NativeKeys.of(at));
        return true;
    }

    private void check() {
        if (closed) {
            throw new SkipstoreException(SkipstoreException.Problem.CLOSED, "the cursor is closed");
        }
        txn.check();
        txn.settle(); // a write transaction's held-back merge: the cursor reads the tree
    }
}
