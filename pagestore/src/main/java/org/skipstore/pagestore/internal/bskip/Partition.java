package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.COUNT;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.DOWN;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.DOWN_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.FENCE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.GARBAGE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.HEAP;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.KIND;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.LEVEL;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.NARROW_BLOCK;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SHARED;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOTS;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_HEAD;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_NODE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U16;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U32;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U64;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.VALUE_PAGE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.VALUE_PAGE_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.WIDE_SLOT_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.WIDE_SLOT_HEAD;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.WIDE_SLOT_NODE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 *      | shared  u16  bytes every key of the partition starts with (its shared prefix)
 *      | fence   u64  the shared prefix's first 8 bytes, big-endian, zero past its length
 *  30  +------------------------------+
 *      | slot[0] .. slot[count-1]     |  in key order: u16 node offset, u16 key head
 *      |   (grows down the page)      |  (u32 offset in blocks over 64 KiB)
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
 * The fixed-size parts (header, slots, the u64 fields of nodes) are {@code MemoryLayout}s in
 * {@link PartitionFormat}, which derives every offset used here.
 *
 * <p>A value too large to sit among the nodes (see {@code Tree}) lives out of line, in a run of
 * pages of its own after the run's checksum ({@link Tree#VALUE_RUN}), whose size follows from its
 * length; the node keeps its first page.
 *
 * <h2>Heads: the search reads the slots</h2>
 * The keys of a partition lie between two keys of a higher level, so they share a prefix, and
 * keys that users make (counters, timestamps, "customer-1234") share most of it: the header keeps
 * its length ({@code shared}, at most the shortest key) and first 8 bytes ({@code fence}), and a
 * slot keeps the two bytes of its key that follow it (its head, zero past the key's end). A
 * search first places the key against the shared prefix (the fence, and node 0's key only for
 * a prefix longer than 8 bytes): below or above every key, or sharing it; then a binary search
 * compares heads, which lie together in a few cache lines, and reads a node only when its head
 * ties. Keys stay whole in the nodes, so a key is a slice of the block (zero-copy), and the
 * shared prefix may be any common prefix: an insert that does not share it shortens it
 * (rewriting the heads), a copy lengthens it to what its keys share
 * ({@link PartitionEdits}). A slot is 4 bytes, where the u32 offset and u64 key prefix of format 4
 * took 12: over 16-byte keys and 100-byte values, 6 % of the file.
 *
 * <p>The nodes lie in key order, node 0 at the block's end and each next one below it, so that a
 * scan walks addresses in one direction, which the hardware prefetcher follows (random inserts
 * appending to the heap left a miss per node), and a copy moves the heap in one piece. An insert
 * moves the nodes after it down; removing leaves the node's bytes as garbage,
 * which {@link PartitionEdits#compact} reclaims when an insert needs the room. All fields are little-endian; lengths
 * are unsigned LEB128 varints (one byte below 128). This class is a set of static functions over
 * the block's segment: it holds no state, so a partition costs no object.
 *
 * <p>Room is counted in 4-byte slots everywhere outside this class ({@link #SLOT}, {@link #used},
 * {@link #freeAfterCompaction}): a block over 64 KiB has 6-byte slots, and {@link #pagesFor}
 * sizes such blocks for them.
 *
 * <p>This class draws and reads the block; {@link PartitionEdits} changes it. Longer than 400
 * lines because the reads and the search share the slot, node and shared-prefix helpers that
 * the edits use too (package-private here, so the format's arithmetic lives in one file).
 */
public final class Partition {

    public static final byte DATA = 0;
    public static final byte INDEX = 1;

    /** The header's layout (all of the format: {@link PartitionFormat}). */
    public static final StructLayout HEADER = PartitionFormat.HEADER;
    /** Offset of the page count: {@link PageSource#block} reads it. */
    public static final long PAGES = PartitionFormat.PAGES;
    /** Bytes of a slot, as room is counted: the node's offset (u16), then its key's head (u16). */
    public static final long SLOT = SLOT_BYTES;
    /** The longest shared prefix the header records. */
    static final int MAX_SHARED = 0xFFFF;

    private Partition() {
    }

    /**
     * Makes {@code block}, a run of {@code pages} pages, an empty partition. Blocks are at most
     * 2^31 bytes (wide slots are u32).
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
        setShared(block, 0, 0);
    }

    public static byte kind(MemorySegment p) {
        return p.get(JAVA_BYTE, KIND);
    }

    public static int level(MemorySegment p) {
        return p.get(JAVA_BYTE, LEVEL);
    }

    /** The block size in pages. */
    public static int pages(MemorySegment p) {
        return Short.toUnsignedInt(p.get(PageSource.PAGES, PAGES));
    }

    public static int count(MemorySegment p) {
        return p.get(U32, COUNT);
    }

    static long heap(MemorySegment p) {
        return Integer.toUnsignedLong(p.get(U32, HEAP));
    }

    /** Bytes every key of the partition starts with (meaningless while it is empty). */
    public static int shared(MemorySegment p) {
        return Short.toUnsignedInt(p.get(U16, SHARED));
    }

    /** The first 8 bytes of the shared prefix, as {@link #prefix} reads a key, zero past its length. */
    public static long fence(MemorySegment p) {
        return p.get(U64, FENCE);
    }

    static void setShared(MemorySegment p, int shared, long fence) {
        p.set(U16, SHARED, (short) shared);
        p.set(U64, FENCE, fence);
    }

    /** Whether the block's slots are wide (u32 offsets): a block over 64 KiB. Read off the segment, not the block. */
    static boolean wide(MemorySegment p) {
        return p.byteSize() > NARROW_BLOCK;
    }

    static long slotBytes(MemorySegment p) {
        return wide(p) ? WIDE_SLOT_BYTES : SLOT_BYTES;
    }

    /** Offset of slot {@code i}. */
    static long slot(MemorySegment p, int i) {
        return SLOTS + slotBytes(p) * i;
    }

    static long node(MemorySegment p, int i) {
        if (wide(p)) {
            return Integer.toUnsignedLong(p.get(U32, SLOTS + WIDE_SLOT_BYTES * i + WIDE_SLOT_NODE));
        }
        return Short.toUnsignedInt(p.get(U16, SLOTS + SLOT_BYTES * i + SLOT_NODE));
    }

    /** The head kept in slot {@code i}: {@link #head} of node {@code i}'s key past the shared prefix. */
    public static int slotHead(MemorySegment p, int i) {
        long at = wide(p) ? SLOTS + WIDE_SLOT_BYTES * i + WIDE_SLOT_HEAD : SLOTS + SLOT_BYTES * i + SLOT_HEAD;
        return Short.toUnsignedInt(p.get(U16, at));
    }

    static void setSlot(MemorySegment p, int i, long offset, int head) {
        if (wide(p)) {
            long at = SLOTS + WIDE_SLOT_BYTES * i;
            p.set(U32, at + WIDE_SLOT_NODE, (int) offset);
            p.set(U16, at + WIDE_SLOT_HEAD, (short) head);
        } else {
            long at = SLOTS + SLOT_BYTES * i;
            p.set(U16, at + SLOT_NODE, (short) offset);
            p.set(U16, at + SLOT_HEAD, (short) head);
        }
    }

    static void setNode(MemorySegment p, int i, long offset) {
        if (wide(p)) {
            p.set(U32, SLOTS + WIDE_SLOT_BYTES * i + WIDE_SLOT_NODE, (int) offset);
        } else {
            p.set(U16, SLOTS + SLOT_BYTES * i + SLOT_NODE, (short) offset);
        }
    }

    /**
     * The two bytes of the key of {@code len} bytes at {@code off} of {@code s} that follow its
     * first {@code shared}, big-endian, zero past the key's end: what a slot keeps.
     */
    static int head(MemorySegment s, long off, long len, int shared) {
        long rest = len - shared;
        if (rest >= 2) {
            return Short.toUnsignedInt(s.get(BE_U16, off + shared));
        }
        return rest == 1 ? (s.get(JAVA_BYTE, off + shared) & 0xFF) << 8 : 0;
    }

    private static final ValueLayout.OfShort BE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The mask of a {@link #prefix} that keeps its first {@code bytes} (at most 8) bytes. */
    /** The fence of a shared prefix of {@code shared} bytes of the key of {@code len} bytes at {@code off} of {@code k}. */
    static long fenceOf(MemorySegment k, long off, long len, int shared) {
        return KeyBytes.prefix(k, off, len) & mask(shared);
    }

    static long mask(int bytes) {
        return bytes >= 8 ? -1L : bytes == 0 ? 0 : -1L << (64 - 8 * bytes);
    }

    /**
     * Null when the nodes lie in the heap in key order, node 0 highest, none overlapping the next
     * or running past the block, and the shared prefix, the fence and the heads are those of the
     * keys; otherwise what is wrong (for the structural check).
     */
    public static String layoutError(MemorySegment p) {
        long limit = p.byteSize();
        int n = count(p);
        for (int i = 0; i < n; i++) {
            long at = node(p, i);
            if (at < heap(p) || at + nodeBytes(p, i) > limit) {
                return "node " + i + " at " + at + " is not below node " + (i - 1) + " at " + limit
                        + " and in the heap from " + heap(p);
            }
            limit = at;
        }
        if (n == 0) {
            return null;
        }
        int s = shared(p);
        long k0 = keyAt(p, 0);
        long l0 = keyLength(p, 0);
        if (s > l0 || fence(p) != fenceOf(p, k0, l0, s)) {
            return "the shared prefix (" + s + " bytes, fence " + Long.toHexString(fence(p)) + ") is not node 0's";
        }
        for (int i = 0; i < n; i++) {
            long k = keyAt(p, i);
            long l = keyLength(p, i);
            if (l < s || MemorySegment.mismatch(p, k, k + s, p, k0, k0 + s) >= 0) {
                return "key " + i + " does not start with the shared prefix of " + s + " bytes";
            }
            if (slotHead(p, i) != head(p, k, l, s)) {
                return "slot " + i + " keeps a head its key does not have";
            }
        }
        return null;
    }

    /** Bytes between the slots and the heap. */
    static long gap(MemorySegment p) {
        return heap(p) - slot(p, count(p));
    }

    /** Bytes an insert may use after a {@link PartitionEdits#compact}, in 4-byte slots: what {@link #used} would grow by. */
    public static long freeAfterCompaction(MemorySegment p) {
        return narrowRoom(p, gap(p) + Integer.toUnsignedLong(p.get(U32, GARBAGE)));
    }

    /** Bytes an insert may use without a compaction, in 4-byte slots. */
    public static long free(MemorySegment p) {
        return narrowRoom(p, gap(p));
    }

    /**
     * {@code bytes} of room in {@code p}, counted in 4-byte slots: in a wide block, 3/4 of them (a
     * room counted in 4-byte slots needs at most 4/3 of it with 6-byte ones: {@link #wideBytes}).
     */
    private static long narrowRoom(MemorySegment p, long bytes) {
        return wide(p) ? bytes * 3 / 4 : bytes;
    }

    /**
     * Bytes the nodes and slots use, counting 4-byte slots: what a copy into a new block needs,
     * beyond the header, sized by {@link #pagesFor}.
     */
    public static long used(MemorySegment p) {
        return p.byteSize() - heap(p) - Integer.toUnsignedLong(p.get(U32, GARBAGE)) + SLOT * count(p);
    }

    /**
     * The pages of the smallest run that holds a partition of {@code bytes} ({@link #headerBytes}
     * and what {@link #used}, {@link #bytesOf} and {@link #SLOT} count): those bytes, and in a
     * block over 64 KiB the wider slots too. A node takes at least 2 bytes, so 4-byte slots are
     * at most two thirds of a room, and 6-byte ones add at most a third of it.
     */
    public static int pagesFor(int pageSize, long bytes) {
        int n = Tree.pagesFor(pageSize, bytes);
        return (long) n * pageSize <= NARROW_BLOCK ? n : Tree.pagesFor(pageSize, wideBytes(bytes));
    }

    /** The bytes of the smallest block (not a run of pages) that holds a partition of {@code bytes}, as {@link #pagesFor} counts. */
    public static long blockBytesFor(long bytes) {
        return bytes <= NARROW_BLOCK ? bytes : wideBytes(bytes);
    }

    /** {@code bytes} counted in 4-byte slots, with 6-byte ones: a third more for the slots at most. */
    private static long wideBytes(long bytes) {
        return bytes + (bytes - SLOTS) / 3 + 1;
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

    /** Offset of node {@code i}'s key bytes. */
    static long keyAt(MemorySegment p, int i) {
        long at = node(p, i);
        return at + Varint.size(Varint.read(p, at));
    }

    static long keyLength(MemorySegment p, int i) {
        return Varint.read(p, node(p, i));
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

    /**
     * Binary search: the index of {@code key}, or {@code -(insertion point) - 1}, in unsigned
     * byte order. Compares in place: no slice per probe.
     */
    public static int search(MemorySegment p, MemorySegment key) {
        return search(p, key, prefix(key));
    }

    /**
     * {@link #search}, first trying the end: a key above the last one (an append, the common case
     * of sequential and time-ordered inserts) is answered from the last slot's head, or one
     * node, without the binary search.
     */
    public static int searchFromEnd(MemorySegment p, MemorySegment key) {
        int n = count(p);
        if (n == 0) {
            return -1;
        }
        int side = side(p, key, prefix(key));
        if (side != 0) {
            return side < 0 ? -1 : -(n + 1);
        }
        int s = shared(p);
        int kh = head(key, 0, key.byteSize(), s);
        int c = Integer.compare(slotHead(p, n - 1), kh);
        if (c == 0) {
            c = compareRest(p, n - 1, key, s);
        }
        return c < 0 ? -(n + 1) : searchHeads(p, key, s, kh, n);
    }

    /** The first 8 bytes of {@code key} as an unsigned number, what {@link #search} compares the fence with. */
    public static long prefix(MemorySegment key) {
        return KeyBytes.prefix(key);
    }

    /** {@link #search} with the key's {@link #prefix} computed once, for a search down the levels. */
    public static int search(MemorySegment p, MemorySegment key, long kp) {
        int n = count(p);
        if (n == 0) {
            return -1;
        }
        int side = side(p, key, kp);
        if (side != 0) {
            return side < 0 ? -1 : -(n + 1);
        }
        int s = shared(p);
        return searchHeads(p, key, s, head(key, 0, key.byteSize(), s), n);
    }

    /** The binary search over the first {@code n} slots for {@code key}, which starts with the shared prefix of {@code s} bytes and has head {@code kh}. */
    private static int searchHeads(MemorySegment p, MemorySegment key, int s, int kh, int n) {
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            // The two bytes after the shared prefix, kept in the slot, decide most comparisons without the node.
            int c = Integer.compare(slotHead(p, mid), kh);
            if (c == 0) {
                c = compareRest(p, mid, key, s);
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

    /**
     * Where {@code key} lies against the shared prefix of the non-empty {@code p}: -1 below every
     * key, 1 above every key, 0 when it starts with the prefix. The fence decides the first 8
     * bytes; node 0's key, the rest of a longer prefix.
     */
    private static int side(MemorySegment p, MemorySegment key, long kp) {
        int s = shared(p);
        int c = Long.compareUnsigned(kp & mask(s), fence(p));
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
        long kl = key.byteSize();
        if (s > 8 && kl > 8) {
            long k0 = keyAt(p, 0);
            long end = Math.min(s, kl);
            long m = MemorySegment.mismatch(key, 8, end, p, k0 + 8, k0 + end);
            if (m >= 0) {
                return Byte.toUnsignedInt(key.get(JAVA_BYTE, 8 + m)) < Byte.toUnsignedInt(p.get(JAVA_BYTE, k0 + 8 + m))
                        ? -1 : 1;
            }
        }
        return kl < s ? -1 : 0; // a key that is a proper prefix of the prefix sorts first
    }

    /** Node {@code i}'s key compared with {@code key}, both starting with the same {@code s} bytes: the rest. */
    private static int compareRest(MemorySegment p, int i, MemorySegment key, int s) {
        long at = node(p, i);
        long len = Varint.read(p, at);
        return Keys.compare(p, at + Varint.size(len) + s, len - s, key, s, key.byteSize() - s);
    }

    /** Node {@code i}'s key compared with {@code key}, in place: no slice. */
    static int compareKey(MemorySegment p, int i, MemorySegment key) {
        long at = node(p, i);
        long len = Varint.read(p, at);
        return Keys.compare(p, at + Varint.size(len), len, key, 0, key.byteSize());
    }

    /** Bytes of node {@code i}. */
    static long nodeBytes(MemorySegment p, int i) {
        return nodeBytesAt(p, node(p, i), kind(p));
    }

    /** Bytes of the node of kind {@code kind} at offset {@code at} of {@code s}. */
    static long nodeBytesAt(MemorySegment s, long at, byte kind) {
        long kl = Varint.read(s, at);
        if (kind == INDEX) {
            return Varint.size(kl) + kl + DOWN_BYTES;
        }
        long f = Varint.read(s, at + Varint.size(kl) + kl);
        return Varint.size(kl) + kl + Varint.size(f) + ((f & 1) != 0 ? VALUE_PAGE_BYTES : f >>> 1);
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

    /** Header bytes of every partition. */
    public static long headerBytes() {
        return SLOTS;
    }
}
