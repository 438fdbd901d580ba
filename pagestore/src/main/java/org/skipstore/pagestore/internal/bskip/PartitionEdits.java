package org.skipstore.pagestore.internal.bskip;

import static org.skipstore.pagestore.internal.bskip.Partition.*;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.COUNT;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.DOWN;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.GARBAGE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.HEAP;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U32;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.VALUE_PAGE;

import java.lang.foreign.MemorySegment;

/**
 * The changes to a partition's block ({@link Partition} draws it and reads it): inserts, removes,
 * compaction, the split's and the merge's moves, copies, and the upkeep of the shared prefix and
 * the heads that every insert, move and copy does. Each keeps the block's invariant that
 * {@link Partition#layoutError} checks: slots in key order with their heads, nodes below each
 * other in the same order, every key starting with the shared prefix, heap and garbage counts
 * exact. Static functions over the block's segment, as {@link Partition}'s.
 */
public final class PartitionEdits {

    private PartitionEdits() {
    }

    /** Rewrites the down reference of index node {@code i} (the block must be the writer's). */
    public static void setDown(MemorySegment p, int i, long down) {
        long at = node(p, i);
        long kl = Varint.read(p, at);
        p.set(DOWN, at + Varint.size(kl) + kl, down);
    }


    /**
     * Inserts a data node at index {@code i} (the caller found it with {@link Partition#search}); false
     * when the partition has no room even after compaction.
     */
    public static boolean insertData(MemorySegment p, int i, MemorySegment key, MemorySegment value) {
        long size = nodeSize(DATA, key.byteSize(), value.byteSize());
        long at = reserve(p, i, size, key, 0, key.byteSize());
        if (at < 0) {
            return false;
        }
        at = Varint.write(p, at, key.byteSize());
        MemorySegment.copy(key, 0, p, at, key.byteSize());
        at = Varint.write(p, at + key.byteSize(), value.byteSize() << 1);
        MemorySegment.copy(value, 0, p, at, value.byteSize());
        return true;
    }

    /**
     * Inserts a data node at index {@code i} whose value of {@code valueLength} bytes lives out of
     * line, from {@code page}; false when there is no room.
     */
    public static boolean insertOutOfLine(MemorySegment p, int i, MemorySegment key, long valueLength, long page) {
        long at = reserve(p, i, outOfLineNodeSize(key.byteSize(), valueLength), key, 0, key.byteSize());
        if (at < 0) {
            return false;
        }
        at = Varint.write(p, at, key.byteSize());
        MemorySegment.copy(key, 0, p, at, key.byteSize());
        at = Varint.write(p, at + key.byteSize(), valueLength << 1 | 1);
        p.set(VALUE_PAGE, at, page);
        return true;
    }

    /** Inserts an index node at index {@code i}; false when there is no room. */
    public static boolean insertIndex(MemorySegment p, int i, MemorySegment key, long down) {
        long size = nodeSize(INDEX, key.byteSize(), 0);
        long at = reserve(p, i, size, key, 0, key.byteSize());
        if (at < 0) {
            return false;
        }
        at = Varint.write(p, at, key.byteSize());
        MemorySegment.copy(key, 0, p, at, key.byteSize());
        p.set(DOWN, at + key.byteSize(), down);
        return true;
    }

