package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.skipstore.pagestore.Durability;

/**
 * {@link Durability#NO_SYNC} and {@link Durability#GROUP}: write the meta into the slot that is
 * not the base, and force nothing. Its record lists every live block written since the base
 * ({@link SinceBase}), so whatever the kernel happened to write back, recovery finds a complete
 * later state or falls back to the base. A checkpoint (one force) makes the latest commit the
 * base: NO_SYNC takes one when the pages written or held since the base pass a threshold
 * ({@link Checkpoints#after}); GROUP commits wait for one that covers them
 * ({@link GroupCommit}), which commits made meanwhile share.
 *
 * <p>While a group force runs, the slot must keep the meta being forced: the meta of a commit
 * made meanwhile waits ({@link GroupCommit#defer}) and goes into the slot when the force returns.
 */
final class UnforcedCommit implements CommitMode {

    static final UnforcedCommit NO_SYNC = new UnforcedCommit(Durability.NO_SYNC);
    static final UnforcedCommit GROUP = new UnforcedCommit(Durability.GROUP);

    private final Durability durability;

    private UnforcedCommit(Durability durability) {
        this.durability = durability;
    }

    @Override
    public Durability durability() {
        return durability;
    }

    @Override
    public boolean listsSinceBase() {
        return true;
    }

    @Override
    public long complete(Pager p, long txn, MemorySegment metaPage, List<Commit.Written> written) throws IOException {
        if (p.group.forcing()) {
            p.group.defer(metaPage);
        } else {
            p.file().write(p.checkpoints.nextSlot(), metaPage);
            p.hook.at(Pager.Point.AFTER_META_WRITE);
            p.pool.give(metaPage, 0);
        }
        for (Commit.Written w : written) {
            p.sinceBase.add(w.block(), w.crc(), txn);
        }
        return 0;
    }

    @Override
    public void published(Pager p) throws IOException {
        if (durability == Durability.NO_SYNC && p.checkpoints.due()) {
            p.checkpoints.take();
        }
    }
}
