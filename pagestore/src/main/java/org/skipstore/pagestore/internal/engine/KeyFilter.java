package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A blocked Bloom filter of the keys written into one memtable, so that a point read skips the
 * memtables that cannot hold its key: a miss in a skip list of 300 k keys costs some twenty
 * cache misses, a look here one. Each key sets {@link #PROBES} bits in one 512-bit block, a
 * cache line of the array (blocked, as RocksDB's memtable and full filters: one miss a look,
 * for a slightly higher false-positive rate than a plain filter of the same size).
 *
 * <h2>Threads</h2>
 * One writer at a time, the commit leader, {@link #add}s a key before the write is published;
 * readers {@link #mayContain} with plain reads. Bits only ever go from 0 to 1, the single
 * writer loses no update, and a reader that sees a write's publication (the volatile
 * {@code Published}) sees the bits set before it: it is never told "absent" for a key it could
 * read. Bits of writes not yet published may or may not show; that only costs a useless search.
 *
 * <h2>Size</h2>
 * One bit for every 16 bytes of memtable, rounded down to a power of two: 4 Mi bits (512 KiB of
 * heap) for a 64 MiB memtable. Entries of 16-byte keys and 100-byte values take about 200 bytes
 * of memtable, about 12 bits a key: some 1 % false positives with 6 probes in a block.
 */
final class KeyFilter {

    static final int PROBES = 6;
    private static final int BLOCK_WORDS = 8;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private final long[] words;
    private final int blockMask;

    KeyFilter(long memtableBytes) {
        long bits = Long.highestOneBit(Math.clamp(memtableBytes / 16, 1L << 12, 1L << 30));
        this.words = new long[(int) (bits >>> 6)];
        this.blockMask = (int) (bits >>> 9) - 1;
    }

    /** A 64-bit hash of {@code key}'s bytes (read 8 at a time). */
    static long hash(MemorySegment key) {
        long n = key.byteSize();
        long h = 0x9E3779B97F4A7C15L ^ n;
        long i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            h = mix(h ^ key.get(WORD, i));
        }
        long tail = 0;
        for (int shift = 0; i < n; i++, shift += 8) {
            tail |= (key.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << shift;
        }
        return mix(h ^ tail ^ (n << 56));
    }

    /** A strong 64-bit mixer (the finalizer of MurmurHash3). */
    private static long mix(long h) {
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    // The block from the hash's low 32 bits; the bits in it by double hashing from the high 32
    // (a + k * b, b odd so that the probes differ), independent of the block.

    void add(long h) {
        int base = ((int) h & blockMask) * BLOCK_WORDS;
        int a = (int) (h >>> 32);
        int b = (int) (h >>> 41) | 1;
        for (int k = 0; k < PROBES; k++, a += b) {
            int bit = a & 511;
            words[base + (bit >>> 6)] |= 1L << bit;
        }
    }

    boolean mayContain(long h) {
        int base = ((int) h & blockMask) * BLOCK_WORDS;
        int a = (int) (h >>> 32);
        int b = (int) (h >>> 41) | 1;
        for (int k = 0; k < PROBES; k++, a += b) {
            int bit = a & 511;
            if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }
}
