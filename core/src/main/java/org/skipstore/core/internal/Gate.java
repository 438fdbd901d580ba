package org.skipstore.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts the writes inside a list, and turns the list's seal and close into events that fire
 * once the writes that were inside have left: without any writer waiting for another.
 *
 * <h2>Protocol</h2>
 * <pre>
 *   writer                              sealer / closer
 *   1. count[stripe] += 1               a. flags |= SEALED (or CLOSED)
 *   2. read flags: set? undo 1, refuse  b. every count 0? the drain has happened
 *      ... the write ...
 *   3. count[stripe] -= 1
 *   4. read flags: set? every count 0? the drain has happened
 * </pre>
 * Steps 1-2 against a-b are Dekker's pattern on volatile accesses (sequentially consistent):
 * either the writer sees the flag and writes nothing, or the sealer sees the writer's count and
 * leaves the drain to the writer's step 4. Whoever makes the last decrement reads every count
 * after all the decrements before it, so at least one thread sees all counts zero; the drain
 * actions run exactly once ({@link #DRAINED_SEAL}, {@link #DRAINED_CLOSE} taken by CAS). A write
 * refused in step 2 undoes its count through step 3 and 4, so it can be the one that drains.
 *
 * <h2>Why stripes</h2>
 * One shared counter would put every write on one contended cache line twice. A writer uses
 * the stripe of its thread ({@link #stripe()}, fixed per thread), each stripe alone on its cache
 * line; only the sealer and the drain check read them all.
 */
public final class Gate {

    /** {@link #flags}: no write enters any more; later ones report SEALED. */
    public static final int SEALED = 1;
    /** {@link #flags}: the list is closed; its memory is freed once the writes inside have left. */
    public static final int CLOSED = 2;
    /** {@link #flags}: the seal's drain action has run (or is running). */
    private static final int DRAINED_SEAL = 4;
    /** {@link #flags}: the close's drain action has run (or is running). */
    private static final int DRAINED_CLOSE = 8;

    /** Longs per stripe: a stripe's count alone on a 64-byte line, with the line after it empty. */
    private static final int STRIDE = 16;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle FLAGS;

    static {
        try {
            FLAGS = MethodHandles.lookup().findVarHandle(Gate.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final long[] counts;
    private volatile int flags;
    private final Runnable onSealDrained;
    private final Runnable onCloseDrained;

    /**
     * @param stripes        a power of two, at least the number of CPUs that write at once
     * @param onSealDrained  runs once, on the thread that sees the drain after {@link #seal()}
     * @param onCloseDrained runs once, on the thread that sees the drain after {@link #close()}
     */
    public Gate(int stripes, Runnable onSealDrained, Runnable onCloseDrained) {
        if (Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
        }
        this.mask = stripes - 1;
        this.counts = new long[(stripes + 1) * STRIDE];
        this.onSealDrained = onSealDrained;
        this.onCloseDrained = onCloseDrained;
    }

    /** The stripe of the calling thread: fixed, so a thread's enter and exit meet one counter. */
    public int stripe() {
        return (int) mix(Thread.currentThread().threadId()) & mask;
    }

    private static long mix(long id) {
        id *= 0x9E3779B97F4A7C15L;
        return id ^ (id >>> 32);
    }

    private int index(int stripe) {
        return (stripe + 1) * STRIDE; // stripe 0 starts a line in, away from the array header
    }

    /**
     * Steps 1-2: enters a write on {@code stripe}.
     *
     * @return 0 when the write may go on (and must then {@link #exit}), else the flags that
     *         refused it ({@link #SEALED}, {@link #CLOSED}); a refused write must not exit
     */
    public int enter(int stripe) {
        COUNT.getAndAdd(counts, index(stripe), 1L);
        int f = flags;
        if ((f & (SEALED | CLOSED)) != 0) {
            exit(stripe);
            return f & (SEALED | CLOSED);
        }
        return 0;
    }

    /** Steps 3-4: the write that entered on {@code stripe} has left. */
    public void exit(int stripe) {
        COUNT.getAndAdd(counts, index(stripe), -1L);
        if (flags != 0) {
            drainIfEmpty();
        }
    }

    /**
     * Step a for the seal: later writes are refused. The seal's drain action runs once every
     * write that was inside has left, maybe before this returns.
     *
     * @return false when already sealed
     */
    public boolean seal() {
        int before = (int) FLAGS.getAndBitwiseOr(this, SEALED);
        if ((before & SEALED) != 0) {
            return false;
        }
        drainIfEmpty();
        return true;
    }

    /**
     * Step a for the close: later writes are refused; the close's drain action runs once every
     * write that was inside has left. Idempotent.
     */
    public void close() {
        FLAGS.getAndBitwiseOr(this, CLOSED);
        drainIfEmpty();
    }

    public boolean isSealed() {
        return (flags & SEALED) != 0;
    }

    public boolean isClosed() {
        return (flags & CLOSED) != 0;
    }

    /** Writes inside now (a moment's sum; exact only when nothing enters or leaves). */
    public long inside() {
        long sum = 0;
        for (int s = 0; s <= mask; s++) {
            sum += (long) COUNT.getVolatile(counts, index(s));
        }
        return sum;
    }

    /** Steps b and 4: runs each pending drain action once, if no write is inside. */
    private void drainIfEmpty() {
        for (int s = 0; s <= mask; s++) {
            if ((long) COUNT.getVolatile(counts, index(s)) != 0) {
                return;
            }
        }
        int f = flags;
        if ((f & SEALED) != 0 && (f & DRAINED_SEAL) == 0 && take(DRAINED_SEAL)) {
            onSealDrained.run();
        }
        f = flags;
        if ((f & CLOSED) != 0 && (f & DRAINED_CLOSE) == 0 && take(DRAINED_CLOSE)) {
            onCloseDrained.run();
        }
    }

    private boolean take(int bit) {
        return ((int) FLAGS.getAndBitwiseOr(this, bit) & bit) == 0;
    }
}
