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
 * are not freed before it lets go.
 */
public final class View implements AutoCloseable {

    private final Published p;
    private volatile boolean closed;

    View(Published p) {
        this.p = p;
    }

    /** The last log sequence this view sees. */
    public long sequence() {
        return p.sequence();
    }

    private void check() {
        if (closed) {
            throw new SkipstoreException(Problem.CLOSED, "the snapshot is closed");
        }
    }

    /** The value of {@code key} (a native segment), copied; null when absent. */
    public byte[] get(MemorySegment key) {
        check();
        return Lookup.get(p, key);
    }

    /**
     * A cursor over the view, before the first entry: the layers merged, newest first, with
     * deleted keys left out. Valid while the view is open.
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
        return new MergedCursor(sources);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            p.state().release();
        }
    }
}
