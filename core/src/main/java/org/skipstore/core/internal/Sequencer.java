package org.skipstore.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Sequence numbers for writes, the visibility watermark for snapshots, and the seal bit.
 *
 * <h2>Why a watermark</h2>
 * Every write takes a sequence number {@code s} before it links its node. Writers race, so
 * {@code s = 8} may be linked before {@code s = 7}. A snapshot taken "at the last sequence
 * handed out" would then see 7 appear later: not repeatable (fastskip's first defect). The
 * <em>watermark</em> {@code W} is the largest {@code s} such that every write with a sequence
 * {@code <= W} is finished (linked, or abandoned without linking). A snapshot at {@code W} sees
 * exactly the versions with {@code seq <= W}, and that set never changes.
 *
 * <h2>The completion ring</h2>
 * <pre>
 *   seq:      ... 41 42 43 44 45 ...
 *   ring:     ... 41 42  0 44  0 ...      slot (s mod N) holds s once write s is finished
 *   watermark = 42: 43 is still linking, so 44 waits behind it
 * </pre>
 * A writer stores {@code s} into slot {@code s mod N} with release semantics after its level-0
 * CAS (or when it gives up), so a thread that reads the slot with acquire also sees the link.
 * {@link #watermark()} advances over consecutive finished slots. Writers never wait for each
 * other, except to keep the ring from lapping: a writer whose sequence is {@code N/2} ahead of
 * the watermark advances it first, and spins (rarely, only behind a writer stalled mid-insert)
 * while it is {@code N - 1} ahead.
 *
 * <h2>Sealing</h2>
 * The top bit of the sequence counter is the seal. {@link #seal()} sets it atomically with the
 * same read-modify-write that writers use to take a sequence, so every write either took its
 * sequence before the seal (it finishes in this memtable, and seal waits for it) or after (it
 * sees the bit and reports SEALED without linking). Never both, never neither.
 */
public final class Sequencer {

    /** Set in the counter once sealed; a taken sequence with this bit means "sealed". */
    public static final long SEALED = 1L << 62;

    private static final int RING = 1 << 10;
    /** Slots are a cache line apart so that two writers finishing together do not share a line. */
    private static final int STRIDE = 8;
    /** Ring slots, and the counter and watermark words, each alone on its cache line. */
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Index of the word inside its padded array: 64 bytes of padding on both sides. */
    private static final int MID = 8;

    private final long[] ring = new long[RING * STRIDE];
    /** {@code counter[MID]}: next sequence to hand out (the first is 1), plus {@link #SEALED}. */
    private final long[] counter = new long[2 * MID + 1];
    /** {@code mark[MID]}: the watermark. */
    private final long[] mark = new long[2 * MID + 1];

    public Sequencer() {
        SLOT.setVolatile(counter, MID, 1L);
    }

    /** Takes the next sequence; the result has {@link #SEALED} set when the memtable is sealed. */
    public long next() {
        return (long) SLOT.getAndAdd(counter, MID, 1L);
    }

    /** The sequence the next write would take (without the seal bit). */
    public long peek() {
        return (long) SLOT.getVolatile(counter, MID) & ~SEALED;
    }

    /** Marks write {@code s} finished, linked or abandoned. Every {@link #next()} without the seal bit must end here. */
    public void finish(long s) {
        if (s - (long) SLOT.getVolatile(mark, MID) >= RING / 2) {
            while (s - watermarkAdvanced() >= RING - 1) {
                Thread.onSpinWait(); // a writer RING sequences behind has not finished yet
            }
        }
        SLOT.setRelease(ring, slot(s), s);
    }

    private static int slot(long s) {
        return (int) (s & (RING - 1)) * STRIDE;
    }

    /** Advances and returns the watermark: every write with a sequence at most this is finished. */
    public long watermark() {
        return watermarkAdvanced();
    }

    private long watermarkAdvanced() {
        long w = (long) SLOT.getVolatile(mark, MID);
        long start = w;
        while ((long) SLOT.getAcquire(ring, slot(w + 1)) == w + 1) {
            w++;
        }
        if (w != start) {
            long cur;
            while ((cur = (long) SLOT.getVolatile(mark, MID)) < w && !SLOT.compareAndSet(mark, MID, cur, w)) {
                Thread.onSpinWait();
            }
        }
        return Math.max(w, (long) SLOT.getVolatile(mark, MID));
    }

    /**
     * Seals: later {@link #next()} calls carry {@link #SEALED}. Returns once every write that took
     * its sequence before the seal has finished.
     *
     * @return false when already sealed
     */
    public boolean seal() {
        long before = (long) SLOT.getAndBitwiseOr(counter, MID, SEALED);
        if ((before & SEALED) != 0) {
            return false;
        }
        long last = before - 1;
        while (watermarkAdvanced() < last) {
            Thread.onSpinWait();
        }
        return true;
    }

    public boolean isSealed() {
        return ((long) SLOT.getVolatile(counter, MID) & SEALED) != 0;
    }
}
