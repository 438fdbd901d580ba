package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * A consistent, repeatable view of the database: one acquired {@link Published} state, held
 * until {@link #close()}. Reads through it see exactly the writes published when it was taken,
 * whatever is written, sealed or flushed meanwhile: the memtables and the store state it holds
 * are not freed before it lets go. Once it or the database is closed, its reads and its
 * cursors' calls throw CLOSED (what it holds may still be readable, but is not to be read).
 */
public final class View implements AutoCloseable {

    private final Published p;
    /** The engine's: once it is closed, so is every view (the layers a view holds outlive the close). */
    private final Layers layers;
    private volatile boolean closed;

    View(Published p, Layers layers) {
        this.p = p;
        this.layers = layers;
    }

    /** The last log sequence this view sees. */
    public long sequence() {
        return p.sequence();
    }

    private boolean isOpen() {
        return !closed && !layers.isClosed();
    }

    private void check() {
        if (!isOpen()) {
            throw new SkipstoreException(Problem.CLOSED, closed ? "the snapshot is closed" : "the database is closed");
        }
    }

    /** The value of {@code key} (a native segment), copied; null when absent. */
    public byte[] get(MemorySegment key) {
        check();
        return Lookup.get(p, key);
    }

    /**
     * A cursor over the view, before the first entry: the layers merged, newest first, with
     * deleted keys left out. Valid while the view and the database are open; once either is
     * closed, its calls throw CLOSED.
     */
    public OrderedCursor cursor() {
        check();
        ReadState rs = p.state();
        List<OrderedCursor> sources = new ArrayList<>(rs.layers() + 1);
        try {
            sources.add(rs.active.table.snapshotAt(p.activeBound()).cursor());
            for (Layer l : rs.sealed) {
                sources.add(l.table.cursor());
            }
            sources.add(rs.store.txn.cursor());
        } catch (RuntimeException e) {
            for (OrderedCursor c : sources) {
                c.close();
            }
            throw e;
        }
        return new MergedCursor(sources, this::isOpen);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            p.state().release();
        }
    }
}
