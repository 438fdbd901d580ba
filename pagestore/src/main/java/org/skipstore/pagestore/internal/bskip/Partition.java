package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.COUNT;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.DOWN;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.DOWN_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.GARBAGE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.HEAP;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.KIND;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.LEVEL;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOTS;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_NODE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_PREFIX;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U32;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U64;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.VALUE_PAGE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.VALUE_PAGE_BYTES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import org.skipstore.core.Keys;
import org.skipstore.core.internal.KeyBytes;
import org.skipstore.pagestore.internal.PageSource;

/**
 * One partition of the B-skip-list: an allocator block holding the nodes of one level between
 * two keys of a higher level, sorted, as a slotted page.
 *
 * <pre>
 *  0   +------------------------------+
 *      | crc     u32  CRC32C of the rest of the block, set at commit
 *      | kind    u8   DATA or INDEX   |
 *      | level   u8   0..7            |
 *      | pages   u16  block size: a run of pages (what a free needs)
 *      | count   u32  nodes           |
 *      | heap    u32  first node byte |
 *      | garbage u32  dead node bytes |
 *  20  +------------------------------+
 *      | slot[0] .. slot[count-1]     |  in key order: u32 node offset, u64 key prefix
 *      |   (grows down the page)      |
 *      |          free space          |
 *      |   (grows up the page)        |
 *  heap+------------------------------+
 *      | nodes, in key order, node 0  |
 *      |   last: descending addresses |
 *  end +------------------------------+
 *
 *  index node:  varint keyLength | key | down (u64: first page of the partition below)
 *  data node:   varint keyLength | key | varint (valueLength << 1 | 0) | value          inline
 *               varint keyLength | key | varint (valueLength << 1 | 1) | u64 first page  out of line
 * </pre>
 * The fixed-size parts (header, slot, the u64 fields of nodes) are {@code MemoryLayout}s in
 * {@link PartitionFormat}, which derives every offset used here.
 *
 * <p>A value too large to sit among the nodes (see {@code Tree}) lives out of line, in a run of
 * pages of its own after the run's checksum ({@link Tree#VALUE_RUN}), whose size follows from its
 * length; the node keeps its first page.
 *
 * A slot keeps the first 8 bytes of its node's key (zero-padded, compared as an unsigned number):
 * the binary search reads the slots alone, which lie together in a few cache lines, and visits a
 * node only when a prefix ties, and to compare the final candidate; without them each probe
 * was a miss of its own in a large store. They cost 8 bytes a node.
 *
 * <p>The nodes lie in key order, node 0 at the block's end and each next one below it, so that a
 * scan walks addresses in one direction, which the hardware prefetcher follows (random inserts
 * appending to the heap left a miss per node), and a copy moves the heap in one piece. An insert
 * moves the nodes after it down ({@link #reserve}); removing leaves the node's bytes as garbage,
 * which {@link #compact} reclaims when an insert needs the room. All fields are little-endian; lengths
 * are unsigned LEB128 varints (one byte below 128). This class is a set of static functions over
 * the block's segment: it holds no state, so a partition costs no object.
 *
 * <p>Longer than 400 lines because it is the one place that keeps the block's invariant (slots in
 * key order, nodes below each other in the same order, heap and garbage counts exact): every
 * operation goes through the same private slot and node helpers, which a split would expose to
 * the whole package.
 */
public final class Partition {

    public static final byte DATA = 0;
    public static final byte INDEX = 1;

    /** The header's layout (all of the format: {@link PartitionFormat}). */
    public static final StructLayout HEADER = PartitionFormat.HEADER;
    /** Offset of the page count: {@link PageSource#block} reads it. */
    public static final long PAGES = PartitionFormat.PAGES;
    /** Bytes of a slot: the node's offset (u32), then its key's prefix (u64). */
    public static final long SLOT = SLOT_BYTES;

    private Partition() {
    }

