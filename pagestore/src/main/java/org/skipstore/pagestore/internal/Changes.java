package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What a write transaction changed, as the commit receives it ({@link Commit}): an immutable
 * description, so the commit neither reads the transaction's fields nor calls back into it.
 *
 * @param id      the transaction id the commit will have (the base's plus one)
 * @param base    the state the transaction started from
 * @param roots   the new state's roots ({@link Meta#ROOTS} words)
 * @param blocks  every block it allocated and what to write there, in allocation order, but
 *                those written ahead
 * @param ahead   the blocks it wrote ahead of the commit ({@link WriteTxn#spillExcept}), with the
 *                CRC32C of what it wrote there
 * @param freed   the committed blocks it freed
 * @param metadata where the new state's commit metadata is (the base's when unchanged)
 * @param sealed  the first pages of the runs whose checksum the transaction set ({@link WriteTxn#seal}):
 *                written as summed, so their next read needs no second sum
 */
record Changes(long id, Meta base, long[] roots, List<Write> blocks, List<Commit.Written> ahead, List<Block> freed,
        Meta.Stored metadata, List<Long> sealed) {

    /** A block and the bytes the commit writes into it. */
    record Write(Block block, MemorySegment content) {
    }

    Changes {
        roots = roots.clone();
        blocks = List.copyOf(blocks);
        ahead = List.copyOf(ahead);
        freed = List.copyOf(freed);
        sealed = List.copyOf(sealed);
    }

    @Override
    public long[] roots() {
        return roots.clone();
    }
}
