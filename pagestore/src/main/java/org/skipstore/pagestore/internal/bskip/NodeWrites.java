package org.skipstore.pagestore.internal.bskip;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * A node of x written into, or its value freed from, a partition of the transaction's: the
 * node's size, the insert that puts a long value into a run of its own (see {@link Tree}), and
 * the free of such a run. The two writers of nodes share them: {@link TreeWriter}, in place, and
 * {@link SortedMerge}, into its stage.
 */
final class NodeWrites {

    private NodeWrites() {
    }

    /** Bytes x's node and slot take on level L, its value kept inline up to {@code inlineMax}. */
    static long size(long inlineMax, int L, MemorySegment key, MemorySegment value) {
        long kl = key.byteSize();
        if (L > 0) {
            return Partition.nodeSize(Partition.INDEX, kl, 0) + Partition.SLOT;
        }
        long vl = value.byteSize();
        return (vl > inlineMax ? Partition.outOfLineNodeSize(kl, vl) : Partition.nodeSize(Partition.DATA, kl, vl))
                + Partition.SLOT;
    }

    /** Inserts x's node of level L at index {@code i} of {@code p}, which has room; a long value goes into a run of its own. */
    static void insert(WriteTxn txn, long inlineMax, MemorySegment p, int i, int L, MemorySegment key,
            MemorySegment value, long down) throws IOException {
        boolean ok;
        if (L > 0) {
            ok = PartitionEdits.insertIndex(p, i, key, down);
        } else if (value.byteSize() > inlineMax) {
            long vl = value.byteSize();
            long page = txn.allocateRun(Tree.valuePages(txn.pageSize(), vl));
            MemorySegment.copy(value, 0, txn.write(page), Tree.VALUE_OFFSET, vl);
            ok = PartitionEdits.insertOutOfLine(p, i, key, vl, page);
        } else {
            ok = PartitionEdits.insertData(p, i, key, value);
        }
        if (!ok) {
            throw new IllegalStateException("no room in a partition that was made room for");
        }
    }

    /** Frees the run of data node {@code i}'s value when it lives out of line. */
    static void freeValue(WriteTxn txn, MemorySegment p, int i) {
        if (Partition.isOutOfLine(p, i)) {
            txn.freeRun(Partition.outOfLinePage(p, i), Tree.valuePages(txn.pageSize(), Partition.valueLength(p, i)));
        }
    }
}