    /**
     * Makes {@code block}, a run of {@code pages} pages, an empty partition. Blocks are at most
     * 2^31 bytes (slots are u32).
     */
    public static void init(MemorySegment block, byte kind, int level, int pages) {
        if (block.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a partition is at most 2 GiB: " + block.byteSize());
        }
        block.set(JAVA_BYTE, KIND, kind);
        block.set(JAVA_BYTE, LEVEL, (byte) level);
        block.set(PageSource.PAGES, PAGES, (short) pages);
        block.set(U32, COUNT, 0);
        block.set(U32, HEAP, (int) block.byteSize());
        block.set(U32, GARBAGE, 0);
    }

    public static byte kind(MemorySegment p) {
        return p.get(JAVA_BYTE, KIND);
    }

    public static int level(MemorySegment p) {
        return p.get(JAVA_BYTE, LEVEL);
    }

    /** The block's size in pages. */
    public static int pages(MemorySegment p) {
        return Short.toUnsignedInt(p.get(PageSource.PAGES, PAGES));
    }

    public static int count(MemorySegment p) {
        return p.get(U32, COUNT);
    }

    private static long heap(MemorySegment p) {
        return Integer.toUnsignedLong(p.get(U32, HEAP));
    }

    /** Offset of slot {@code i}. */
    private static long slot(int i) {
        return SLOTS + SLOT_BYTES * i;
    }

    private static long node(MemorySegment p, int i) {
        return Integer.toUnsignedLong(p.get(U32, slot(i) + SLOT_NODE));
    }

    /** The key prefix kept in slot {@code i} ({@link #prefix} of node {@code i}'s key). */
    public static long slotPrefix(MemorySegment p, int i) {
        return p.get(U64, slot(i) + SLOT_PREFIX);
    }

    private static void setSlot(MemorySegment p, int i, long offset, long prefix) {
        p.set(U32, slot(i) + SLOT_NODE, (int) offset);
        p.set(U64, slot(i) + SLOT_PREFIX, prefix);
    }

    /**
     * Null when the nodes lie in the heap in key order, node 0 highest, none overlapping the next
     * or running past the block; otherwise what is wrong (for the structural check).
     */
    public static String layoutError(MemorySegment p) {
        long limit = p.byteSize();
        for (int i = 0; i < count(p); i++) {
            long at = node(p, i);
            if (at < heap(p) || at + nodeBytes(p, i) > limit) {
                return "node " + i + " at " + at + " is not below node " + (i - 1) + " at " + limit
                        + " and in the heap from " + heap(p);
            }
            limit = at;
        }
        return null;
    }

    /** Bytes between the slots and the heap. */
    public static long free(MemorySegment p) {
        return heap(p) - slot(count(p));
    }

    /** Bytes an insert may use after a {@link #compact}. */
    public static long freeAfterCompaction(MemorySegment p) {
        return free(p) + Integer.toUnsignedLong(p.get(U32, GARBAGE));
    }

    /** Bytes the nodes and slots use: what a copy into a new block needs, beyond the header. */
    public static long used(MemorySegment p) {
        return p.byteSize() - SLOTS - freeAfterCompaction(p);
    }

    // ---- nodes -------------------------------------------------------------------------------

    /** Bytes of an index node, or of a data node with its value inline. */
    public static long nodeSize(byte kind, long keyLength, long valueLength) {
        return Varint.size(keyLength) + keyLength
                + (kind == INDEX ? DOWN_BYTES : Varint.size(valueLength << 1) + valueLength);
    }

    /** Bytes of a data node whose value of {@code valueLength} bytes lives out of line. */
    public static long outOfLineNodeSize(long keyLength, long valueLength) {
        return Varint.size(keyLength) + keyLength + Varint.size(valueLength << 1 | 1) + VALUE_PAGE_BYTES;
    }

    /** The key of node {@code i}, a slice of the block. */
    public static MemorySegment key(MemorySegment p, int i) {
        long at = node(p, i);
        long len = Varint.read(p, at);
        return p.asSlice(at + Varint.size(len), len);
    }

