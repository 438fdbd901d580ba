package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.COUNT;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOTS;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.SLOT_NODE;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U16;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.U32;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.WIDE_SLOT_BYTES;
import static org.skipstore.pagestore.internal.bskip.PartitionFormat.WIDE_SLOT_NODE;

import java.lang.foreign.MemorySegment;
import org.skipstore.pagestore.internal.PageSource;

/**
 * A scan's walk of level 0: from a cursor's entry on, forward or back, each entry handed to a
 * {@link Sink} where it lies in its partition, as the partition's segment and the offsets of the
 * key and value in it. No object is made per entry: a scan that made two slices an entry spent
 * most of its time making them (a window of 1000 time-series points: 36 ns an entry with
 * slices, 18 in place; issue 17). A partition is walked in one loop over its slots, and the
 * cursor moves only from one partition to the next ({@link TreeCursor#nextPartition}).
 *
 * <p>The walk reads the slots and lengths itself, not through {@link Partition}'s helpers, which
 * is the format's arithmetic a second time, on purpose: HotSpot profiles the segment's class at
 * each call site of an accessor, and the helpers serve the writer too, whose partitions are
 * native buffers (a transaction's copies) where a reader's are mapped pages. Through the helpers
 * the walk's accesses were compiled for both classes and it spent twice the time: a window of
 * 1000 entries 16.5 ns an entry, 7.1-8.0 with its own reads (issue 17). Only the one- and
 * two-byte varints are read here (all key lengths below 128, value fields below 8 KiB); longer
 * ones go through {@link Varint#read}.
 */
public final class LevelWalk {

    /** The values of a walk that reads none: empty, read-only, native as every segment here. */
    private static final MemorySegment NO_VALUE = MemorySegment.NULL.asReadOnly();

    /** Receives the entries. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Entry {@code keys[keyOffset, keyOffset + keyLength)} with value
         * {@code values[valueOffset, valueOffset + valueLength)}: {@code values} is {@code keys}
         * (the partition) for a value inline, the value's own run for one out of line, and empty
         * when values are not read. Returns whether to go on.
         */
        boolean entry(MemorySegment keys, long keyOffset, long keyLength, MemorySegment values, long valueOffset,
                long valueLength);
    }

    /** Where the walk stops before an entry: the range's end. */
    @FunctionalInterface
    public interface End {
        boolean past(MemorySegment keys, long keyOffset, long keyLength);
    }

    private LevelWalk() {
    }

    /**
     * Walks from {@code c}'s entry (which must be valid) through at most {@code limit} entries,
     * until {@code end} (null: none) says one is past it or the sink says stop; reads values
     * only when {@code values}. Returns the entries handed to the sink. The cursor is left
     * somewhere in between: a scan's own.
     */
    public static long walk(TreeCursor c, PageSource s, boolean reverse, long limit, End end, boolean values,
            Sink sink) {
        MemorySegment p = c.partition();
        int i = c.index();
        long n = 0;
        while (n < limit) {
            int count = p.get(U32, COUNT);
            boolean wide = Partition.wide(p);
            for (; reverse ? i >= 0 : i < count; i += reverse ? -1 : 1) {
                if (n == limit) {
                    return n;
                }
                long at = node(p, wide, i); // the node, decoded once: key length, key, value field
                long kl = varint(p, at);
                long ko = at + Varint.size(kl);
                if (end != null && end.past(p, ko, kl)) {
                    return n;
                }
                n++;
                boolean more;
                if (!values) {
                    more = sink.entry(p, ko, kl, NO_VALUE, 0, 0);
                } else {
                    long vf = ko + kl;
                    long f = varint(p, vf);
                    if ((f & 1) == 0) {
                        more = sink.entry(p, ko, kl, p, vf + Varint.size(f), f >>> 1);
                    } else { // out of line: a run of its own, read only here
                        MemorySegment v = Tree.value(s, p, i);
                        more = sink.entry(p, ko, kl, v, 0, v.byteSize());
                    }
                }
                if (!more) {
                    return n;
                }
            }
            if (!(reverse ? c.prevPartition() : c.nextPartition())) {
                return n;
            }
            p = c.partition();
            i = c.index();
        }
        return n;
    }

    /** {@link Partition#node}, read at a call site of the walk's own (see the class comment). */
    private static long node(MemorySegment p, boolean wide, int i) {
        return wide ? Integer.toUnsignedLong(p.get(U32, SLOTS + WIDE_SLOT_BYTES * i + WIDE_SLOT_NODE))
                : Short.toUnsignedInt(p.get(U16, SLOTS + SLOT_BYTES * i + SLOT_NODE));
    }

    /** {@link Varint#read}'s one and two bytes, read at call sites of the walk's own; longer ones through it. */
    private static long varint(MemorySegment p, long at) {
        byte b0 = p.get(JAVA_BYTE, at);
        if (b0 >= 0) {
            return b0;
        }
        byte b1 = p.get(JAVA_BYTE, at + 1);
        return b1 >= 0 ? (b0 & 0x7F) | b1 << 7 : Varint.read(p, at);
    }
}
