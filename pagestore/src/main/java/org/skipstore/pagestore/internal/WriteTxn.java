package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.skipstore.pagestore.Durability;

/**
 * The write transaction of a {@link Pager}: allocates blocks, writes only those, frees blocks,
 * sets roots, and commits or aborts. One at a time (it holds the pager's write lock from
 * {@link Pager#begin()} until commit, abort or close). Closing without a commit aborts.
 */
public final class WriteTxn implements PageSource, AutoCloseable {

    private final Pager pager;
    /** The state this transaction started from. */
    final Meta base;
    /** Its id: the base's plus one. */
    final long id;
    final long[] roots;
    /** Blocks allocated by this transaction: page -> order. Only these may be written. */
    final Map<Long, Integer> allocated = new LinkedHashMap<>();
    /** Their write buffers, written through the file at commit: page -> buffer. */
    private final Map<Long, MemorySegment> buffers = new HashMap<>();
    /** Committed blocks freed by this transaction ({@link Meta#freeEntry} form). */
    final List<Long> freed = new ArrayList<>();
    private final Set<Long> freedSet = new HashSet<>();
    private boolean done;

    WriteTxn(Pager pager, Meta base) {
        this.pager = pager;
        this.base = base;
        this.id = base.txnId + 1;
        this.roots = base.roots();
    }

    /** The transaction id this commit will have. */
    public long id() {
        return id;
    }

    /** The state this transaction started from. */
    public Meta base() {
        return base;
    }

    /** A new block of {@code 2^n} pages, for this transaction to write; its content is undefined. */
    public long allocate(int n) throws IOException {
        check();
        long page = pager.allocate(n);
        allocated.put(page, n);
        buffers.put(page, pager.buffer(n));
        return page;
    }

    /**
     * The writable segment of block {@code page}, which this transaction allocated: a buffer that
     * the commit writes to the file (the transaction's reads of the block see it).
     *
     * @throws IllegalStateException when the block is not this transaction's: committed pages are
     *                               never written in place (copy them into a new block)
     */
    public MemorySegment write(long page) {
        check();
        MemorySegment b = buffers.get(page);
        if (b == null) {
            throw new IllegalStateException("page " + page + " was not allocated by transaction " + id
                    + ": committed pages are never written in place");
        }
        return b;
    }


    @Override
    public MemorySegment block(long page, long orderOffset) {
        check();
        MemorySegment own = buffers.get(page);
        if (own != null) {
            return own;
        }
        PageFile f = pager.file();
        MemorySegment first = f.pages(page, 1);
        int n = first.get(java.lang.foreign.ValueLayout.JAVA_BYTE, orderOffset);
        return n == 0 ? first : f.pages(page, 1L << n);
    }

    @Override
    public int pageSize() {
        return pager.pageSize();
    }

    /** Whether this transaction allocated block {@code page} (so it may write it). */
    public boolean owns(long page) {
        return buffers.containsKey(page);
    }

    MemorySegment buffer(long page) {
        return buffers.get(page);
    }

    /**
     * A read-only view of pages {@code [page, page + count)}: of a committed state, or of a block
     * this transaction allocated (then the range must lie inside that block).
     */
    @Override
    public MemorySegment read(long page, long count) {
        check();
        Integer n = allocated.get(page);
        if (n != null) {
            return buffers.get(page).asSlice(0, count * pager.pageSize()).asReadOnly();
        }
        return pager.file().pages(page, count).asReadOnly();
    }

    /**
     * Frees a block: at once when this transaction allocated it; else (a committed block) when no
     * reader and no recoverable state can reach it any more.
     */
    public void free(long page, int n) {
        check();
        Integer a = allocated.get(page);
        if (a != null) {
            if (a != n) {
                throw new IllegalArgumentException("block " + page + " has order " + a + ", not " + n);
            }
            freeAllocated(page, n);
            return;
        }
        if (page < 2 || page + (1L << n) > base.pageCount || (page & ((1L << n) - 1)) != 0) {
            throw new IllegalArgumentException("no committed block of order " + n + " at page " + page);
        }
        long e = Meta.freeEntry(page, n);
        if (!freedSet.add(e) || pager.allocator().isFreeBlock(page, n) || pager.isHeld(page, n)) {
            throw new IllegalStateException("block " + page + "/" + n + " is free already (double free)");
        }
        freed.add(e);
    }

    void freeAllocated(long page, int n) {
        allocated.remove(page);
        pager.recycle(buffers.remove(page), n);
        pager.freeNow(page, n);
    }

    @Override
    public long root(int i) {
        return roots[i];
    }

    public void setRoot(int i, long value) {
        check();
        roots[i] = value;
    }

    /** Commits with the pager's {@link Durability}; see {@link Pager}. */
    public void commit() throws IOException {
        commit(pager.durability());
    }

    void commit(Durability mode) throws IOException {
        check();
        boolean committed = false;
        try {
            pager.commit(this, mode);
            committed = true;
            releaseBuffers();
        } finally {
            done = true;
            try {
                if (!committed && !pager.isPoisoned()) {
                    rollback(); // a commit refused before it changed anything (no space, closed)
                }
            } catch (RuntimeException e) {
                // the commit's own exception is the one to report
            } finally {
                pager.writeLock.unlock();
            }
        }
        if (mode == Durability.GROUP) {
            pager.awaitDurable(id);
        }
    }

    /** Drops everything this transaction did. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            rollback();
        } finally {
            pager.writeLock.unlock();
        }
    }

    private void rollback() {
        for (Map.Entry<Long, Integer> a : List.copyOf(allocated.entrySet())) {
            freeAllocated(a.getKey(), a.getValue());
        }
        freed.clear();
    }

    /** After a commit: the buffers go back to the pool. */
    void releaseBuffers() {
        for (Map.Entry<Long, Integer> a : allocated.entrySet()) {
            pager.recycle(buffers.get(a.getKey()), a.getValue());
        }
        buffers.clear();
    }

    @Override
    public void close() {
        abort();
    }

    private void check() {
        if (done) {
            throw new IllegalStateException("transaction " + id + " is finished");
        }
    }
}
