package org.skipstore.pagestore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.skipstore.pagestore.internal.WriteTxn;
import org.skipstore.pagestore.internal.bskip.TreeWriter;

/**
 * The write transaction of a {@link PageStore}: changes that become visible and durable together
 * at {@link #commit()}, or not at all. One at a time per store ({@link PageStore#write()} waits
 * for the one open); readers go on reading the last commit meanwhile. It reads its own changes.
 * Closing it without a commit aborts it.
 *
 * <p>The segments it hands out are valid until its next change ({@link #put}, {@link #delete}),
 * {@link #commit()} or {@link #abort()}; afterwards they stay readable but may show other bytes:
 * copy what you keep ({@link Transaction}, "Segment lifetime"; in
 * {@linkplain PageStore.Builder#checkedSegments(boolean) checked mode} they die then).
 *
 * <p>When a change fails (the disk or the store's maximum size is full, a force failed), the
 * transaction is aborted at once and later calls throw {@link IllegalStateException}: nothing
 * committed is lost.
 */
public final class WriteTransaction extends Transaction {

    private final WriteTxn txn;
    private final TreeWriter writer;

    WriteTransaction(PageStore store, WriteTxn txn) {
        super(store, txn);
        this.txn = txn;
        this.writer = new TreeWriter(txn, store.levels(), store.writerBounds());
    }

    /** Sets {@code key} to {@code value}; returns true when the key was new. */
    public boolean put(byte[] key, byte[] value) throws IOException {
        return put(store.key(key), PageStore.segment(value));
    }

    /** Sets {@code key} to {@code value} (both copied); returns true when the key was new. */
    public boolean put(MemorySegment key, MemorySegment value) throws IOException {
        check();
        MemorySegment k = store.checkKey(key);
        store.checkValue(value);
        changes++;
        try {
            return writer.put(k, value);
        } catch (IOException | RuntimeException | Error e) {
            abort();
            throw store.writeFailure(e); // damage found on the way: CORRUPT, and the store refuses writes
        } finally {
            releaseSegments(); // after the change: key or value may be a segment this transaction handed out
        }
    }

    /** Removes {@code key}; returns true when it was there. */
    public boolean delete(byte[] key) throws IOException {
        return delete(store.key(key));
    }

    public boolean delete(MemorySegment key) throws IOException {
        check();
        MemorySegment k = store.checkKey(key);
        changes++;
        try {
            return writer.delete(k);
        } catch (IOException | RuntimeException | Error e) {
            abort();
            throw store.writeFailure(e); // damage found on the way: CORRUPT, and the store refuses writes
        } finally {
            releaseSegments(); // after the change: the key may be a segment this transaction handed out
        }
    }

    /**
     * Commits: the changes become visible to new readers and, as the store's {@link Durability}
     * says, durable. Ends the transaction.
     *
     * @throws StoreException when the commit cannot be made (no space: nothing changed; a failed
     *                        force: the store refuses further writes)
     */
    public void commit() throws IOException {
        check();
        closed = true;
        releaseSegments();
        txn.commit();
    }

    /** Drops every change. Ends the transaction; does nothing when it has ended. */
    public void abort() {
        if (!closed) {
            closed = true;
            releaseSegments();
            txn.abort();
        }
    }

    @Override
    public long id() {
        return txn.id();
    }

    @Override
    public void close() {
        abort();
    }
}
