package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;

/**
 * A reader's view of one committed state: its roots and read-only segments of its pages. The
 * state does not change while the view is open, and the blocks it uses are not reused before it
 * closes. Never blocks the writer. For one thread.
 */
public final class ReadView implements PageSource, AutoCloseable {

    private final Pager pager;
    private final Meta meta;
    private boolean closed;

    ReadView(Pager pager, Meta meta) {
        this.pager = pager;
        this.meta = meta;
    }

    public Meta meta() {
        return meta;
    }

    public long txnId() {
        return meta.txnId;
    }

    @Override
    public long root(int i) {
        return meta.root(i);
    }

    @Override
    public java.util.SortedMap<String, byte[]> metadata() {
        return CommitMetadata.read(this, meta);
    }

    /** Pages {@code [page, page + count)} of the state, read-only. */
    @Override
    public MemorySegment read(long page, long count) {
        if (closed) {
            throw new IllegalStateException("the read view is closed");
        }
        pager.checkOpen();
        if (page + count > meta.filePages) { // past them the file may end: never a wild read
            throw new IndexOutOfBoundsException("pages [" + page + ", " + (page + count) + ") pass the state's "
                    + meta.filePages + " pages");
        }
        return pager.file().pages(page, count).asReadOnly();
    }

    @Override
    public MemorySegment block(long page, long pagesOffset) {
        if (closed) {
            throw new IllegalStateException("the read view is closed");
        }
        return pager.checks().check(page, pager.file().block(page, pagesOffset, meta.filePages));
    }

    @Override
    public MemorySegment run(long page, long pages) {
        return pager.checks().check(page, read(page, pages));
    }

    @Override
    public int pageSize() {
        return pager.pageSize();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pager.release(this);
        }
    }
}
