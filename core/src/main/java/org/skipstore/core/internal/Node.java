package org.skipstore.core.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The layout of a skip-list node in arena memory: one {@link StructLayout} per tower height
 * ({@link #layout(int)}), each the header, the tower and the start of the key and value bytes;
 * every offset below is derived from them. {@link #describe()} prints the layout (the module
 * notes carry its output, and a test keeps the two equal).
 *
 * <pre>
 *  +-------------------+
 *  | header   (24)     |  stamp, key prefix, lengths, height, flags ({@link #HEADER})
 *  +-------------------+
 *  | tower    (8 x h)  |  next[0..h-1]: one {@link Link} word per level, 0 = end of list
 *  +-------------------+
 *  | data              |  the key bytes, then the value bytes; the block is rounded up to 8
 *  +-------------------+
 * </pre>
 *
 * All fields but the stamp and the tower are written before the node is published by the
 * level-0 CAS and never change afterwards; readers that reached the node through an acquire load
 * of a {@code next} word see them. The stamp goes once from {@link Stamps#PENDING} to its final
 * value by CAS; tower words are read with acquire and written with release or CAS (see
 * {@code SkipList}).
 */
public final class Node {

    /** Tallest tower. With promotion probability 1/2, 24 levels cover 2^24 nodes. */
    public static final int MAX_HEIGHT = 24;

    /** {@code flags} bit: this version is a deletion. */
    public static final byte TOMBSTONE = 1;

    /**
     * {@code flags} bit: {@code next[0]} is an older version of the same key. Set before the link
     * and then true for good (new versions go in front of a node, never between it and its
     * older one), so a scan steps over a key's older versions without comparing keys.
     */
    public static final byte OLDER = 2;

    /** Largest key: its length is an unsigned 16-bit field. */
    public static final int MAX_KEY_LENGTH = 0xFFFF;

    /** The fixed part of every node. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("stamp"),
            JAVA_LONG.withName("prefix"),
            JAVA_INT.withName("valueLength"),
            JAVA_SHORT.withName("keyLength"),
            JAVA_BYTE.withName("height"),
            JAVA_BYTE.withName("flags")).withName("header");

    /** {@code LAYOUTS[h]}: the node of height {@code h}; index 0 unused. */
    private static final StructLayout[] LAYOUTS = new StructLayout[MAX_HEIGHT + 1];

    static {
        for (int h = 1; h <= MAX_HEIGHT; h++) {
            LAYOUTS[h] = MemoryLayout.structLayout(
                    HEADER,
                    MemoryLayout.sequenceLayout(h, JAVA_LONG).withName("tower"),
                    MemoryLayout.sequenceLayout(0, JAVA_BYTE).withName("data")).withName("node" + h);
        }
    }

    private static long headerField(String name) {
        return LAYOUTS[1].byteOffset(groupElement("header"), groupElement(name));
    }

    public static final long STAMP = headerField("stamp");
    public static final long PREFIX = headerField("prefix");
    public static final long KEY_LENGTH = headerField("keyLength");
    public static final long VALUE_LENGTH = headerField("valueLength");
    public static final long HEIGHT = headerField("height");
    public static final long FLAGS = headerField("flags");

    /** {@code NEXT[i]}: offset of {@code next[i]} in any node of height above {@code i}. */
    private static final long[] NEXT = new long[MAX_HEIGHT];
    /** {@code DATA[h]}: offset of the key bytes in a node of height {@code h}. */
    private static final long[] DATA = new long[MAX_HEIGHT + 1];

    static {
        for (int i = 0; i < MAX_HEIGHT; i++) {
            NEXT[i] = LAYOUTS[MAX_HEIGHT].byteOffset(groupElement("tower"), sequenceElement(i));
        }
        for (int h = 1; h <= MAX_HEIGHT; h++) {
            DATA[h] = LAYOUTS[h].byteOffset(groupElement("data"));
        }
    }

    /** Tower words: (segment, offset) -> long, with acquire/release/CAS access modes. */
    public static final VarHandle NEXT_WORD = JAVA_LONG.varHandle();
    /** The stamp word: (segment, offset) -> long, read with acquire and set once by CAS. */
    public static final VarHandle STAMP_WORD = JAVA_LONG.varHandle();

    private Node() {
    }

    /** The layout of a node of height {@code h}, without its key and value bytes. */
    public static StructLayout layout(int h) {
        return LAYOUTS[h];
    }

    /** Bytes of a node with the given height, key and value: the layout, the data, rounded to 8. */
    public static long size(int height, long keyLength, long valueLength) {
        return (DATA[height] + keyLength + valueLength + 7) & ~7L;
    }

    public static long nextOffset(long node, int level) {
        return node + NEXT[level];
    }

    public static long keyOffset(long node, int height) {
        return node + DATA[height];
    }

    public static long stamp(MemorySegment chunk, long node) {
        return chunk.get(JAVA_LONG, node + STAMP);
    }

    public static long stampAcquire(MemorySegment chunk, long node) {
        return (long) STAMP_WORD.getAcquire(chunk, node + STAMP);
    }

    /** Sets the stamp of a {@link Stamps#PENDING} node; false when someone else did first. */
    public static boolean casStamp(MemorySegment chunk, long node, long stamp) {
        return STAMP_WORD.compareAndSet(chunk, node + STAMP, Stamps.PENDING, stamp);
    }

    public static int keyLength(MemorySegment chunk, long node) {
        return Short.toUnsignedInt(chunk.get(JAVA_SHORT, node + KEY_LENGTH));
    }

    public static long prefix(MemorySegment chunk, long node) {
        return chunk.get(JAVA_LONG, node + PREFIX);
    }

    public static int valueLength(MemorySegment chunk, long node) {
        return chunk.get(JAVA_INT, node + VALUE_LENGTH);
    }

    public static int height(MemorySegment chunk, long node) {
        return chunk.get(JAVA_BYTE, node + HEIGHT);
    }

    public static boolean isTombstone(MemorySegment chunk, long node) {
        return (chunk.get(JAVA_BYTE, node + FLAGS) & TOMBSTONE) != 0;
    }

    public static boolean hasOlder(MemorySegment chunk, long node) {
        return (chunk.get(JAVA_BYTE, node + FLAGS) & OLDER) != 0;
    }

    /** Sets or clears {@link #OLDER} in a node not yet linked. */
    public static void older(MemorySegment chunk, long node, boolean older) {
        byte f = chunk.get(JAVA_BYTE, node + FLAGS);
        chunk.set(JAVA_BYTE, node + FLAGS, (byte) (older ? f | OLDER : f & ~OLDER));
    }

    /** Writes the header; the tower is zero already (arena memory is zeroed). */
    public static void writeHeader(MemorySegment chunk, long node, long stamp, long prefix, int keyLength,
            int valueLength, int height, byte flags) {
        chunk.set(JAVA_LONG, node + STAMP, stamp);
        chunk.set(JAVA_LONG, node + PREFIX, prefix);
        chunk.set(JAVA_SHORT, node + KEY_LENGTH, (short) keyLength);
        chunk.set(JAVA_INT, node + VALUE_LENGTH, valueLength);
        chunk.set(JAVA_BYTE, node + HEIGHT, (byte) height);
        chunk.set(JAVA_BYTE, node + FLAGS, flags);
    }

    public static long nextAcquire(MemorySegment chunk, long node, int level) {
        return (long) NEXT_WORD.getAcquire(chunk, nextOffset(node, level));
    }

    /**
     * The node layout as a table: each field's offset and size, the tower and the data in terms
     * of the height {@code h}. Derived from {@link #layout(int)}, so it cannot drift from the code.
     */
    public static String describe() {
        StringBuilder b = new StringBuilder();
        StructLayout one = LAYOUTS[1];
        long tower = one.byteOffset(groupElement("tower"));
        long word = LAYOUTS[2].byteOffset(groupElement("data")) - one.byteOffset(groupElement("data"));
        b.append(String.format(Locale.ROOT, "%-8s %-8s %s%n", "offset", "bytes", "field"));
        for (MemoryLayout field : HEADER.memberLayouts()) {
            String name = field.name().orElseThrow();
            b.append(String.format(Locale.ROOT, "%-8d %-8d %s%n",
                    one.byteOffset(groupElement("header"), groupElement(name)), field.byteSize(), name));
        }
        b.append(String.format(Locale.ROOT, "%-8d %-8s %s%n", tower, word + " x h", "tower: next[0..h-1], h = 1.." + MAX_HEIGHT));
        b.append(String.format(Locale.ROOT, "%-8s %-8s %s%n", tower + " + " + word + "h", "k + v",
                "data: key bytes, value bytes; rounded up to " + JAVA_LONG.byteSize()));
        return b.toString();
    }
}
