package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Checks the checksum of every block of the structure the first time a state's block is read,
 * and remembers which blocks passed, so that later reads cost one bit test.
 *
 * <p>Every block of the structure ({@linkplain WriteTxn#allocateRun runs}: partitions and
 * out-of-line values) begins with {@link PageSource#CHECKSUM}, the CRC32C of the rest of the
 * block, set when its transaction commits ({@link WriteTxn#seal}). A block is immutable from its
 * commit until it is freed, and it is reused only once no reader can reach it; its bit is cleared
 * when the commit that reuses it writes it, before that commit is published, so a reader of the
 * new state never trusts the old check. The bits are set and cleared with atomic read-modify-write
 * operations: a plain {@code |=} from a reader racing the writer's clear of another bit in the
 * same word could bring a cleared bit back. A lost set (growth replaces the array) only costs a
 * second check.
 *
 * <p>What it catches: damage in the file (a flipped bit, a torn or misdirected write, another
 * program's bytes) of a block when it is first read after the store opened, or by
 * {@link #forget() every block} at {@code verify()}. A block this open's commits wrote is trusted
 * from its commit on ({@link #passed}): the page cache holds the bytes its checksum was computed
 * from. Damage done to the page cache later, after a block passed, shows only at the next open
 * or verify.
 */
public final class BlockChecks {

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private volatile long[] bits;
    /** The first damage found in the store (by a check or by {@code verify()}), or null. */
    private volatile RuntimeException damage;

    public BlockChecks(long pages) {
        bits = new long[words(pages)];
    }

    private static int words(long pages) {
        return (int) ((pages + 63) >>> 6);
    }

    /**
     * {@code block} (the whole block whose first page is {@code page}), once its checksum is
     * known to match.
     *
     * @throws CorruptBlockException when it does not
     */
    public MemorySegment check(long page, MemorySegment block) {
        long[] b = bits;
        int w = (int) (page >>> 6);
        if (w < b.length && ((long) WORD.getOpaque(b, w) & 1L << page) != 0) { // the shift takes page's low 6 bits
            return block;
        }
        return checkNow(page, block, b, w);
    }

    /** The first check of a block: apart, so that the trusted path above stays small enough to inline. */
    private MemorySegment checkNow(long page, MemorySegment block, long[] b, int w) {
        long bit = 1L << page;
        int stored = block.get(PageSource.CHECKSUM, 0);
        int actual = Checksums.crc32c(block, PageSource.CHECKSUM.byteSize(), block.byteSize());
        if (stored != actual) {
            CorruptBlockException e = new CorruptBlockException(page, block.byteSize(), stored, actual);
            damaged(e);
            throw e;
        }
        if (w < b.length) {
            WORD.getAndBitwiseOr(b, w, bit);
        }
        return block;
    }

    /**
     * The commit wrote the run at {@code page} (first page) through the file, with the checksum
     * it computed from the very bytes it wrote: the pages hold them, and a first read need not
     * sum them again (before this, a random fill summed every partition twice: sealing it, then
     * reading it in the next transaction).
     */
    void passed(long page) {
        long[] b = bits;
        int w = (int) (page >>> 6);
        if (w < b.length) {
            WORD.getAndBitwiseOr(b, w, 1L << page);
        }
    }

    /** The writer is about to write a block at {@code page}: its old check no longer holds. */
    public void written(long page) {
        long[] b = bits;
        int w = (int) (page >>> 6);
        if (w < b.length) {
            WORD.getAndBitwiseAnd(b, w, ~(1L << page));
        }
    }

    /** The file grew to {@code pages} pages (the writer, under the write lock). */
    void grow(long pages) {
        if (words(pages) > bits.length) {
            bits = Arrays.copyOf(bits, words(pages));
        }
    }

    /** Records damage found in the store: the pager refuses writes from then on. */
    public void damaged(RuntimeException e) {
        if (damage == null) {
            damage = e;
        }
    }

    /** The first damage found since the store opened, or null. */
    public RuntimeException damage() {
        return damage;
    }

    /** Forgets every check, so that the next read of each block checks it again. */
    public void forget() {
        bits = new long[bits.length];
    }
}
