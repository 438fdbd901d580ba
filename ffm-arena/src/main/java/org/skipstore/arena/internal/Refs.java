package org.skipstore.arena.internal;

/**
 * The 64-bit encoding of a reference to arena memory.
 *
 * <pre>
 *   63  62 ............ 40  39 ..................... 0
 *  +---+------------------+---------------------------+
 *  | 0 |  chunk id (23)   |  byte offset in chunk (40) |
 *  +---+------------------+---------------------------+
 * </pre>
 *
 * Chunk ids start at 1, so the reference {@code 0} never names memory and serves as the null
 * reference (and as the "out of memory" result of an allocation). References are positive.
 * Decoding is a shift and a mask plus one array load in {@link ChunkTable}: O(1), and no
 * restricted method ({@code reinterpret}) is needed because the chunk's own segment, with its
 * own bounds, is what the reference leads to.
 */
public final class Refs {
    /** Bits for the offset inside a chunk: chunks are at most 1 TiB. */
    public static final int OFFSET_BITS = 40;
    /** Mask of the offset bits. */
    public static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    /** Largest chunk id (ids are 1..MAX_CHUNK_ID). */
    public static final int MAX_CHUNK_ID = (1 << (63 - OFFSET_BITS)) - 1;

    private Refs() {
    }

    /** Encodes a chunk id and an offset inside that chunk. */
    public static long encode(int chunkId, long offset) {
        return ((long) chunkId << OFFSET_BITS) | offset;
    }

    /** The chunk id of a reference. */
    public static int chunkId(long ref) {
        return (int) (ref >>> OFFSET_BITS);
    }

    /** The byte offset of a reference inside its chunk. */
    public static long offset(long ref) {
        return ref & OFFSET_MASK;
    }
}
