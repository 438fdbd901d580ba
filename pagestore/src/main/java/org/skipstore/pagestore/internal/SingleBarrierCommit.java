package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.skipstore.pagestore.Durability;

/**
 * {@link Durability#SYNC_SINGLE_BARRIER}: write the meta, whose commit record lists the CRC32C of
 * every block the commit wrote, then one force. A crash during that force may leave any subset of
 * the pages written, the meta included; recovery takes the meta only if its record and every
 * block in it check out, else the base. One force instead of two, for a CRC of every block.
 */
final class SingleBarrierCommit implements CommitMode {

    static final SingleBarrierCommit INSTANCE = new SingleBarrierCommit();

    private SingleBarrierCommit() {
    }

    @Override
    public Durability durability() {
        return Durability.SYNC_SINGLE_BARRIER;
    }

    @Override
    public long complete(Pager p, long txn, MemorySegment metaPage, List<Commit.Written> written) throws IOException {
        int slot = p.checkpoints.nextSlot();
        p.file().write(slot, metaPage);
        p.hook.at(Pager.Point.AFTER_META_WRITE);
        p.force();                                             // the one barrier, the commit point
        p.hook.at(Pager.Point.AFTER_PHASE_2);
        p.checkpoints.moveBase(slot, txn);
        p.pool.give(metaPage, 0);
        return 0;
    }
}
