package org.skipstore.pagestore.internal.bskip;

import java.io.IOException;
import java.lang.foreign.Arena;
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
 *       {@code ip} into a new partition {@code Q_L} that begins with x.</li>
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
 * <p>Each reference to a partition that moves (copy, growth) is updated by {@link #repoint}:
 * the root word, the down reference followed, and node 0 of the level above when the level's
 * first partition is also its first key's partition.
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
    private int top;
    /** Whether {@link #wp} and {@link #wj} hold a valid path of owned partitions (see {@link #fingerCovers}). */
    private boolean finger;
    /**
     * The keys that bound the finger's partition of level 0, copied when the finger is set (the
     * partitions they lie in may move): its first key ({@code lowLength == -1}: none, it is the
     * level's first partition) and the first key of the next partition ({@code highLength == -1}:
     * none). Appends to the partition change neither; a key of a higher level resets the finger.
     */
    private final MemorySegment low;
    private final MemorySegment high;
    private long lowLength;
    private long highLength;

    public TreeWriter(WriteTxn txn, Levels levels) {
        this(txn, levels, Arena.ofAuto().allocate(boundsBytes(txn.pageSize()))); // native, as every key it reads
    }

    /**
     * @param bounds room for the finger's two bound keys ({@link #boundsBytes}), native, which a
     *               store reuses for its write transactions, one at a time
     */
    public TreeWriter(WriteTxn txn, Levels levels, MemorySegment bounds) {
        this.txn = txn;
        this.levels = levels;
        this.pageSize = txn.pageSize();
        this.inlineMax = Tree.inlineMax(pageSize);
        long max = Tree.maxKeyBytes(pageSize);
        this.low = bounds.asSlice(0, max);
        this.high = bounds.asSlice(max, max);
    }

    /** Bytes of the {@code bounds} a writer for pages of {@code pageSize} needs. */
    public static long boundsBytes(int pageSize) {
        return 2L * Tree.maxKeyBytes(pageSize);
    }

    /** Inserts or replaces; returns true when the key was new. */
    public boolean put(MemorySegment key, MemorySegment value) throws IOException {
        int h = levels.level(key);
        if (h == 0 && fingerCovers(key)) { // the last path still leads to the key's partition
            return putOnPath(key, value, h);
        }
        finger = false;
        top = Tree.top(txn);
        if (top < 0) {
            insertIntoEmptyLevels(key, value, h, 0, 0);
            bumpCount(1);
            return true;
        }
        descend(key, Rule.FLOOR, wPath);
        setFinger();
        return putOnPath(key, value, h);
    }

    private boolean putOnPath(MemorySegment key, MemorySegment value, int h) throws IOException {
        MemorySegment p = txn.write(wp[0]);
        int i = Partition.searchFromEnd(p, key);
        if (i >= 0) {
            update(p, i, key, value);
            return false;
        }
        finger = h == 0; // a key of a higher level splits partitions: the path no longer holds
        insert(key, value, h, -i - 1);
        bumpCount(1);
        return true;
    }

    /**
     * Whether the path of the last put (all of it this transaction's, unchanged since) leads to
     * the partition of level 0 whose range holds {@code key}: at least the partition's first key
     * (or the partition is the level's first), and below the next partition's first key, which
     * is the key after the followed one on the lowest level above that has one. Appends in key
     * order take this path every time and skip the descent; the bounds are copies
     * ({@link #setFinger}), so the check reads no partition.
     */
    private boolean fingerCovers(MemorySegment key) {
        return finger
                && (lowLength < 0 || Keys.compare(low, 0, lowLength, key, 0, key.byteSize()) <= 0)
                && (highLength < 0 || Keys.compare(key, 0, key.byteSize(), high, 0, highLength) < 0);
    }

    /** After a descent: the path is the finger; copies its bounds ({@link #low}, {@link #high}). */
    private void setFinger() {
        lowLength = wp[0] == txn.root(0) ? -1 : copyKey(txn.write(wp[0]), 0, low);
        highLength = -1;
        for (int L = 1; L <= top; L++) {
            MemorySegment up = txn.write(wp[L]);
            int next = wj[L - 1] + 1;
            if (next < Partition.count(up)) {
                highLength = copyKey(up, next, high);
                break;
            }
        }
        finger = true;
    }

    private static long copyKey(MemorySegment p, int i, MemorySegment to) {
        MemorySegment k = Partition.key(p, i);
        MemorySegment.copy(k, 0, to, 0, k.byteSize());
        return k.byteSize();
    }

    /** Deletes; returns true when the key was there. Touches nothing when it was not. */
    public boolean delete(MemorySegment key) throws IOException {
        if (Tree.get(txn, key) == null) {
            return false;
        }
        finger = false;
        top = Tree.top(txn);
        int h = levels.level(key);
        descend(key, Rule.FLOOR, wPath);
        descend(key, Rule.STRICT, sPath);
        for (int L = h; L >= 0; L--) {
            MemorySegment e = txn.write(wp[L]);
            int i = L == h ? Partition.search(e, key) : 0;
            if (i < 0 || Keys.compare(Partition.key(e, i), key) != 0) {
                throw new IllegalStateException("level " + L + " does not hold the key where the shape says");
            }
            if (L == 0) {
                freeValue(e, i);
            }
            Partition.remove(e, i);
            if (L < h && wp[L] != sp[L]) { // merge what remains into the left neighbour
                MemorySegment left = room(L, sp, sj, Partition.bytesOf(e, 0));
                Partition.moveTail(e, 0, left);
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
                finger = false; // the path's partition is no longer the level's first: its bounds changed
            } else if (L == h || front) {
                p = room(L, wp, wj, nodeSize(L, key, value)); // x goes into P_L
                insertNode(p, ip, L, key, value, down);
                down = wp[L];
            } else {
                down = newPartition(L, key, value, down, p, ip); // x starts a partition: split P_L
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
        long need = Partition.headerBytes() + nodeSize(L, key, value) + (p == null ? 0 : Partition.bytesOf(p, from));
        int n = Tree.pagesFor(pageSize, need);
        long q = txn.allocateRun(n);
        MemorySegment qs = txn.write(q);
        Partition.init(qs, L == 0 ? Partition.DATA : Partition.INDEX, L, n);
        insertNode(qs, 0, L, key, value, down);
        if (p != null) {
            Partition.moveTail(p, from, qs);
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

    private long nodeSize(int L, MemorySegment key, MemorySegment value) {
        long kl = key.byteSize();
        if (L > 0) {
            return Partition.nodeSize(Partition.INDEX, kl, 0) + Partition.SLOT;
        }
        long vl = value.byteSize();
        return (vl > inlineMax ? Partition.outOfLineNodeSize(kl, vl) : Partition.nodeSize(Partition.DATA, kl, vl))
                + Partition.SLOT;
    }

    private void insertNode(MemorySegment p, int i, int L, MemorySegment key, MemorySegment value, long down)
            throws IOException {
        boolean ok;
        if (L > 0) {
            ok = Partition.insertIndex(p, i, key, down);
        } else if (value.byteSize() > inlineMax) {
            long vl = value.byteSize();
            long page = txn.allocateRun(Tree.valuePages(pageSize, vl));
            MemorySegment.copy(value, 0, txn.write(page), Tree.VALUE_OFFSET, vl);
            ok = Partition.insertOutOfLine(p, i, key, vl, page);
        } else {
            ok = Partition.insertData(p, i, key, value);
        }
        if (!ok) {
            throw new IllegalStateException("no room in a partition that was made room for");
        }
    }

    private void update(MemorySegment p, int i, MemorySegment key, MemorySegment value) throws IOException {
        long vl = value.byteSize();
        if (!Partition.isOutOfLine(p, i) && vl <= inlineMax && Partition.valueLength(p, i) == vl) {
            MemorySegment.copy(value, 0, Partition.value(p, i), 0, vl); // same size: in place
            return;
        }
        freeValue(p, i);
        Partition.remove(p, i);
        p = room(0, wp, wj, nodeSize(0, key, value));
        insertNode(p, i, 0, key, value, 0);
    }

    private void freeValue(MemorySegment p, int i) {
        if (Partition.isOutOfLine(p, i)) {
            txn.freeRun(Partition.outOfLinePage(p, i), Tree.valuePages(pageSize, Partition.valueLength(p, i)));
        }
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

    /** Block {@code page} as a partition this transaction may write: itself, or a fresh copy. */
    private long touch(long page) throws IOException {
        if (txn.owns(page)) {
            return page;
        }
        MemorySegment old = Tree.partition(txn, page);
        int n = Tree.pagesFor(pageSize, Partition.headerBytes() + Partition.used(old));
        long copy = txn.allocateRun(n);
        Partition.copy(old, txn.write(copy), n);
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
        int n = Tree.pagesFor(pageSize, Partition.headerBytes() + Partition.used(p) + bytes);
        long grown = txn.allocateRun(n);
        MemorySegment g = txn.write(grown);
        Partition.copy(p, g, n);
        long old = pages[L];
        txn.freeRun(old, Partition.pages(p));
        pages[L] = grown;
        repoint(L, pages, js[L], old, grown);
        return g;
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
                Partition.setDown(up, j, nu);
            }
            if (Partition.count(up) > 0 && Partition.down(up, 0) == old) {
                Partition.setDown(up, 0, nu);
            }
        }
    }
}
