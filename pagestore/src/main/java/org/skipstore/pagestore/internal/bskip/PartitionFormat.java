package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.skipstore.pagestore.internal.PageSource;

/**
 * The fixed-size structures of a partition ({@link Partition} draws the block), declared once as
 * layouts; every offset {@link Partition} uses is derived from them here, once, as a
 * {@code static final long} (a constant to the JIT, so the hot paths compute what hand-written
 * numbers did). The fields are unaligned: a slot is 4 or 6 bytes and nodes start at any byte, so
 * padding would change the bytes on disk. {@link #describe} prints the table.
 *
 * <p>The nodes themselves are variable-length (varint lengths, then bytes) and have no layout;
 * their fixed-size fields do ({@link #DOWN}, {@link #VALUE_PAGE}).
 */
final class PartitionFormat {

    static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A partition's first bytes. */
    static final StructLayout HEADER = MemoryLayout.structLayout(
            PageSource.CHECKSUM.withName("crc"), // first, as in every run of the structure
            JAVA_BYTE.withName("kind"),
            JAVA_BYTE.withName("level"),
            PageSource.PAGES.withName("pages"),
            U32.withName("count"),
            U32.withName("heap"),
            U32.withName("garbage"),
            U16.withName("shared"),
            U64.withName("fence")).withName("header");

    /**
     * One slot per node, in key order, in a block of at most {@link #NARROW_BLOCK} bytes: the
     * node's offset in the block and its key's head (the two bytes after the shared prefix).
     */
    static final StructLayout SLOT = MemoryLayout.structLayout(
            U16.withName("node"),
            U16.withName("head")).withName("slot");

    /** A slot in a larger block: a u32 offset. */
    static final StructLayout WIDE_SLOT = MemoryLayout.structLayout(
            U32.withName("node"),
            U16.withName("head")).withName("wideSlot");

    /** The largest block whose slots are {@link #SLOT}s (its offsets fit a u16). */
    static final long NARROW_BLOCK = 1L << 16;

    /**
     * The block up to the free space: the header, then the slots. The sequence is declared empty
     * because its length is the header's {@code count}; slot {@code i} is at
     * {@link #SLOTS}{@code + i * }{@link #SLOT_BYTES} (or {@link #WIDE_SLOT_BYTES}).
     */
    static final StructLayout BLOCK = MemoryLayout.structLayout(
            HEADER,
            MemoryLayout.sequenceLayout(0, SLOT).withName("slots")).withName("partition");

    /** An index node's down reference (after its key): the first page of the partition below. */
    static final ValueLayout.OfLong DOWN = U64.withName("down");
    /** An out-of-line data node's reference (after its value length): the first page of the value's run. */
    static final ValueLayout.OfLong VALUE_PAGE = U64.withName("valuePage");

    static final long CRC = BLOCK.byteOffset(groupElement("header"), groupElement("crc"));
    static final long KIND = BLOCK.byteOffset(groupElement("header"), groupElement("kind"));
    static final long LEVEL = BLOCK.byteOffset(groupElement("header"), groupElement("level"));
    static final long PAGES = BLOCK.byteOffset(groupElement("header"), groupElement("pages"));
    static final long COUNT = BLOCK.byteOffset(groupElement("header"), groupElement("count"));
    static final long HEAP = BLOCK.byteOffset(groupElement("header"), groupElement("heap"));
    static final long GARBAGE = BLOCK.byteOffset(groupElement("header"), groupElement("garbage"));
    static final long SHARED = BLOCK.byteOffset(groupElement("header"), groupElement("shared"));
    static final long FENCE = BLOCK.byteOffset(groupElement("header"), groupElement("fence"));
    /** Offset of slot 0. */
    static final long SLOTS = BLOCK.byteOffset(groupElement("slots"));
    static final long SLOT_BYTES = SLOT.byteSize();
    static final long WIDE_SLOT_BYTES = WIDE_SLOT.byteSize();
    /** Offsets inside a slot. */
    static final long SLOT_NODE = SLOT.byteOffset(groupElement("node"));
    static final long SLOT_HEAD = SLOT.byteOffset(groupElement("head"));
    static final long WIDE_SLOT_NODE = WIDE_SLOT.byteOffset(groupElement("node"));
    static final long WIDE_SLOT_HEAD = WIDE_SLOT.byteOffset(groupElement("head"));
    static final long DOWN_BYTES = DOWN.byteSize();
    static final long VALUE_PAGE_BYTES = VALUE_PAGE.byteSize();

    static {
        if (CRC != 0) {
            throw new AssertionError("a run's checksum is its first field"); // BlockChecks reads it there
        }
    }

    private PartitionFormat() {
    }

    /**
     * The format as a table, read off the layouts themselves (so it cannot drift from the code):
     * for the inspection tool and for reading.
     */
    static String describe() {
        StringBuilder b = new StringBuilder("offsets in bytes, little-endian, unaligned\n");
        table(b, HEADER);
        b.append(String.format("%5d  slots   %d per node (%d in blocks over %d bytes), in key order; then free space;"
                + " then the nodes%n", SLOTS, SLOT_BYTES, WIDE_SLOT_BYTES, NARROW_BLOCK));
        table(b, SLOT);
        table(b, WIDE_SLOT);
        b.append("index node: varint keyLength | key | down (").append(DOWN.byteSize()).append(")\n");
        b.append("data node:  varint keyLength | key | varint (valueLength << 1 | 1 if out of line)"
                + " | value, or valuePage (").append(VALUE_PAGE.byteSize()).append(")\n");
        return b.toString();
    }

    private static void table(StringBuilder b, StructLayout s) {
        b.append(s.name().orElseThrow()).append(" (").append(s.byteSize()).append(")\n");
        for (MemoryLayout m : s.memberLayouts()) {
            String name = m.name().orElseThrow();
            b.append(String.format("%5d  %-8s %d%n", s.byteOffset(groupElement(name)), name, m.byteSize()));
        }
    }
}
