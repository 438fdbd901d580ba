package org.skipstore.pagestore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.skipstore.core.SkipstoreException;
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
 * {@linkplain PageStoreBuilder#checkedSegments(boolean) checked mode} they die then).
 *
 * <p>When a change or the commit fails (the disk or the store's maximum size is full, a force
 * failed, damage was found), the transaction is aborted at once and its {@link #state()} is
 * {@link Transaction.State#FAILED}: nothing committed is lost, and every later call throws
 * {@link SkipstoreException.Problem#CLOSED} with the failure as its cause.
 */
public final class WriteTransaction extends Transaction {

    private final WriteTxn txn;
    private final TreeWriter writer;

    WriteTransaction(PageStore store, WriteTxn txn) {
        super(store, txn);
        this.txn = txn;
        this.writer = new TreeWriter(txn, store.levels(), store.writerScratch());
    }

    /** Sets {@code key} to {@code value}; returns true when the key was new. */
    public boolean put(byte[] key, byte[] value) {
        return put(store.limits.key(key), Limits.segment(value));
    }

    /** Sets {@code key} to {@code value} (both copied); returns true when the key was new. */
    public boolean put(MemorySegment key, MemorySegment value) {
        check();
        MemorySegment k = store.limits.checkKey(key);
        store.limits.checkValue(value);
        changes++;
        try {
            return writer.put(k, value);
        } catch (IOException | RuntimeException | Error e) {
            throw fail(e); // damage found on the way: CORRUPT, and the store refuses writes
        } finally {
            releaseSegments(); // after the change: key or value may be a segment this transaction handed out
        }
    }

    /** Removes {@code key}; returns true when it was there. */
    public boolean delete(byte[] key) {
        return delete(store.limits.key(key));
    }

    /** See {@link #delete(byte[])}. */
    public boolean delete(MemorySegment key) {
        check();
        MemorySegment k = store.limits.checkKey(key);
        changes++;
        try {
            return writer.delete(k);
        } catch (IOException | RuntimeException | Error e) {
            throw fail(e); // damage found on the way: CORRUPT, and the store refuses writes
        } finally {
            releaseSegments(); // after the change: the key may be a segment this transaction handed out
        }
    }

    /**
     * Sets commit metadata {@code name} to a copy of {@code value}, committed atomically with this
     * transaction's data: after a crash, the state recovered and its metadata are from the same
     * commit. For a few small values that describe the data (a log sequence the data includes, a
     * changelog offset): at most 4096 bytes in all (8, and for each entry its name's UTF-8
     * bytes, its value and 8), names of 1 to 255 UTF-8 bytes.
     * Later commits keep it until one changes it.
     *
     * @throws IllegalArgumentException for an empty or too long name, or past the size limit
     *                                  (nothing changes; the transaction stays open)
     */
    public void putMetadata(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        check();
        txn.putMetadata(name, value);
    }

    /** Removes commit metadata {@code name}, committed with the data; nothing when it is absent. */
    public void removeMetadata(String name) {
        Objects.requireNonNull(name, "name");
        check();
        txn.putMetadata(name, null);
    }

    /**
     * Commits: the changes become visible to new readers and, as the store's {@link Durability}
     * says, durable. Ends the transaction ({@link Transaction.State#COMMITTED}).
     *
     * @throws SkipstoreException when the commit cannot be made (no space: nothing changed; a
     *                            failed force: the store refuses further writes); the
     *                            transaction is then {@link Transaction.State#FAILED}
     */
    public void commit() {
        check();
        settle();
        state = State.COMMITTED;
        releaseSegments();
        try {
            txn.commit();
        } catch (IOException | RuntimeException | Error e) {
            state = State.FAILED; // the WriteTxn rolled itself back
            failure = e; // until translated: an Error is thrown as it is
            failure = store.failure(e);
            throw (RuntimeException) failure;
        }
    }

    /** Drops every change. Ends the transaction ({@link Transaction.State#ABORTED}); does nothing when it has ended. */
    public void abort() {
        if (state == State.OPEN) {
            state = State.ABORTED;
            releaseSegments();
            txn.abort();
        }
    }

    /**
     * Writes what the writer holds back (a sorted run's merge into a partition: {@link
     * TreeWriter#settle}) into the tree: before every read, so that the transaction reads its own
     * changes, and before the commit.
     */
    @Override
    void settle() {
        try {
            writer.settle();
        } catch (IOException | RuntimeException | Error e) {
            throw fail(e);
        }
    }

    /** Aborts after a failed change: {@link Transaction.State#FAILED}, with what the API throws for {@code e} as the cause. */
    private RuntimeException fail(Throwable e) {
        abort();
        state = State.FAILED;
        failure = e; // until translated: an Error is thrown as it is
        RuntimeException out = store.failure(e);
        failure = out;
        return out;
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
