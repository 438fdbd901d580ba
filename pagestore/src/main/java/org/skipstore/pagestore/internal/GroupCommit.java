package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;

/**
 * Group commit ({@link org.skipstore.pagestore.Durability#GROUP}): committers whose commits are
 * written but not forced share one force, made by a leader, outside the write lock.
 *
 * <ol>
 *   <li>A committer whose commit is not durable yet becomes the leader, unless one is at work:
 *       then it waits for that leader's force, and leads the next one if that did not cover it
 *       ({@link #awaitDurable}).</li>
 *   <li>The leader, under the write lock, takes the last commit {@code L} (its meta is in the
 *       slot that is not the base) and sets {@link #forcing}; then, without the lock, forces.
 *       Meanwhile writers go on committing: their blocks go to the file, their metas wait
 *       ({@link #defer}), because the slot must hold {@code L}'s meta while it is forced.</li>
 *   <li>Under the lock again: {@code L} becomes the base; the deferred meta, if any, goes into the
 *       other slot ({@link #writeDeferred}), and the next leader's force covers it and every commit
 *       before it.</li>
 * </ol>
 * So commits that arrive during a force share the next one. Nobody spins: followers wait on this
 * object's monitor, woken by {@link #durable} when the base moves.
 */
final class GroupCommit {

    private final Pager p;
    /** A leader is at work (guarded by this). */
    private boolean leading;
    /** The highest transaction known durable (guarded by this). */
    private long durableTxn;
    /** A group force runs outside the write lock (guarded by the write lock). */
    private boolean forcing;
    /** The meta page of the last commit made while {@link #forcing}: it waits (guarded by the write lock). */
    private MemorySegment deferred;

    GroupCommit(Pager p, long durableTxn) {
        this.p = p;
        this.durableTxn = durableTxn;
    }

    /** Step 1: returns once a force has covered transaction {@code txn}. */
    void awaitDurable(long txn) throws IOException {
        for (;;) {
            synchronized (this) {
                while (durableTxn < txn && leading) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for a group commit's force");
                    }
                }
                if (durableTxn >= txn) {
                    return;
                }
                leading = true;
            }
            try {
                force();
            } finally {
                synchronized (this) {
                    leading = false;
                    notifyAll();
                }
            }
        }
    }

    /** Steps 2 and 3, by the leader. */
    private void force() throws IOException {
        long target;
        p.writeLock.lock();
        try {
            p.checkWritable();
            writeDeferred();
            target = p.committed().txnId;
            if (target == p.baseTxn()) {
                return;
            }
            forcing = true;
        } finally {
            p.writeLock.unlock();
        }
        CheckpointEvent event = new CheckpointEvent();
        event.begin();
        boolean forced = false;
        try {
            p.force();
            forced = true;
            p.hook.at(Pager.Point.AFTER_CHECKPOINT);
        } finally {
            p.writeLock.lock();
            try {
                forcing = false;
                if (forced) {
                    event.fromTxn = p.baseTxn();
                    event.toTxn = target;
                    p.checkpoints.moveBase(p.checkpoints.nextSlot(), target);
                    p.checkpoints.counted();
                    event.commit();
                    writeDeferred();
                }
            } finally {
                p.writeLock.unlock();
            }
        }
    }

    /** The base moved to {@code txn}: wake the committers it covers. */
    synchronized void durable(long txn) {
        durableTxn = Math.max(durableTxn, txn);
        notifyAll();
    }

    /** Whether a group force runs now (caller holds the write lock). */
    boolean forcing() {
        return forcing;
    }

    /** Whether a force runs or a meta waits for its slot (caller holds the write lock). */
    boolean busy() {
        return forcing || deferred != null;
    }

    /** Keeps the meta of a commit made during a force until the slot is free; replaces an earlier one. */
    void defer(MemorySegment metaPage) {
        if (deferred != null) {
            p.pool.give(deferred, 0);
        }
        deferred = metaPage;
    }

    /** Writes the deferred meta, if any, into its slot (caller holds the write lock). */
    void writeDeferred() throws IOException {
        MemorySegment page = deferred;
        if (page != null) {
            deferred = null;
            try {
                p.file().write(p.checkpoints.nextSlot(), page);
            } catch (IOException | RuntimeException e) {
                throw p.poison(org.skipstore.core.SkipstoreException.Problem.FAILED_WRITE, e); // the last commit's meta is in no slot: nothing may build on it
            }
            p.pool.give(page, 0);
        }
    }
}
