package org.skipstore.pagestore.internal;

import java.io.IOException;

/**
 * The base, the last state known durable (its meta slot and transaction), and the checkpoints
 * that move it: one force makes the last commit durable, and it becomes the base. What a moving
 * base releases: the unforced blocks it covers leave the next records ({@link SinceBase}), the
 * group committers it covers wake ({@link GroupCommit#durable}), and held blocks freed up to it may
 * be reused ({@link HeldBlocks}). Guarded by the pager's write lock.
 */
final class Checkpoints {

    private final Pager p;
    private int baseSlot;
    private long baseTxn;
    private long count;
    /** NO_SYNC checkpoints when the pages written since the base pass this... */
    private long afterWrittenPages = 1024;
    /** ... or the pages held back from reuse pass this. */
    private long afterHeldPages = 1024;

    Checkpoints(Pager p, int baseSlot, long baseTxn) {
        this.p = p;
        this.baseSlot = baseSlot;
        this.baseTxn = baseTxn;
    }

    long baseTxn() {
        return baseTxn;
    }

    /** The slot that is not the base's: where the next meta goes. */
    int nextSlot() {
        return 1 - baseSlot;
    }

    long count() {
        return count;
    }

    /** State {@code txn}, whose meta is in {@code slot}, is durable: it becomes the base. */
    void moveBase(int slot, long txn) {
        baseSlot = slot;
        baseTxn = txn;
        p.sinceBase.durableUpTo(txn); // blocks of later commits (made while a group force ran) stay listed
        p.group.durable(txn);
    }

    void after(long writtenPages, long heldPages) {
        this.afterWrittenPages = writtenPages;
        this.afterHeldPages = heldPages;
    }

    /** Whether a NO_SYNC commit should take a checkpoint now ({@link #after}). */
    boolean due() {
        return p.sinceBase.pages() > afterWrittenPages || p.held.pages() > afterHeldPages;
    }

    /** Makes the last commit the base: one force. */
    void take() throws IOException {
        long last = p.committed().txnId;
        if (last == baseTxn) {
            return;
        }
        CheckpointEvent event = new CheckpointEvent();
        event.begin();
        p.force();
        p.hook.at(Pager.Point.AFTER_CHECKPOINT);
        event.fromTxn = baseTxn;
        event.toTxn = last;
        moveBase(nextSlot(), last);
        count++;
        event.commit();
    }

    /** A group force moved the base ({@link GroupCommit}). */
    void counted() {
        count++;
    }

    /**
     * At the size limit, when held blocks wait only for the base (NO_SYNC between checkpoints,
     * GROUP between forces): a checkpoint, so that they can be reused; true when it freed some.
     * Without it a full NO_SYNC store refused even the deletes that would make room until
     * {@code sync()}. The open transaction is unaffected: it builds on the last commit, which
     * becomes the base (its meta is in the other slot unless a group force runs: then not).
     */
    boolean toReuse() throws IOException {
        if (p.group.busy() || p.committed().txnId == baseTxn || !p.held.waitsForBase(baseTxn, p.readers.oldest())) {
            return false;
        }
        take();
        p.reclaim();
        return true;
    }
}
