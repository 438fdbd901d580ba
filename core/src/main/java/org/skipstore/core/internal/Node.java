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
 * The layouts of a skip-list node in arena memory, derived from {@link MemoryLayout}s and
 * printed by {@link #describe()} (the module notes carry its output, and a test keeps the two
 * equal). A node is in two blocks: the <em>node</em> itself (header, level-0 link, key and
 * value; {@link #layout(int)}) and, for a node of height 2 or more, its <em>tower</em> of links
 * on levels 1 and up ({@link #towerLayout(int)}), in another region of the arena.
 *
 * <pre>
 *  node (region 0)                            tower (region 1), height h &gt;= 2
 *  +-------------------+                      +-------------------+
 *  | header   (24)     | stamp, window, ...   | node     (8)      | back to the node
 *  | next0    (8)      | level-0 link         | next[1..h-1]      | links on levels 1..h-1
 *  | tower    (8)      | h &gt;= 2 only -------&gt;  +-------------------+
 *  | data              | key bytes, value bytes; the block is rounded up to 8
 *  +-------------------+
 * </pre>
 *
 * <h2>Why the tower is apart</h2>
 * A search spends most of its steps on levels 1 and up, and each step is a visit to another
 * node: with the tower inside a node of 150 bytes, every visit is a cache line and a page of its
 * own among the whole list's. Towers alone are 8 to 24 bytes each and lie packed in their
 * region, so the upper levels of a million-entry list fit in the last-level cache and in few
 * pages, and only the last steps on level 0 go to the nodes. Upper-level links name towers;
 * level-0 links name nodes. The cost is two words per tall node (the references both ways).
 *
 * All fields but the stamp and the links are written before the node is published by the
 * level-0 CAS and never change afterwards; readers that reached the node through an acquire load
 * of a link see them. The stamp goes once from {@link Stamps#PENDING} to its final value by CAS;
 * links are read with acquire and written with release or CAS (see {@code SkipList}).
 */
public final class Node {

    /** Tallest tower. With promotion probability 1/2, 24 levels cover 2^24 nodes. */
    public static final int MAX_HEIGHT = 24;

    /** {@code flags} bit: this version is a deletion. */
    public static final byte TOMBSTONE = 1;

    /**
     * {@code flags} bit: {@code next0} is an older version of the same key. Set before the link
     * and then true for good (new versions go in front of a node, never between it and its
     * older one), so a scan steps over a key's older versions without comparing keys.
     */
    public static final byte OLDER = 2;

    /** Largest key: its length is an unsigned 16-bit field. */
    public static final int MAX_KEY_LENGTH = 0xFFFF;

    /** The fixed part of every node. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("stamp"),
            JAVA_LONG.withName("window"), // 8 bytes of the key (Windows)
            JAVA_INT.withName("valueLength"),
            JAVA_SHORT.withName("keyLength"),
            JAVA_BYTE.withName("height"),
            JAVA_BYTE.withName("flags")).withName("header");

    /** A node of height 1: no tower. */
    private static final StructLayout SHORT = MemoryLayout.structLayout(
            HEADER,
            JAVA_LONG.withName("next0"),
            MemoryLayout.sequenceLayout(0, JAVA_BYTE).withName("data")).withName("node");

    /** A node of height 2 or more: the reference of its tower before the data. */
    private static final StructLayout TALL = MemoryLayout.structLayout(
            HEADER,
            JAVA_LONG.withName("next0"),
            JAVA_LONG.withName("tower"),
            MemoryLayout.sequenceLayout(0, JAVA_BYTE).withName("data")).withName("tallNode");

    /** {@code TOWERS[h]}: the tower of a node of height {@code h}; indexes 0 and 1 unused. */
    private static final StructLayout[] TOWERS = new StructLayout[MAX_HEIGHT + 1];

    static {
        for (int h = 2; h <= MAX_HEIGHT; h++) {
            TOWERS[h] = MemoryLayout.structLayout(
                    JAVA_LONG.withName("node"),
                    MemoryLayout.sequenceLayout(h - 1, JAVA_LONG).withName("next")).withName("tower" + h);
        }
    }

    private static long headerField(String name) {
        return SHORT.byteOffset(groupElement("header"), groupElement(name));
    }

    public static final long STAMP = headerField("stamp");
    public static final long WINDOW = headerField("window");
    public static final long KEY_LENGTH = headerField("keyLength");
    public static final long VALUE_LENGTH = headerField("valueLength");
    public static final long HEIGHT = headerField("height");
    public static final long FLAGS = headerField("flags");
    /** The level-0 link, at the same place in every node. */
    public static final long NEXT0 = SHORT.byteOffset(groupElement("next0"));
    /** The reference of a tall node's tower. */
    public static final long TOWER = TALL.byteOffset(groupElement("tower"));
    /** Data of a node of height 1, and of a taller one. */
    private static final long SHORT_DATA = SHORT.byteOffset(groupElement("data"));
    private static final long TALL_DATA = TALL.byteOffset(groupElement("data"));
    /** A tower's reference back to its node. */
    public static final long TOWER_NODE = TOWERS[MAX_HEIGHT].byteOffset(groupElement("node"));

    /** {@code WORD[i]}: offset of the level-{@code i} link, in the node (0) or in the tower (1 and up). */
    private static final long[] WORD = new long[MAX_HEIGHT];

    static {
        if (NEXT0 != SHORT.byteOffset(groupElement("next0")) || NEXT0 != TALL.byteOffset(groupElement("next0"))
                || TALL.byteOffset(groupElement("header")) != 0) {
            throw new AssertionError("the header and next0 must lie alike in every node");
        }
        WORD[0] = NEXT0;
        for (int i = 1; i < MAX_HEIGHT; i++) {
            WORD[i] = TOWERS[MAX_HEIGHT].byteOffset(groupElement("next"), sequenceElement(i - 1));
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
        return h == 1 ? SHORT : TALL;
    }

    /** The layout of the tower of a node of height {@code h} (2 or more). */
    public static StructLayout towerLayout(int h) {
        return TOWERS[h];
    }

    /** Bytes of a node with the given height, key and value: the layout, the data, rounded to 8. */
    public static long size(int height, long keyLength, long valueLength) {
        return (dataOffset(height) + keyLength + valueLength + 7) & ~7L;
    }

    /** Bytes of the tower of a node of height {@code h} (2 or more). */
    public static long towerSize(int h) {
        return TOWERS[h].byteSize();
    }

    private static long dataOffset(int height) {
        return height == 1 ? SHORT_DATA : TALL_DATA;
    }

    /**
     * Offset of the level-{@code level} link: in the node at {@code pos} for level 0, in the
     * tower at {@code pos} for the levels above.
     */
    public static long wordOffset(long pos, int level) {
        return pos + WORD[level];
    }

    public static long keyOffset(long node, int height) {
        return node + dataOffset(height);
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

    /** The node's key window ({@link Windows#window}). */
    public static long window(MemorySegment chunk, long node) {
        return chunk.get(JAVA_LONG, node + WINDOW);
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

    /**
     * Writes the header, and for a tall node the references between the node ({@code nodeRef},
     * at {@code node} in {@code chunk}) and its tower ({@code towerRef}, at {@code tower} in
     * {@code towerChunk}); the links are zero already (arena memory is zeroed).
     */
    public static void writeHeader(MemorySegment chunk, long node, long stamp, long window, int keyLength,
            int valueLength, int height, byte flags, long nodeRef, MemorySegment towerChunk, long tower, long towerRef) {
        if (height > 1) {
            chunk.set(JAVA_LONG, node + TOWER, towerRef);
            towerChunk.set(JAVA_LONG, tower + TOWER_NODE, nodeRef);
        }
        chunk.set(JAVA_LONG, node + STAMP, stamp);
        chunk.set(JAVA_LONG, node + WINDOW, window);
        chunk.set(JAVA_SHORT, node + KEY_LENGTH, (short) keyLength);
        chunk.set(JAVA_INT, node + VALUE_LENGTH, valueLength);
        chunk.set(JAVA_BYTE, node + HEIGHT, (byte) height);
        chunk.set(JAVA_BYTE, node + FLAGS, flags);
    }

    /** The reference of the tower of a node of height 2 or more. */
    public static long tower(MemorySegment chunk, long node) {
        return chunk.get(JAVA_LONG, node + TOWER);
    }

    /** The reference of the node a tower belongs to. */
    public static long towerNode(MemorySegment towerChunk, long tower) {
        return towerChunk.get(JAVA_LONG, tower + TOWER_NODE);
    }

    /**
     * The layouts as tables: each field's offset and size, the tower in terms of the height
     * {@code h}. Derived from {@link #layout(int)} and {@link #towerLayout(int)}, so it cannot
     * drift from the code.
     */
    public static String describe() {
        StringBuilder b = new StringBuilder();
        b.append("node (h = 1: no tower field)\n");
        b.append(String.format(Locale.ROOT, "%-8s %-8s %s%n", "offset", "bytes", "field"));
        for (MemoryLayout field : HEADER.memberLayouts()) {
            String name = field.name().orElseThrow();
            b.append(String.format(Locale.ROOT, "%-8d %-8d %s%n",
                    TALL.byteOffset(groupElement("header"), groupElement(name)), field.byteSize(), name));
        }
        b.append(String.format(Locale.ROOT, "%-8d %-8d %s%n", NEXT0, JAVA_LONG.byteSize(), "next0: the level-0 link"));
        b.append(String.format(Locale.ROOT, "%-8d %-8d %s%n", TOWER, JAVA_LONG.byteSize(), "tower: reference of the tower (h >= 2)"));
        b.append(String.format(Locale.ROOT, "%-8s %-8s %s%n", SHORT_DATA + " / " + TALL_DATA, "k + v",
                "data: key bytes, value bytes (h = 1 / h >= 2); rounded up to " + JAVA_LONG.byteSize()));
        b.append("tower (h >= 2)\n");
        b.append(String.format(Locale.ROOT, "%-8s %-8s %s%n", "offset", "bytes", "field"));
        b.append(String.format(Locale.ROOT, "%-8d %-8d %s%n", TOWER_NODE, JAVA_LONG.byteSize(), "node: reference of the node"));
        long word = TOWERS[3].byteSize() - TOWERS[2].byteSize();
        b.append(String.format(Locale.ROOT, "%-8d %-8s %s%n", WORD[1], word + " x (h-1)", "next[1..h-1]: the links of levels 1.." + (MAX_HEIGHT - 1)));
        return b.toString();
    }
}
