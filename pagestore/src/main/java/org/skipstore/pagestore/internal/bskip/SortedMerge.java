package org.skipstore.pagestore.internal.bskip;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * The run path of {@link TreeWriter}: the finger, and the batched merge of ascending changes into
 * one partition of level 0.
 *
 * <h2>Finger</h2>
 * After a descent the writer's path leads to a partition {@code P} of level 0; its range runs
 * from its first key ({@link #low}; none for the level's first partition) to the first key of
 * the next partition ({@link #high}; none for the last), the key after the followed one on the
 * lowest level above that has one. Both are copied when the finger is set ({@link #set}), since
 * the partitions they lie in may move; a change of level 0 inside the range changes neither, so a
 * key in the range ({@link #inRange}) needs no descent.
 *
 * <h2>Merge</h2>
 * A sorted run (an engine's flush) brings several keys per partition, in ascending order.
 * Inserting them one by one moves the nodes above each one and grows the block page by page;
 * instead, the writer merges: {@link #start} leaves {@code P} as it is (a committed block is
 * not even copied) and formats an empty partition in the stage ({@link WriterScratch}); each
 * change in the range whose key is above everything staged ({@link #follows}) first copies the
 * nodes of {@code P} below its key ({@link #next} marks how far), then appends its own node, or
 * skips {@code P}'s node of that key (a replaced value, a delete). A delete of a key that
 * {@code P} lacks touches nothing. {@link #finish} copies the rest of {@code P} and writes the
 * stage into a run of exactly the pages it needs: each partition is built once, in one pass,
 * and no node moves twice. The writer finishes the merge before any other change and before any
 * read of the transaction ({@link TreeWriter#settle}), since until then the tree still points
 * at {@code P}.
 *
 * <p>New keys of higher levels and deletes of such keys are not merged (the writer does not
 * bring them here): they split partitions or join them. Nor is a new key in front of the level's
 * first partition when that starts with a key of a higher level: it needs a partition of its own.
 */
final class SortedMerge {

    /** Answers of {@link #put} and {@link #delete}. */
    static final int NOT_HANDLED = -1;
    static final int UNCHANGED = 0;
    static final int CHANGED = 1;

    private final WriteTxn txn;
    private final Levels levels;
    private final WriterScratch scratch;
    private final long inlineMax;
    private final MemorySegment low;
    private final MemorySegment high;
    /** Lengths of the bounds; -1: none. */
    private long lowLength = -1;
    private long highLength = -1;
    private boolean finger;

    /** The partition merged from ({@code 0}: no merge), its block, and its first node not yet staged. */
    private long source;
    private MemorySegment src;
    private int next;
    /** The partition built, in the scratch's stage. */
    private MemorySegment stage;

    SortedMerge(WriteTxn txn, Levels levels, WriterScratch scratch) {
        this.txn = txn;
        this.levels = levels;
        this.scratch = scratch;
        this.inlineMax = Tree.inlineMax(txn.pageSize());
        long max = Tree.maxKeyBytes(txn.pageSize());
        this.low = scratch.bounds().asSlice(0, max);
        this.high = scratch.bounds().asSlice(max, max);
    }

    // ---- finger ----------------------------------------------------------------------------------

    /**
     * Sets the finger to the path {@code wp}, {@code wj} of a descent (levels above 0 owned, the
     * partition of level 0 at {@code wp[0]} readable): copies its bounds.
     */
    void set(long[] wp, int[] wj, int top) {
        lowLength = wp[0] == txn.root(0) ? -1 : copyKey(Tree.partition(txn, wp[0]), 0, low);
        highLength = -1;
        for (int L = 1; L <= top; L++) {
            MemorySegment up = txn.write(wp[L]);
            int n = wj[L - 1] + 1;
            if (n < Partition.count(up)) {
                highLength = copyKey(up, n, high);
                break;
            }
        }
        finger = true;
    }

    /** Forgets the finger (the path changed); a merge must have been finished. */
    void drop() {
        finger = false;
    }

    boolean fingered() {
        return finger;
    }

    /** Whether the finger is set and {@code key} lies in its partition's range. */
    boolean inRange(MemorySegment key) {
        return finger
                && (lowLength < 0 || Keys.compare(low, 0, lowLength, key, 0, key.byteSize()) <= 0)
                && (highLength < 0 || Keys.compare(key, 0, key.byteSize(), high, 0, highLength) < 0);
    }

    private static long copyKey(MemorySegment p, int i, MemorySegment to) {
        MemorySegment k = Partition.key(p, i);
        MemorySegment.copy(k, 0, to, 0, k.byteSize());
        return k.byteSize();
    }

    // ---- merge -----------------------------------------------------------------------------------

    boolean merging() {
        return source != 0;
    }

    /** Whether a change of {@code key} may go into the merge: in the range, above all staged. */
    boolean follows(MemorySegment key) {
        int n = Partition.count(stage);
        return inRange(key) && (n == 0 || Partition.compareKey(stage, n - 1, key) < 0);
    }

    /** Starts merging into partition {@code page} of level 0, the finger's. */
    void start(long page) {
        src = Tree.partition(txn, page);
        source = page;
        next = 0;
        stage = scratch.stage(Partition.headerBytes() + Partition.used(src) + (16L << 10));
        Partition.init(stage, Partition.DATA, 0, (int) Math.min(0xFFFF, stage.byteSize() / txn.pageSize()));
    }

    /**
     * Puts into the merge: {@link #CHANGED} when the key is new, {@link #UNCHANGED} when it
     * replaced a value, {@link #NOT_HANDLED} for a new key in front of the level's first
     * partition when that starts with a key of a higher level (the key needs a partition of its own).
     */
    int put(MemorySegment key, MemorySegment value) throws IOException {
        int f = find(key);
        int at = f >= 0 ? f : -f - 1;
        if (f < 0 && at == 0 && next == 0 && Partition.count(stage) == 0 && Partition.count(src) > 0
                && levels.level(Partition.key(src, 0)) > 0) {
            return NOT_HANDLED;
        }
        stageUpTo(at);
        if (f >= 0) { // the value is replaced; the structure does not change, whatever the key's level
            NodeWrites.freeValue(txn, src, f);
            next = f + 1;
        }
        room(NodeWrites.size(inlineMax, 0, key, value));
        NodeWrites.insert(txn, inlineMax, stage, Partition.count(stage), 0, key, value, 0);
        return f >= 0 ? UNCHANGED : CHANGED;
    }

    /**
     * Deletes a key of level 0 in the merge: {@link #CHANGED} when it was there; one the
     * partition lacks touches nothing.
     */
    int delete(MemorySegment key) {
        int f = find(key);
        if (f < 0) {
            return UNCHANGED;
        }
        stageUpTo(f);
        NodeWrites.freeValue(txn, src, f);
        next = f + 1;
        return CHANGED;
    }

    /**
     * {@link Partition#search} of the source, for a key above every staged one; a node below
     * {@link #next} that it finds was deleted in this merge (a replaced one would be staged):
     * absent.
     */
    private int find(MemorySegment key) {
        int f = Partition.search(src, key);
        return f >= 0 && f < next ? -f - 1 : f;
    }

    /** Stages the nodes of the source below index {@code to} (from {@link #next} on; none when below). */
    private void stageUpTo(int to) {
        if (to > next) {
            room(Partition.bytesOf(src, next, to));
            PartitionEdits.appendCopies(src, next, to, stage);
            next = to;
        }
    }

    /** Grows the stage (a bigger one of the scratch's, the content copied) until {@code bytes} fit. */
    private void room(long bytes) {
        if (Partition.free(stage) < bytes) {
            long need = Partition.blockBytesFor(Partition.headerBytes() + Partition.used(stage) + bytes);
            MemorySegment bigger = scratch.stage(Math.max(need, stage.byteSize() + 1)); // another segment
            PartitionEdits.copy(stage, bigger, (int) Math.min(0xFFFF, bigger.byteSize() / txn.pageSize()));
            stage = bigger;
        }
    }

    /** Ends a merge that staged nothing yet: the source stays as it is. */
    void abandon() {
        if (Partition.count(stage) != 0 || next != 0) {
            throw new IllegalStateException("a merge that staged nodes cannot be abandoned");
        }
        source = 0;
        src = null;
    }

    /** The partition merged from (to repoint its references). */
    long source() {
        return source;
    }

    /**
     * Ends the merge: the rest of the source staged, the stage written into a run of the pages it
     * needs, the source freed. Returns the run's first page, or 0 when no node is left (only the
     * level's first partition can empty: every other one starts with a key of a higher level).
     */
    long finish() throws IOException {
        stageUpTo(Partition.count(src));
        txn.freeRun(source, Partition.pages(src));
        source = 0;
        src = null;
        if (Partition.count(stage) == 0) {
            return 0;
        }
        int n = Partition.pagesFor(txn.pageSize(), Partition.headerBytes() + Partition.used(stage));
        long q = txn.allocateRun(n);
        PartitionEdits.copy(stage, txn.write(q), n);
        return q;
    }
}