    /**
     * Opens slot {@code i} for a node of {@code size} bytes whose key is the {@code kl} bytes at
     * {@code ko} of {@code ks}; returns its offset, or -1.
     *
     * <p>The node goes where key order puts it: just below node {@code i - 1} (at the block's end
     * for {@code i == 0}). Nodes {@code i..count-1}, which lie below, and any garbage among them
     * move down by {@code size}, and their slots with them. An append ({@code i == count}, as
     * sequential inserts make) moves nothing but garbage; a random insert moves half the heap on
     * average, a memmove of a kilobyte or two, cheaper than the cache miss per node that a scan
     * of a partition out of order pays, and the reason copy-on-write can copy a partition in one
     * piece. The shared prefix shortens first if the key does not start with it ({@link #share}).
     */
    private static long reserve(MemorySegment p, int i, long size, MemorySegment ks, long ko, long kl) {
        int n = count(p);
        if (i < 0 || i > n) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + n);
        }
        long slotBytes = slotBytes(p);
        if (gap(p) < size + slotBytes) {
            if (gap(p) + Integer.toUnsignedLong(p.get(U32, GARBAGE)) < size + slotBytes) {
                return -1;
            }
            compact(p);
        }
        share(p, ks, ko, kl);
        long heap = heap(p);
        long limit = i == 0 ? p.byteSize() : node(p, i - 1);
        long at = limit - size;
        MemorySegment.copy(p, heap, p, heap - size, limit - heap); // nodes i.. move down
        for (int k = i; k < n; k++) {
            setNode(p, k, node(p, k) - size);
        }
        MemorySegment.copy(p, slot(p, i), p, slot(p, i + 1), slotBytes * (n - i)); // shift slots up
        setSlot(p, i, at, head(ks, ko, kl, shared(p)));
        p.set(U32, HEAP, (int) (heap - size));
        p.set(U32, COUNT, n + 1);
        return at;
    }

    /**
     * Makes the shared prefix one that the key of {@code kl} bytes at {@code ko} of {@code ks}
     * starts with too: in an empty partition the whole key; otherwise the prefix shortened to what
     * the key shares with it, every head rewritten (rare: the prefix only shortens, and keys that
     * belong in a partition share most of it).
     */
    private static void share(MemorySegment p, MemorySegment ks, long ko, long kl) {
        if (count(p) == 0) {
            int s = (int) Math.min(kl, MAX_SHARED);
            setShared(p, s, fenceOf(ks, ko, kl, s));
            return;
        }
        int s = shared(p);
        long k0 = keyAt(p, 0);
        long m = MemorySegment.mismatch(ks, ko, ko + Math.min(kl, s), p, k0, k0 + s);
        if (m >= 0 && m < s) {
            reshare(p, (int) m);
        }
    }

    /** Sets the shared prefix of the non-empty {@code p} to the first {@code s} bytes of its keys, and every head. */
    private static void reshare(MemorySegment p, int s) {
        long k0 = keyAt(p, 0);
        setShared(p, s, fenceOf(p, k0, keyLength(p, 0), s));
        for (int i = 0, n = count(p); i < n; i++) {
            long at = node(p, i);
            long len = Varint.read(p, at);
            setSlot(p, i, at, head(p, at + Varint.size(len), len, s));
        }
    }

    /**
     * Lengthens the shared prefix to all that the keys share (that of the first and the last, the
     * keys being sorted) when it is shorter: after a copy or a move, whose keys may share more
     * than those of the partition they came from.
     */
    private static void reshare(MemorySegment p) {
        int n = count(p);
        if (n == 0) {
            return;
        }
        long k0 = keyAt(p, 0);
        long kn = keyAt(p, n - 1);
        long l = Math.min(Math.min(keyLength(p, 0), keyLength(p, n - 1)), MAX_SHARED);
        long m = MemorySegment.mismatch(p, k0, k0 + l, p, kn, kn + l);
        int s = (int) (m < 0 ? l : m);
        if (s > shared(p)) {
            reshare(p, s);
        }
    }

    /** Removes node {@code i}; its bytes become garbage. */
    public static void remove(MemorySegment p, int i) {
        int n = count(p);
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + n);
        }
        long size = nodeBytes(p, i);
        MemorySegment.copy(p, slot(p, i + 1), p, slot(p, i), slotBytes(p) * (n - i - 1));
        p.set(U32, COUNT, n - 1);
        p.set(U32, GARBAGE, (int) (Integer.toUnsignedLong(p.get(U32, GARBAGE)) + size));
    }

    /**
     * Packs the nodes at the end of the block again, in key order, dropping garbage. In place:
     * node 0 first, each node moves up (toward the end) or stays, so no node is overwritten
     * before it has moved.
     */
    public static void compact(MemorySegment p) {
        int n = count(p);
        long top = p.byteSize();
        byte kind = kind(p);
        for (int i = 0; i < n; i++) {
            long at = node(p, i);
            long size = nodeBytesAt(p, at, kind);
            top -= size;
            MemorySegment.copy(p, at, p, top, size); // overlapping ranges copy as memmove does
            setNode(p, i, top); // the head stays
        }
        p.set(U32, HEAP, (int) top);
        p.set(U32, GARBAGE, 0);
    }

    /**
     * Moves nodes {@code [from, count)} of {@code src} to the end of {@code dst} (same kind and
     * level), in order, and removes them from {@code src}: the split that makes a key start its
     * own partition (into an empty {@code dst}), and the merge into a left neighbour (from 0).
     * {@code dst} must have room ({@link Partition#bytesOf} the moved nodes).
     */
    public static void moveTail(MemorySegment src, int from, MemorySegment dst) {
        int n = count(src);
        int d = count(dst);
        for (int i = from; i < n; i++) {
            long size = nodeBytes(src, i);
            long at = reserve(dst, d + i - from, size, src, keyAt(src, i), keyLength(src, i));
            if (at < 0) {
                throw new IllegalStateException("the target partition has no room for the moved nodes");
            }
            MemorySegment.copy(src, node(src, i), dst, at, size);
        }
        for (int i = n - 1; i >= from; i--) {
            remove(src, i);
        }
        reshare(src);
        reshare(dst);
    }

    /**
     * Copies nodes {@code [from, to)} of {@code src} to the end of {@code dst} (same kind), in
     * order, leaving {@code src} as it is (it may be a committed block): the batched merge's
     * step. Every copied key must sort after {@code dst}'s last one; {@code dst} must have room
     * ({@link Partition#bytesOf(MemorySegment, int, int)}).
     */
    public static void appendCopies(MemorySegment src, int from, int to, MemorySegment dst) {
        int d = count(dst);
        for (int i = from; i < to; i++) {
            long size = nodeBytes(src, i);
            long at = reserve(dst, d++, size, src, keyAt(src, i), keyLength(src, i)); // an append: moves nothing
            if (at < 0) {
                throw new IllegalStateException("the target partition has no room for the copied nodes");
            }
            MemorySegment.copy(src, node(src, i), dst, at, size);
        }
    }

    /**
     * Copies the whole partition {@code src} into the larger or smaller block {@code dst} of
     * {@code pages} pages, compacted: the copy that copy-on-write and growth make. The copy's
     * shared prefix is all that its keys share ({@link #reshare}).
     */
    public static void copy(MemorySegment src, MemorySegment dst, int pages) {
        if (src.asOverlappingSlice(dst).isPresent()) {
            throw new IllegalArgumentException("a partition cannot be copied into a block that overlaps it");
        }
        int n = count(src);
        long nodes = src.byteSize() - heap(src) - Integer.toUnsignedLong(src.get(U32, GARBAGE));
        long heapBytes = src.byteSize() - heap(src);
        init(dst, kind(src), level(src), pages);
        if (slot(dst, n) + nodes > dst.byteSize()) {
            throw new IllegalArgumentException("a block of " + dst.byteSize() + " bytes cannot hold "
                    + (slot(dst, n) + nodes));
        }
        setShared(dst, shared(src), fence(src));
        if (slot(dst, n) + heapBytes > dst.byteSize()) { // the garbage does not fit: node by node
            copyNodeByNode(src, dst);
        } else { // bulk: the heap as it is, garbage included, and the slots moved by the heap's shift
            long newHeap = dst.byteSize() - heapBytes;
            MemorySegment.copy(src, heap(src), dst, newHeap, heapBytes);
            long shift = newHeap - heap(src);
            for (int i = 0; i < n; i++) {
                setSlot(dst, i, node(src, i) + shift, slotHead(src, i));
            }
            dst.set(U32, HEAP, (int) newHeap);
            dst.set(U32, COUNT, n);
            dst.set(U32, GARBAGE, src.get(U32, GARBAGE));
        }
        reshare(dst);
    }

    private static void copyNodeByNode(MemorySegment src, MemorySegment dst) {
        int n = count(src);
        long top = dst.byteSize();
        for (int i = 0; i < n; i++) {
            long size = nodeBytes(src, i);
            top -= size;
            MemorySegment.copy(src, node(src, i), dst, top, size);
            setSlot(dst, i, top, slotHead(src, i));
        }
        dst.set(U32, HEAP, (int) top);
        dst.set(U32, COUNT, n);
    }
}
