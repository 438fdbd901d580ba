package org.skipstore.pagestore;

/**
 * What recovery skipped when it opened the store: a meta slot newer than the state it recovered
 * (or damaged, so that whether it was newer is unknown). Recovery falls back to the newest state
 * that checks out whole, as LMDB does, and reports the fallback here, in a log warning (logger
 * {@code org.skipstore.pagestore.internal.Pager}) and in the JFR event
 * {@code org.skipstore.RecoveryFallback}. A store that opens cleanly, or a slot never written,
 * reports nothing.
 *
 * @param slot         the meta slot skipped, 0 or 1
 * @param skippedTxn   the transaction it holds or claims ({@link Cause#DAMAGED_META}: read without a
 *                     valid checksum); -1 when unreadable
 * @param recoveredTxn the transaction recovered (the store's state at open)
 * @param cause        why it was skipped
 * @param message      what happened and what it means, in words (the log message)
 */
public record Recovery(int slot, long skippedTxn, long recoveredTxn, Cause cause, String message) {

    /** Why a meta slot was skipped. */
    public enum Cause {
        /**
         * The newest commit did not reach the disk whole: its meta checks out but a block it
         * depends on (commit record, free list, a block the record lists) does not. A crash
         * during a commit that had not returned, or (NO_SYNC) had not been checkpointed, leaves
         * this: that commit was never durable, and the fallback is the designed outcome.
         */
        INCOMPLETE_COMMIT,
        /**
         * A meta page is damaged: it has the magic but fails its own checksum, holds neither a
         * meta nor zeros, checks out but points outside the file, or (a two-phase commit) its
         * forced free list fails its checksum. A crash does not leave this (except the first, on
         * a disk that can tear a 512-byte sector write: the meta lies in the first sector); the
         * file was damaged, and the commit the slot held, if it was newer, is lost.
         */
        DAMAGED_META
    }

    @Override
    public String toString() {
        return message;
    }
}
