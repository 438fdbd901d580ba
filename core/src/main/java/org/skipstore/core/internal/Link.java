package org.skipstore.core.internal;

import org.skipstore.arena.ShardedArena;

/**
 * A tower word: the arena reference of the next node, packed with a 30-bit order-preserving
 * summary of that node's key ({@link #prefixOfKey}).
 *
 * <pre>
 *   63 .................. 34  33 ........... 21  20 ............ 0
 *  +------------------------+------------------+------------------+
 *  | key summary (30 bits)  | chunk id (13)    | offset / 8 (21)  |
 *  +------------------------+------------------+------------------+
 * </pre>
 *
 * <h2>Why</h2>
 * A search reads {@code x.next[i]} and compares the successor's key with the search key; when
 * the successor sorts after the key, the search goes down a level without ever standing on it.
 * With the successor's key prefix in the link word itself, that comparison, about one in three
 * of a search's comparisons, costs no access to the successor: on a memtable larger than the
 * caches, one cache miss saved per level. One word, so the link and its prefix are read and
 * CASed together; a reader can never pair a link with another node's prefix.
 *
 * <h2>The summary: a key's first 8 bytes as a small float</h2>
 * The summary of the key's first 8 bytes {@code p} (big-endian, unsigned) is 7 bits of exponent,
 * the position of {@code p}'s highest one bit (0 when {@code p} is 0), then the 23 bits below that
 * bit. Like a float it orders as {@code p} does, ties only when both agree, and it spends no bits
 * on leading zeros: keys whose first bytes are zero (db_bench's are a big-endian counter) still
 * differ in their summaries, where the first 30 bits of the key would all be zero and every
 * comparison would have to touch the node. Random keys keep 23 significant bits: a tie among a
 * million of them is still rare.
 *
 * <p>In a list with a shared key prefix ({@code SkipList}'s windows: "customer-" in front of
 * every key) the first 8 bytes would tie everywhere; there the summary is {@link #topBits} of the
 * 8 bytes after that prefix, or a denser one where the ranges of those bytes are known
 * ({@link Windows#summary}).
 *
 * <h2>Limits</h2>
 * A node starts at an 8-byte aligned offset below 16 MiB of its chunk (chunks hold at most 16
 * MiB, and a larger node has a chunk of its own, at offset 0), and in a chunk whose id is at
 * most {@link #MAX_CHUNK_ID}: 8191 chunks, 128 GiB of 16-MiB chunks. A node that an arena
 * places beyond that cannot be linked: the write reports the memtable full ({@link #fits}).
 * The word 0 is the null link; a real link is never 0, since chunk ids start at 1.
 */
public final class Link {

    static final int OFFSET_BITS = 21;
    static final int CHUNK_BITS = 13;
    /** Bits below the prefix. */
    static final int PREFIX_SHIFT = OFFSET_BITS + CHUNK_BITS;
    /** Bits of the key summary: the top of the word. */
    static final int SUMMARY_BITS = 64 - PREFIX_SHIFT;
    /** Largest chunk id a link can name. */
    public static final int MAX_CHUNK_ID = (1 << CHUNK_BITS) - 1;
    /** Largest node offset (exclusive) a link can name. */
    public static final long MAX_OFFSET = 8L << OFFSET_BITS;

    private Link() {
    }

    /** Whether the node at arena reference {@code ref} can be the target of a link. */
    public static boolean fits(long ref) {
        long offset = ShardedArena.offset(ref);
        return ShardedArena.chunkId(ref) <= MAX_CHUNK_ID && offset < MAX_OFFSET && (offset & 7) == 0;
    }

    /**
     * The link to node {@code ref} whose key has the 30-bit {@code summary} ({@link #prefixOfKey},
     * {@link #topBits}); {@code ref} must {@link #fits fit}.
     */
    public static long of(long ref, long summary) {
        long offset = ShardedArena.offset(ref);
        return (summary << PREFIX_SHIFT)
                | ((long) ShardedArena.chunkId(ref) << OFFSET_BITS)
                | (offset >>> 3);
    }

    /** The arena reference a link names; 0 for the null link. */
    public static long ref(long link) {
        int chunkId = (int) (link >>> OFFSET_BITS) & MAX_CHUNK_ID;
        return ShardedArena.reference(chunkId, (link & ((1L << OFFSET_BITS) - 1)) << 3);
    }

    /** The target's key summary: a non-negative number that orders like the keys' first 8 bytes. */
    static long prefix(long link) {
        return link >>> PREFIX_SHIFT;
    }

    /**
     * The 30-bit summary of 8 key bytes that follow a prefix all keys of a list share (its
     * {@code SkipList}'s window) when their ranges are not known ({@link Windows#summary}): their
     * top 30 bits. The shared bytes are gone, so the first bits
     * are the ones that differ; no exponent is needed to skip leading zero bytes.
     */
    static long topBits(long window) {
        return window >>> PREFIX_SHIFT;
    }

    /** Bits of the summary below its exponent. */
    static final int MANTISSA_BITS = 64 - PREFIX_SHIFT - 7;

    /**
     * The 30-bit summary of a key's {@link KeyBytes#prefix 8-byte prefix} {@code p}: exponent
     * (64 minus its leading zeros, 0..64) over the {@value #MANTISSA_BITS} bits after its top one bit.
     */
    static long prefixOfKey(long keyPrefix) {
        int lz = Long.numberOfLeadingZeros(keyPrefix);
        long mantissa = keyPrefix << lz << 1 >>> (64 - MANTISSA_BITS); // (a shift by 64 is no shift: two steps)
        return ((long) (64 - lz) << MANTISSA_BITS) | mantissa;
    }
}
