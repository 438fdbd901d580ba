package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.bskip.TreeCursor;

/**
 * A position among the entries of a {@link Transaction}'s state, in key order, moved with
 * {@link #first()}, {@link #last()}, {@link #seek}, {@link #seekFloor}, {@link #next()} and
 * {@link #prev()}; each returns whether the cursor is now on an entry.
 *
 * <pre>{@code
 * try (ReadTransaction txn = store.read(); Cursor c = txn.cursor()) {
 *     for (boolean ok = c.seek(from); ok && Keys.compare(c.key(), to) < 0; ok = c.next()) {
 *         use(c.key(), c.value());   // zero-copy views, valid while txn is open
 *     }
 * }
 * }</pre>
 *
 * In a write transaction the cursor sees the transaction's own changes: after a change it finds
 * its place again by key (on the entry it was on, or, when that was deleted, the next one). To
 * resume a scan in a later transaction, remember the last key and {@link #seek} past it (or use
 * {@link Range#greaterThan}). For one thread, like its transaction.
 *
 * <p>{@link #key()} and {@link #value()} live as long as the transaction's other segments: valid
 * while it is open (a write transaction: until its next change), afterwards readable but perhaps
 * showing later data ({@link Transaction}, "Segment lifetime"); {@link #keyBytes()} and
 * {@link #valueBytes()} copy.
 */
public final class Cursor implements AutoCloseable {

    private final Transaction txn;
    private final TreeCursor c;
    /** In a write transaction: the key the cursor is on, to find it again after a change. */
    private byte[] at;
    private int seen;
    private boolean closed;

    Cursor(Transaction txn, TreeCursor c) {
        this.txn = txn;
        this.c = c;
        this.seen = txn.changes;
    }

    public boolean first() {
        try {
            check();
            return moved(c.first());
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public boolean last() {
        try {
            check();
            return moved(c.last());
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    /** To the first entry whose key is at least {@code key}. */
    public boolean seek(byte[] key) {
        return seek(txn.store.key(key));
    }

    public boolean seek(MemorySegment key) {
        try {
            check();
            return moved(c.seekCeiling(txn.store.checkKey(key)));
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    /** To the last entry whose key is at most {@code key}. */
    public boolean seekFloor(byte[] key) {
        return seekFloor(txn.store.key(key));
    }

    public boolean seekFloor(MemorySegment key) {
        try {
            check();
            return moved(c.seekFloor(txn.store.checkKey(key)));
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public boolean next() {
        try {
            if (!refresh()) {
                return moved(c.next());
            }
            // re-found: on the same key, step past it; on its successor (it was deleted), stay
            if (!c.isValid()) {
                return moved(false);
            }
            return Keys.compare(c.key(), NativeKeys.of(at)) == 0 ? moved(c.next()) : moved(true);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public boolean prev() {
        try {
            if (!refresh()) {
                return moved(c.prev());
            }
            // re-found on the key or its successor: the previous entry is before both
            return moved(c.isValid() ? c.prev() : c.last());
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public boolean isValid() {
        try {
            refresh();
            return c.isValid();
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    /** The current key, a read-only view (see {@link Transaction}). */
    public MemorySegment key() {
        try {
            refresh();
            return txn.handOut(c.key()); // read-only: a slice of a read-only block, or a checked-mode copy
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    /** The current value, a read-only view (see {@link Transaction}). */
    public MemorySegment value() {
        try {
            refresh();
            return txn.handOut(c.value());
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public byte[] keyBytes() {
        try {
            refresh();
            return c.key().toArray(ValueLayout.JAVA_BYTE); // copied here: no checked-mode copy first
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    public byte[] valueBytes() {
        try {
            refresh();
            return c.value().toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException | InternalError e) {
            throw txn.store.readFailure(e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private boolean moved(boolean ok) {
        if (txn instanceof WriteTransaction) {
            at = ok ? c.key().toArray(ValueLayout.JAVA_BYTE) : null;
            seen = txn.changes;
        }
        return ok;
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
            throw new IllegalStateException("the cursor is closed");
        }
        txn.check();
    }
}