    /** Copies the key of node {@code i} into {@code dst} (as much as fits); returns its length. No slice is made. */
    public static long copyKey(MemorySegment p, int i, MemorySegment dst) {
        long at = node(p, i);
        long len = Varint.read(p, at);
        MemorySegment.copy(p, at + Varint.size(len), dst, 0, Math.min(len, dst.byteSize()));
        return len;
    }

    /** Offset of data node {@code i}'s value field (the varint before the value). */
    private static long valueField(MemorySegment p, int i) {
        long at = node(p, i);
        long kl = Varint.read(p, at);
        return at + Varint.size(kl) + kl;
    }

    /** Whether data node {@code i}'s value lives out of line ({@link #outOfLinePage}). */
    public static boolean isOutOfLine(MemorySegment p, int i) {
        return (Varint.read(p, valueField(p, i)) & 1) != 0;
    }

    /** The value length of data node {@code i}, inline or not. */
    public static long valueLength(MemorySegment p, int i) {
        return Varint.read(p, valueField(p, i)) >>> 1;
    }

    /** The value of data node {@code i}, inline: a slice of the block. */
    public static MemorySegment value(MemorySegment p, int i) {
        MemorySegment v = inlineValue(p, i);
        if (v == null) {
            throw new IllegalStateException("the value of node " + i + " lives out of line");
        }
        return v;
    }

    /** The value of data node {@code i} when it is inline (a slice of the block), else null. */
    public static MemorySegment inlineValue(MemorySegment p, int i) {
        long at = valueField(p, i);
        long f = Varint.read(p, at);
        return (f & 1) != 0 ? null : p.asSlice(at + Varint.size(f), f >>> 1);
    }

    /** The first page of data node {@code i}'s out-of-line value. */
    public static long outOfLinePage(MemorySegment p, int i) {
        long at = valueField(p, i);
        long f = Varint.read(p, at);
        if ((f & 1) == 0) {
            throw new IllegalStateException("the value of node " + i + " is inline");
        }
        return p.get(VALUE_PAGE, at + Varint.size(f));
    }


    /** The down reference of index node {@code i}. */
    public static long down(MemorySegment p, int i) {
        long at = node(p, i);
        long kl = Varint.read(p, at);
        return p.get(DOWN, at + Varint.size(kl) + kl);
    }

    /** Rewrites the down reference of index node {@code i} (the block must be the writer's). */
    public static void setDown(MemorySegment p, int i, long down) {
        long at = node(p, i);
        long kl = Varint.read(p, at);
        p.set(DOWN, at + Varint.size(kl) + kl, down);
    }

    /**
     * Binary search: the index of {@code key}, or {@code -(insertion point) - 1}, in unsigned
     * byte order. Compares in place: no slice per probe.
     */
    public static int search(MemorySegment p, MemorySegment key) {
        return search(p, key, prefix(key));
    }

    /**
     * {@link #search}, first trying the end: a key above the last one (an append, the common case
     * of sequential and time-ordered inserts) is answered from the last slot's prefix, or one
     * node, without the binary search.
     */
    public static int searchFromEnd(MemorySegment p, MemorySegment key) {
        int n = count(p);
        long kp = prefix(key);
        if (n > 0) {
            int c = Long.compareUnsigned(slotPrefix(p, n - 1), kp);
            if (c == 0) {
                c = compareKey(p, n - 1, key);
            }
            if (c < 0) {
                return -(n + 1);
            }
        }
        return search(p, key, kp);
    }

    /** The first 8 bytes of {@code key} as an unsigned number, what {@link #search} compares first. */
    public static long prefix(MemorySegment key) {
        return KeyBytes.prefix(key);
    }

