package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.skipstore.pagestore.Durability;

/**
 * {@link Durability#SYNC}, two phases as LMDB: (1) force: every block of the new state is durable;
 * (2) write the meta into the slot that is not the base, force. The second force is the commit
 * point: before it recovery finds the base, after it the new state (a meta torn by the crash fails
 * its CRC, and recovery takes the base). No commit record is needed: nothing the meta names can be
 * missing once it is on the disk.
 */
final class TwoPhaseCommit implements CommitMode {

    static final TwoPhaseCommit INSTANCE = new TwoPhaseCommit();

    private TwoPhaseCommit() {
    }

    @Override
    public Durability durability() {
        return Durability.SYNC;
    }

    @Override
    public boolean checksummed() {
        return false;
    }

    @Override
    public long complete(Pager p, long txn, MemorySegment metaPage, List<Commit.Written> written) throws IOException {
        int slot = p.checkpoints.nextSlot();
        p.force();                                             // phase 1: the blocks
        long phase1 = System.nanoTime();
        p.hook.at(Pager.Point.AFTER_PHASE_1);
        p.file().write(slot, metaPage);
        p.hook.at(Pager.Point.AFTER_META_WRITE);
        p.force();                                             // phase 2: the meta, the commit point
        p.hook.at(Pager.Point.AFTER_PHASE_2);
        p.checkpoints.moveBase(slot, txn);
        p.pool.give(metaPage, 0);
        return phase1;
    }
}
