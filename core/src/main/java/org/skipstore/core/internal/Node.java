package org.skipstore.core.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The layout of a skip-list node in arena memory, declared once; every offset and accessor
 * below is derived from it.
 *
 * <pre>
 *  offset 0   +----------------+
 *             | seq      (8)   |  sequence number: versions of one key sort by it, newest first
 *          8  | prefix   (8)   |  the key's first 8 bytes, big-endian, zero-padded: most
 *             |                |  comparisons end here, without touching the key bytes
 *         16  | valueLen (4)   |
 *         20  | keyLen   (2)   |  unsigned: keys are at most 65535 bytes
 *         22  | height   (1)   |  1..MAX_HEIGHT
 *         23  | flags    (1)   |  TOMBSTONE
 *         24  +----------------+
 *             | next[0]  (8)   |  tower: one Link per level (next node's reference and key
             |                |  prefix in one word), 0 = end of list
 *             | ...            |
 *             | next[h-1]      |
 *   24 + 8h   +----------------+
 *             | key bytes      |
 *             | value bytes    |
 *             +----------------+  (the block is rounded up to 8 bytes)
 * </pre>
 *
 * All fields but the tower are written before the node is published by the level-0 CAS and
 * never change afterwards; readers that reached the node through an acquire load of a
 * {@code next} word see them. Tower words are read with acquire and written with release or
 * CAS (see {@code SkipList}).
 */
public final class Node {

    /** Tallest tower. With promotion probability 1/2, 24 levels cover 2^24 nodes. */
    public static final int MAX_HEIGHT = 24;

    /** {@code flags} bit: this version is a deletion. */
    public static final byte TOMBSTONE = 1;

    /** Largest key: its length is an unsigned 16-bit field. */
    public static final int MAX_KEY_LENGTH = 0xFFFF;

    public static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("seq"),
            JAVA_LONG.withName("prefix"),
            JAVA_INT.withName("valueLength"),
            JAVA_SHORT.withName("keyLength"),
            JAVA_BYTE.withName("height"),
            JAVA_BYTE.withName("flags")).withName("node");

    public static final long SEQ = HEADER.byteOffset(groupElement("seq"));
    public static final long PREFIX = HEADER.byteOffset(groupElement("prefix"));
    public static final long KEY_LENGTH = HEADER.byteOffset(groupElement("keyLength"));
    public static final long VALUE_LENGTH = HEADER.byteOffset(groupElement("valueLength"));
    public static final long HEIGHT = HEADER.byteOffset(groupElement("height"));
    public static final long FLAGS = HEADER.byteOffset(groupElement("flags"));
    /** Offset of {@code next[0]}; {@code next[i]} is at {@code TOWER + 8 * i}. */
    public static final long TOWER = HEADER.byteSize();

    /** Tower words: (segment, offset) -> long, with acquire/release/CAS access modes. */
    public static final VarHandle NEXT = JAVA_LONG.varHandle();

    private Node() {
    }

    /** Bytes of a node with the given height, key and value: header, tower, data, rounded to 8. */
    public static long size(int height, long keyLength, long valueLength) {
        return (TOWER + 8L * height + keyLength + valueLength + 7) & ~7L;
    }

    public static long nextOffset(long node, int level) {
        return node + TOWER + 8L * level;
    }

    public static long keyOffset(long node, int height) {
        return node + TOWER + 8L * height;
    }

    public static long seq(MemorySegment chunk, long node) {
        return chunk.get(JAVA_LONG, node + SEQ);
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

    /** Writes the header; the tower is zero already (arena memory is zeroed). */
    public static void writeHeader(MemorySegment chunk, long node, long seq, long prefix, int keyLength,
            int valueLength, int height, byte flags) {
        chunk.set(JAVA_LONG, node + SEQ, seq);
        chunk.set(JAVA_LONG, node + PREFIX, prefix);
        chunk.set(JAVA_SHORT, node + KEY_LENGTH, (short) keyLength);
        chunk.set(JAVA_INT, node + VALUE_LENGTH, valueLength);
        chunk.set(JAVA_BYTE, node + HEIGHT, (byte) height);
        chunk.set(JAVA_BYTE, node + FLAGS, flags);
    }

    public static long nextAcquire(MemorySegment chunk, long node, int level) {
        return (long) NEXT.getAcquire(chunk, nextOffset(node, level));
    }
}