    /** {@link #search} with the key's {@link #prefix} computed once, for a search down the levels. */
    public static int search(MemorySegment p, MemorySegment key, long kp) {
        int lo = 0;
        int hi = count(p) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            // The first 8 bytes, kept in the slot, decide most comparisons without the node.
            int c = Long.compareUnsigned(slotPrefix(p, mid), kp);
            if (c == 0) {
                c = compareKey(p, mid, key);
            }
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Node {@code i}'s key compared with {@code key}, in place: no slice. */
    static int compareKey(MemorySegment p, int i, MemorySegment key) {
        long at = node(p, i);
        long len = Varint.read(p, at);
        return Keys.compare(p, at + Varint.size(len), len, key, 0, key.byteSize());
    }



    /**
     * Inserts a data node at index {@code i} (the caller found it with {@link #search}); false
     * when the partition has no room even after compaction.
     */
    public static boolean insertData(MemorySegment p, int i, MemorySegment key, MemorySegment value) {
        long size = nodeSize(DATA, key.byteSize(), value.byteSize());
        long at = reserve(p, i, size, prefix(key));
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
        long at = reserve(p, i, outOfLineNodeSize(key.byteSize(), valueLength), prefix(key));
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
        long at = reserve(p, i, size, prefix(key));
        if (at < 0) {
            return false;
        }
        at = Varint.write(p, at, key.byteSize());
        MemorySegment.copy(key, 0, p, at, key.byteSize());
        p.set(DOWN, at + key.byteSize(), down);
        return true;
    }

    /**
     * Opens slot {@code i} for a node of {@code size} bytes whose key has {@code prefix}; returns
     * its offset, or -1.
     *
     * <p>The node goes where key order puts it: just below node {@code i - 1} (at the block's end
     * for {@code i == 0}). Nodes {@code i..count-1}, which lie below, and any garbage among them
     * move down by {@code size}, and their slots with them. An append ({@code i == count}, as
     * sequential inserts make) moves nothing but garbage; a random insert moves half the heap on
     * average, a memmove of a kilobyte or two, cheaper than the cache miss per node that a scan
     * of a partition out of order pays, and the reason copy-on-write can copy a partition in one
     * piece.
     */
    private static long reserve(MemorySegment p, int i, long size, long prefix) {
        int n = count(p);
        if (i < 0 || i > n) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + n);
        }
        if (free(p) < size + SLOT) {
            if (freeAfterCompaction(p) < size + SLOT) {
                return -1;
            }
            compact(p);
        }
        long heap = heap(p);
        long limit = i == 0 ? p.byteSize() : node(p, i - 1);
        long at = limit - size;
        MemorySegment.copy(p, heap, p, heap - size, limit - heap); // nodes i.. move down
        for (int k = i; k < n; k++) {
            p.set(U32, slot(k) + SLOT_NODE, (int) (node(p, k) - size));
        }
        MemorySegment.copy(p, slot(i), p, slot(i + 1), SLOT_BYTES * (n - i)); // shift slots up
        setSlot(p, i, at, prefix);
        p.set(U32, HEAP, (int) (heap - size));
        p.set(U32, COUNT, n + 1);
        return at;
    }

    /** Removes node {@code i}; its bytes become garbage. */
    public static void remove(MemorySegment p, int i) {
        int n = count(p);
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + n);
        }
        long size = nodeBytes(p, i);
        MemorySegment.copy(p, slot(i + 1), p, slot(i), SLOT_BYTES * (n - i - 1));
        p.set(U32, COUNT, n - 1);
        p.set(U32, GARBAGE, (int) (Integer.toUnsignedLong(p.get(U32, GARBAGE)) + size));
    }

    /** Bytes of node {@code i}. */
    private static long nodeBytes(MemorySegment p, int i) {
        return nodeBytesAt(p, node(p, i), kind(p));
    }

    /** Bytes of the node of kind {@code kind} at offset {@code at} of {@code s}. */
    private static long nodeBytesAt(MemorySegment s, long at, byte kind) {
        long kl = Varint.read(s, at);
        if (kind == INDEX) {
            return Varint.size(kl) + kl + DOWN_BYTES;
        }
        long f = Varint.read(s, at + Varint.size(kl) + kl);
        return Varint.size(kl) + kl + Varint.size(f) + ((f & 1) != 0 ? VALUE_PAGE_BYTES : f >>> 1);
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
            p.set(U32, slot(i) + SLOT_NODE, (int) top); // the prefix stays
        }
        p.set(U32, HEAP, (int) top);
        p.set(U32, GARBAGE, 0);
    }

    /**
     * Moves nodes {@code [from, count)} of {@code src} to the end of {@code dst} (same kind and
     * level), in order, and removes them from {@code src}: the split that makes a key start its
     * own partition (into an empty {@code dst}), and the merge into a left neighbour (from 0).
     * {@code dst} must have room ({@link #bytesOf} the moved nodes).
     */
    public static void moveTail(MemorySegment src, int from, MemorySegment dst) {
        int n = count(src);
        int d = count(dst);
        for (int i = from; i < n; i++) {
            long size = nodeBytes(src, i);
            long at = reserve(dst, d + i - from, size, slotPrefix(src, i));
            if (at < 0) {
                throw new IllegalStateException("the target partition has no room for the moved nodes");
            }
            MemorySegment.copy(src, node(src, i), dst, at, size);
        }
        for (int i = n - 1; i >= from; i--) {
            remove(src, i);
        }
    }

    /**
     * Copies nodes {@code [from, to)} of {@code src} to the end of {@code dst} (same kind), in
     * order, leaving {@code src} as it is (it may be a committed block): the batched merge's
     * step. Every copied key must sort after {@code dst}'s last one; {@code dst} must have room
     * ({@link #bytesOf(MemorySegment, int, int)}).
     */
    public static void appendCopies(MemorySegment src, int from, int to, MemorySegment dst) {
        int d = count(dst);
        for (int i = from; i < to; i++) {
            long size = nodeBytes(src, i);
            long at = reserve(dst, d++, size, slotPrefix(src, i)); // an append: moves nothing
            if (at < 0) {
                throw new IllegalStateException("the target partition has no room for the copied nodes");
            }
            MemorySegment.copy(src, node(src, i), dst, at, size);
        }
    }

    /** Bytes that nodes {@code [from, count)} need in another partition (slots included). */
    public static long bytesOf(MemorySegment p, int from) {
        return bytesOf(p, from, count(p));
    }

    /** Bytes that nodes {@code [from, to)} need in another partition (slots included). */
    public static long bytesOf(MemorySegment p, int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += nodeBytes(p, i) + SLOT;
        }
        return total;
    }

    /**
     * Copies the whole partition {@code src} into the larger or smaller block {@code dst} of
     * {@code pages} pages, compacted: the copy that copy-on-write and growth make.
     */
    public static void copy(MemorySegment src, MemorySegment dst, int pages) {
        if (SLOTS + used(src) > dst.byteSize()) {
            throw new IllegalArgumentException("a block of " + dst.byteSize() + " bytes cannot hold "
                    + (SLOTS + used(src)));
        }
        int n = count(src);
        long heap = heap(src);
        long heapBytes = src.byteSize() - heap;
        init(dst, kind(src), level(src), pages);
        if (slot(n) + heapBytes > dst.byteSize()) { // the garbage does not fit: node by node
            copyNodeByNode(src, dst);
            return;
        }
        // Bulk: the heap as it is, garbage included, and the slots moved by the heap's shift.
        long newHeap = dst.byteSize() - heapBytes;
        MemorySegment.copy(src, heap, dst, newHeap, heapBytes);
        long shift = newHeap - heap;
        for (int i = 0; i < n; i++) {
            setSlot(dst, i, node(src, i) + shift, slotPrefix(src, i));
        }
        dst.set(U32, HEAP, (int) newHeap);
        dst.set(U32, COUNT, n);
        dst.set(U32, GARBAGE, src.get(U32, GARBAGE));
    }


    private static void copyNodeByNode(MemorySegment src, MemorySegment dst) {
        int n = count(src);
        long top = dst.byteSize();
        for (int i = 0; i < n; i++) {
            long size = nodeBytes(src, i);
            top -= size;
            MemorySegment.copy(src, node(src, i), dst, top, size);
            setSlot(dst, i, top, slotPrefix(src, i));
        }
        dst.set(U32, HEAP, (int) top);
        dst.set(U32, COUNT, n);
    }

    /** Header bytes of every partition. */
    public static long headerBytes() {
        return SLOTS;
    }
}
