package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.skipstore.pagestore.Durability;

/**
 * How a commit whose blocks are written reaches the disk: one class per {@link Durability}.
 * {@link Commit} writes the blocks; the mode writes the meta into the slot that is not the base
 * and forces as it promises. The commit point is where recovery starts to find the new state.
 */
sealed interface CommitMode permits TwoPhaseCommit, SingleBarrierCommit, UnforcedCommit {

    static CommitMode of(Durability d) {
        return switch (d) {
            case SYNC -> TwoPhaseCommit.INSTANCE;
            case SYNC_SINGLE_BARRIER -> SingleBarrierCommit.INSTANCE;
            case NO_SYNC -> UnforcedCommit.NO_SYNC;
            case GROUP -> UnforcedCommit.GROUP;
        };
    }

    Durability durability();

    /** Whether the commit writes a record of CRC32Cs (every mode whose meta may reach the disk before its blocks). */
    default boolean checksummed() {
        return true;
    }

    /** Whether the record also lists the unforced blocks since the base ({@link SinceBase}). */
    default boolean listsSinceBase() {
        return false;
    }

    /**
     * Writes {@code metaPage} (transaction {@code txn}'s meta, which this mode now owns) and makes
     * the commit as durable as the mode promises.
     *
     * @param written what the commit wrote, with the CRC32Cs its record lists (empty when not checksummed)
     * @return when phase 1 ended ({@link System#nanoTime}), 0 for a mode with one phase
     */
    long complete(Pager p, long txn, MemorySegment metaPage, List<Commit.Written> written) throws IOException;

    /** After the new state is published. */
    default void published(Pager p) throws IOException {
    }
}
