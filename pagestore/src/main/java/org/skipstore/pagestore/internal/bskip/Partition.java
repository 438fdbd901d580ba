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
 * ({@link #share}, rewriting the heads), a copy lengthens it to what its keys share
 * ({@link #reshare}). A slot is 4 bytes, where the u32 offset and u64 key prefix of format 4
 * took 12: over 16-byte keys and 100-byte values, 6 % of the file.
 *
 * <p>The nodes lie in key order, node 0 at the block's end and each next one below it, so that a
 * scan walks addresses in one direction, which the hardware prefetcher follows (random inserts
 * appending to the heap left a miss per node), and a copy moves the heap in one piece. An insert
 * moves the nodes after it down ({@link #reserve}); removing leaves the node's bytes as garbage,
 * which {@link #compact} reclaims when an insert needs the room. All fields are little-endian; lengths
 * are unsigned LEB128 varints (one byte below 128). This class is a set of static functions over
 * the block's segment: it holds no state, so a partition costs no object.
 *
 * <p>Room is counted in 4-byte slots everywhere outside this class ({@link #SLOT}, {@link #used},
 * {@link #freeAfterCompaction}): a block over 64 KiB has 6-byte slots, and {@link #pagesFor}
 * sizes such blocks for them.
 *
 * <p>Longer than 400 lines because it is the one place that keeps the block's invariant (slots in
 * key order with their heads, nodes below each other in the same order, the shared prefix, heap
 * and garbage counts exact): every operation goes through the same private slot and node
 * helpers, which a split would expose to the whole package.
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

    private static long heap(MemorySegment p) {
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

    private static void setShared(MemorySegment p, int shared, long fence) {
        p.set(U16, SHARED, (short) shared);
        p.set(U64, FENCE, fence);
    }

    /** Whether the block's slots are wide (u32 offsets): a block over 64 KiB. Read off the segment, not the block. */
    private static boolean wide(MemorySegment p) {
        return p.byteSize() > NARROW_BLOCK;
    }

    private static long slotBytes(MemorySegment p) {
        return wide(p) ? WIDE_SLOT_BYTES : SLOT_BYTES;
    }

    /** Offset of slot {@code i}. */
    private static long slot(MemorySegment p, int i) {
        return SLOTS + slotBytes(p) * i;
    }

    private static long node(MemorySegment p, int i) {
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

    private static void setSlot(MemorySegment p, int i, long offset, int head) {
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

    private static void setNode(MemorySegment p, int i, long offset) {
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
    private static long mask(int bytes) {
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
        if (s > l0 || fence(p) != (KeyBytes.prefix(p, k0, l0) & mask(s))) {
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
    private static long gap(MemorySegment p) {
        return heap(p) - slot(p, count(p));
    }

    /** Bytes an insert may use after a {@link #compact}, in 4-byte slots: what {@link #used} would grow by. */
    public static long freeAfterCompaction(MemorySegment p) {
        long f = gap(p) + Integer.toUnsignedLong(p.get(U32, GARBAGE));
        return wide(p) ? f * 3 / 4 : f; // a room of 4-byte slots holds 2/3 of its slots' bytes as 6-byte ones
    }

    /** Bytes an insert may use without a compaction, in 4-byte slots. */
    public static long free(MemorySegment p) {
        long f = gap(p);
        return wide(p) ? f * 3 / 4 : f;
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
        if ((long) n * pageSize <= NARROW_BLOCK) {
            return n;
        }
        return Tree.pagesFor(pageSize, bytes + (bytes - SLOTS) / 3 + 1);
    }

    /** The bytes of the smallest block (not a run of pages) that holds a partition of {@code bytes}, as {@link #pagesFor} counts. */
    public static long blockBytesFor(long bytes) {
        return bytes <= NARROW_BLOCK ? bytes : bytes + (bytes - SLOTS) / 3 + 1;
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
    private static long keyAt(MemorySegment p, int i) {
        long at = node(p, i);
        return at + Varint.size(Varint.read(p, at));
    }

    private static long keyLength(MemorySegment p, int i) {
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
     * of sequential and time-ordered inserts) is answered from the last slot's head, or one
     * node, without the binary search.
     */
    public static int searchFromEnd(MemorySegment p, MemorySegment key) {
        int n = count(p);
        long kp = prefix(key);
        if (n > 0) {
            int side = side(p, key, kp);
            if (side != 0) {
                return side < 0 ? -1 : -(n + 1);
            }
            int s = shared(p);
            int c = Integer.compare(slotHead(p, n - 1), head(key, 0, key.byteSize(), s));
            if (c == 0) {
                c = compareRest(p, n - 1, key, s);
            }
            if (c < 0) {
                return -(n + 1);
            }
        }
        return search(p, key, kp);
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
        int kh = head(key, 0, key.byteSize(), s);
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

    /**
     * Inserts a data node at index {@code i} (the caller found it with {@link #search}); false
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
            setShared(p, s, KeyBytes.prefix(ks, ko, kl) & mask(s));
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
        setShared(p, s, KeyBytes.prefix(p, k0, keyLength(p, 0)) & mask(s));
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
            setNode(p, i, top); // the head stays
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
     * ({@link #bytesOf(MemorySegment, int, int)}).
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

    /** Header bytes of every partition. */
    public static long headerBytes() {
        return SLOTS;
    }
}
