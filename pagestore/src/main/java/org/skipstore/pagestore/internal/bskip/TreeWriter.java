package org.skipstore.pagestore.internal.bskip;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * The changes to the list, inside one write transaction ({@link WriteTxn}), copy-on-write.
 *
 * <h2>Copy-on-write</h2>
 * A committed partition is never written: the first change in a transaction copies it into a
 * block the transaction allocates ({@link #touch}), right-sized for its content, frees the
 * original (reused once no reader and no recoverable state needs it), and points the reference
 * above at the copy, which copies that partition too, up to the root words. A change therefore
 * starts with a writable descent ({@link #descend}) that touches the whole path; later changes
 * in the same transaction find their partitions owned and write them in place.
 *
 * <h2>Insert of a new key x of level h</h2>
 * <ol>
 *   <li>Writable descent for x: on each level L the representative partition {@code P_L}
 *       (the one whose range holds x) and the insertion point {@code ip} in it.</li>
 *   <li>Levels {@code L < h}, bottom-up: x must start a partition. Move the nodes after
 *       {@code ip} into a new partition {@code Q_L} that begins with x, and move what stays in
 *       {@code P_L} into the fewest pages that hold it when that saves a page ({@link #shrink}).</li>
 *   <li>Level {@code h}: put x in {@code P_h} at {@code ip}, its down reference {@code Q_{h-1}};
 *       when the block is full, copy the partition into a run of as many pages as it then
 *       needs (growth).</li>
 *   <li>On any level, {@code ip == 0} means {@code P_L} is the level's first partition and x is
 *       below all of it. If {@code P_L} starts with a key of a higher level, that key keeps
 *       its partition and {@code Q_L = {x}} becomes the level's first; if not, x simply goes in
 *       front of {@code P_L}, which becomes x's partition. Nothing is left empty.</li>
 *   <li>Levels above the top so far get a partition holding x alone.</li>
 * </ol>
 *
 * <h2>Delete of x of level h</h2>
 * Two writable descents: one for x (the partition holding or starting with x on each level) and
 * one for the keys just below x (on the levels where x starts a partition, its left
 * neighbour). Top-down: remove x on level h; on each level below, remove x from the front of
 * its partition and append what remains to the left neighbour (a merge), freeing x's
 * partition. Without a left neighbour x's partition is the level's first and keeps the rest;
 * when it becomes empty, the level's root moves to the partition of the next key of the level
 * above (or to 0 when the level empties).
 *
 * <h2>Runs</h2>
 * A change of a key of level 0 whose partition the last descent reached (the finger) takes no
 * descent, and one into a committed partition, or past the end of one, is merged there with the
 * ones after it ({@link SortedMerge}) and written as the merge leaves the partition:
 * {@link #settle}, before any other change, any read of the transaction, and the commit (which
 * the writer asks for: {@link WriteTxn#beforeCommit}). A delete of an absent key costs one
 * read-only descent, or none inside the finger's partition.
 *
 * <p>Each reference to a partition that moves (copy, growth, shrink) is updated by
 * {@link #repoint}: the root word, the down reference followed, and node 0 of the level above
 * when the level's first partition is also its first key's partition.
 *
 * <p>One file past 400 lines: insert, delete and update share the two paths ({@link #wp},
 * {@link #sp}) and every move of a partition goes through {@link #relocate} and
 * {@link #repoint}; apart, each piece would take the paths as arguments.
 */
public final class TreeWriter {

    private final WriteTxn txn;
    private final Levels levels;
    private final int pageSize;
    private final long inlineMax;

    /** The path of the last descent: page per level, and the index followed in the level above. */
    private final long[] wp = new long[Levels.LEVELS];
    private final int[] wj = new int[Levels.LEVELS];
    private final long[] sp = new long[Levels.LEVELS];
    private final int[] sj = new int[Levels.LEVELS];
    /** The writable descents that record into those paths, made once. */
    private final Tree.Path<IOException> wPath = (L, page, j) -> enter(L, page, j, wp, wj);
    private final Tree.Path<IOException> sPath = (L, page, j) -> enter(L, page, j, sp, sj);
    /** A writable descent into {@link #wp} that leaves level 0 as it is: a merge reads it ({@link SortedMerge}). */
    private final Tree.Path<IOException> mPath = (L, page, j) -> L > 0 ? enter(L, page, j, wp, wj) : reach(page, j);
    private int top;
    /**
     * The finger (the path {@link #wp}, {@link #wj} still leads to the partition of level 0 whose
     * range holds a key) and the batched merge into that partition: the run path.
     */
    private final SortedMerge run;

    public TreeWriter(WriteTxn txn, Levels levels) {
        this(txn, levels, new WriterScratch(txn.pageSize()));
    }

    /** @param scratch native memory of the store's, which its write transactions reuse, one at a time */
    public TreeWriter(WriteTxn txn, Levels levels, WriterScratch scratch) {
        if (scratch.pageSize() != txn.pageSize()) {
            throw new IllegalArgumentException("scratch for pages of " + scratch.pageSize() + " bytes");
        }
        this.txn = txn;
        this.levels = levels;
        this.pageSize = txn.pageSize();
        this.inlineMax = Tree.inlineMax(pageSize);
        this.run = new SortedMerge(txn, levels, scratch);
        txn.beforeCommit(this::settle);
    }

    /** Inserts or replaces; returns true when the key was new. */
    public boolean put(MemorySegment key, MemorySegment value) throws IOException {
        boolean added = change(key, value);
        spill();
        return added;
    }

    /**
     * After a change: this writer holds no segment of the transaction's blocks but the merge's
     * source ({@link SortedMerge#source}), so the transaction may write the others ahead of its
     * commit ({@link WriteTxn#spillExcept}); the paths hold page numbers, read again when used.
     * Not before a change: its key or value may be a segment of a block of the transaction's.
     */
    private void spill() throws IOException {
        txn.spillExcept(run.merging() ? run.source() : 0);
    }

    private boolean change(MemorySegment key, MemorySegment value) throws IOException {
        int h = levels.level(key);
        if (h == 0 && run.inRange(key)) { // the last path still leads to the key's partition
            if (!run.merging()) {
                return putOnPath(key, value, h); // a partition of this transaction's: in place
            }
            if (run.follows(key)) {
                int r = run.put(key, value);
                if (r != SortedMerge.NOT_HANDLED) {
                    return merged(r);
                }
            }
        }
        settle();
        run.drop();
        top = Tree.top(txn);
        if (top < 0) {
            insertIntoEmptyLevels(key, value, h, 0, 0);
            bumpCount(1);
            return true;
        }
        if (h > 0) {
            descend(key, Rule.FLOOR, wPath);
            return putOnPath(key, value, h);
        }
        descend(key, Rule.FLOOR, mPath);
        run.set(wp, wj, top);
        MemorySegment p = Tree.partition(txn, wp[0]);
        int n = Partition.count(p);
        // Merge into a committed partition (it is copied anyway), or append to one of this
        // transaction's; a key between the nodes of an own partition goes in in place.
        if (!txn.owns(wp[0]) || n == 0 || Partition.compareKey(p, n - 1, key) < 0) {
            run.start(wp[0]);
            int r = run.put(key, value);
            if (r != SortedMerge.NOT_HANDLED) {
                return merged(r);
            }
            run.abandon();
        }
        ownLevel0();
        return putOnPath(key, value, h);
    }

    /** Whether the merge's answer {@code r} to a put made a new key (then counted). */
    private boolean merged(int r) {
        return r == SortedMerge.CHANGED && bumped(1);
    }

    private boolean bumped(long d) {
        bumpCount(d);
        return true;
    }

    private boolean putOnPath(MemorySegment key, MemorySegment value, int h) throws IOException {
        MemorySegment p = txn.write(wp[0]);
        int i = Partition.searchFromEnd(p, key);
        if (i >= 0) {
            update(p, i, key, value);
            return false;
        }
        if (h > 0) {
            run.drop(); // a key of a higher level splits partitions: the path no longer holds
        }
        insert(key, value, h, -i - 1);
        bumpCount(1);
        return true;
    }

    /**
     * Finishes the merge under way, if any ({@link SortedMerge#finish}): the merged partition
     * replaces the one on the path. Before every change the merge does not take, and before any
     * read of the transaction, which would otherwise not see the merged changes.
     */
    public void settle() throws IOException {
        if (!run.merging()) {
            return;
        }
        long old = run.source();
        long q = run.finish();
        wp[0] = q;
        if (q != 0) {
            repoint(0, wp, wj[0], old, q);
            return;
        }
        run.drop(); // the level's first partition emptied: the root moves to the next key's partition
        long up = top >= 1 ? txn.root(1) : 0;
        txn.setRoot(0, up == 0 ? 0 : Partition.down(Tree.partition(txn, up), 0));
    }

    /**
     * Deletes; returns true when the key was there. Touches nothing when it was not: one
     * descent, or none when the finger's partition holds the key's range.
     */
    public boolean delete(MemorySegment key) throws IOException {
        boolean removed = remove(key);
        spill();
        return removed;
    }

    private boolean remove(MemorySegment key) throws IOException {
        int h = levels.level(key);
        if (h == 0 && run.merging() && run.follows(key)) {
            return run.delete(key) == SortedMerge.CHANGED && bumped(-1);
        }
        if (run.merging() && run.inRange(key)) {
            settle(); // the key may be among the staged ones
        }
        if (Tree.get(txn, key) == null) {
            return false;
        }
        settle();
        run.drop();
        top = Tree.top(txn);
        if (h == 0) { // no partition joins: merge into the key's partition, without it
            descend(key, Rule.FLOOR, mPath);
            run.set(wp, wj, top);
            run.start(wp[0]);
            run.delete(key);
            return bumped(-1);
        }
        descend(key, Rule.FLOOR, wPath);
        descend(key, Rule.STRICT, sPath);
        for (int L = h; L >= 0; L--) {
            MemorySegment e = txn.write(wp[L]);
            int i = L == h ? Partition.search(e, key) : 0;
            if (i < 0 || Keys.compare(Partition.key(e, i), key) != 0) {
                throw new IllegalStateException("level " + L + " does not hold the key where the shape says");
            }
            if (L == 0) {
                NodeWrites.freeValue(txn, e, i);
            }
            PartitionEdits.remove(e, i);
            if (L < h && wp[L] != sp[L]) { // merge what remains into the left neighbour
                MemorySegment left = room(L, sp, sj, Partition.bytesOf(e, 0));
                PartitionEdits.moveTail(e, 0, left);
                txn.freeRun(wp[L], Partition.pages(e));
                wp[L] = 0;
            } else if (Partition.count(e) == 0) { // the level's first partition emptied
                txn.freeRun(wp[L], Partition.pages(e));
                wp[L] = 0;
                sp[L] = 0; // the same partition: gone, so nothing below repoints into it
                long up = L < Levels.MAX_LEVEL ? txn.root(L + 1) : 0;
                txn.setRoot(L, up == 0 ? 0 : Partition.down(Tree.partition(txn, up), 0));
            }
        }
        bumpCount(-1);
        return true;
    }

    // ---- insert --------------------------------------------------------------------------------

    /** Inserts x, which belongs at {@code ip0} in the path's partition of level 0. */
    private void insert(MemorySegment key, MemorySegment value, int h, int ip0) throws IOException {
        long down = 0;
        int upTo = Math.min(h, top);
        for (int L = 0; L <= upTo; L++) {
            MemorySegment p = txn.write(wp[L]);
            int ip = L == 0 ? ip0 : -Partition.search(p, key) - 1;
            boolean front = ip == 0; // P_L is the level's first partition and x is below all of it
            if (front && levels.level(Partition.key(p, 0)) > L) {
                down = newPartition(L, key, value, down, p, Partition.count(p)); // x alone, in front
                txn.setRoot(L, down);
                run.drop(); // the path's partition is no longer the level's first: its bounds changed
            } else if (L == h || front) {
                p = room(L, wp, wj, NodeWrites.size(inlineMax, L, key, value)); // x goes into P_L
                NodeWrites.insert(txn, inlineMax, p, ip, L, key, value, down);
                down = wp[L];
            } else {
                down = newPartition(L, key, value, down, p, ip); // x starts a partition: split P_L
                shrink(L);
            }
            if (L == h) {
                return;
            }
        }
        insertIntoEmptyLevels(key, value, h, top + 1, down);
    }

    /** A new partition of level L: x, then the nodes of {@code p} (if any) from {@code from} on, moved. */
    private long newPartition(int L, MemorySegment key, MemorySegment value, long down, MemorySegment p, int from)
            throws IOException {
        long need = Partition.headerBytes() + NodeWrites.size(inlineMax, L, key, value)
                + (p == null ? 0 : Partition.bytesOf(p, from));
        int n = Partition.pagesFor(pageSize, need);
        long q = txn.allocateRun(n);
        MemorySegment qs = txn.write(q);
        Partition.init(qs, L == 0 ? Partition.DATA : Partition.INDEX, L, n);
        NodeWrites.insert(txn, inlineMax, qs, 0, L, key, value, down);
        if (p != null) {
            PartitionEdits.moveTail(p, from, qs);
        }
        return q;
    }

    /** Levels {@code from..h} are empty: each gets a partition holding x alone. */
    private void insertIntoEmptyLevels(MemorySegment key, MemorySegment value, int h, int from, long down)
            throws IOException {
        for (int L = from; L <= h; L++) {
            down = newPartition(L, key, value, down, null, 0);
            txn.setRoot(L, down);
        }
    }

    private void update(MemorySegment p, int i, MemorySegment key, MemorySegment value) throws IOException {
        long vl = value.byteSize();
        if (!Partition.isOutOfLine(p, i) && vl <= inlineMax && Partition.valueLength(p, i) == vl) {
            MemorySegment.copy(value, 0, Partition.value(p, i), 0, vl); // same size: in place
            return;
        }
        NodeWrites.freeValue(txn, p, i);
        PartitionEdits.remove(p, i);
        p = room(0, wp, wj, NodeWrites.size(inlineMax, 0, key, value));
        NodeWrites.insert(txn, inlineMax, p, i, 0, key, value, 0);
        shrink(0); // a shorter value may have freed a page
    }

    private void bumpCount(long d) {
        txn.setRoot(Tree.ROOT_COUNT, txn.root(Tree.ROOT_COUNT) + d);
    }

    // ---- copy-on-write ---------------------------------------------------------------------------

    /**
     * The writable descent for {@code key} ({@link Tree#descend} by {@code rule}): touches the
     * path from the top to level 0 and records it in {@code path}'s arrays. {@link Rule#STRICT}
     * follows the last key <em>below</em> {@code key} on each level: the path of the left neighbours.
     */
    private void descend(MemorySegment key, Rule rule, Tree.Path<IOException> path) throws IOException {
        Tree.descend(txn, key, Partition.prefix(key), rule, path);
    }

    /** {@link Tree.Path#enter} of a writable descent: the partition made this transaction's, its references updated. */
    private MemorySegment enter(int L, long page, int j, long[] pages, int[] js) throws IOException {
        long own = touch(page);
        js[L] = j;
        pages[L] = own;
        repoint(L, pages, j, page, own);
        return txn.write(own);
    }

    /** {@link Tree.Path#enter} of level 0 on {@link #mPath}: recorded, not made the transaction's. */
    private MemorySegment reach(long page, int j) {
        wj[0] = j;
        wp[0] = page;
        return Tree.partition(txn, page);
    }

    /** Makes the path's partition of level 0, which {@link #mPath} left as it was, this transaction's. */
    private void ownLevel0() throws IOException {
        long page = wp[0];
        long own = touch(page);
        wp[0] = own;
        repoint(0, wp, wj[0], page, own);
    }

    /** Block {@code page} as a partition this transaction may write: itself, or a fresh copy. */
    private long touch(long page) throws IOException {
        if (txn.owns(page)) {
            return page;
        }
        MemorySegment old = Tree.partition(txn, page);
        int n = Partition.pagesFor(pageSize, Partition.headerBytes() + Partition.used(old));
        long copy = txn.allocateRun(n);
        PartitionEdits.copy(old, txn.write(copy), n);
        txn.freeRun(page, Partition.pages(old));
        return copy;
    }

    /**
     * The partition on path level {@code L} with at least {@code bytes} free (after compaction):
     * itself, or grown into a run of as many pages as it needs.
     */
    private MemorySegment room(int L, long[] pages, int[] js, long bytes) throws IOException {
        MemorySegment p = txn.write(pages[L]);
        if (Partition.freeAfterCompaction(p) >= bytes) {
            return p;
        }
        return relocate(L, pages, js, p, Partition.pagesFor(pageSize, Partition.headerBytes() + Partition.used(p) + bytes));
    }

    /** Moves the path's partition {@code p} of level {@code L} into a new run of {@code n} pages; returns it. */
    private MemorySegment relocate(int L, long[] pages, int[] js, MemorySegment p, int n) throws IOException {
        long moved = txn.allocateRun(n);
        MemorySegment m = txn.write(moved);
        PartitionEdits.copy(p, m, n);
        long old = pages[L];
        txn.freeRun(old, Partition.pages(p));
        pages[L] = moved;
        repoint(L, pages, js[L], old, moved);
        return m;
    }

    /**
     * The path's partition of level {@code L}, whose tail a split just moved away (or whose
     * value an update shortened), in the fewest pages that hold it: a copy when that saves a page. Without it the head kept the block it had
     * before the split, and a random fill's partitions left an eighth of their blocks unused (1 M
     * puts: fill 87 % against 94 % after a sequential one, whose splits move nothing).
     */
    private void shrink(int L) throws IOException {
        MemorySegment p = txn.write(wp[L]);
        int n = Partition.pagesFor(pageSize, Partition.headerBytes() + Partition.used(p));
        if (n < Partition.pages(p)) {
            relocate(L, wp, wj, p, n);
        }
    }

    /**
     * Points every reference to partition {@code old} of level {@code L} at {@code nu}: the root
     * word, and in the path's partition of level {@code L + 1} the down reference {@code j} and,
     * when it is the level's first partition, node 0's.
     */
    private void repoint(int L, long[] pages, int j, long old, long nu) {
        if (old == nu) {
            return;
        }
        if (txn.root(L) == old) {
            txn.setRoot(L, nu);
        }
        if (L < top && pages[L + 1] != 0) {
            MemorySegment up = txn.write(pages[L + 1]);
            if (j >= 0 && Partition.down(up, j) == old) {
                PartitionEdits.setDown(up, j, nu);
            }
            if (Partition.count(up) > 0 && Partition.down(up, 0) == old) {
                PartitionEdits.setDown(up, 0, nu);
            }
        }
    }
}
