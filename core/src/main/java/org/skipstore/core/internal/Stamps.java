package org.skipstore.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counter that orders writes for readers: a write becomes visible with a <em>stamp</em>
 * taken from it after its node is linked, and a snapshot is the counter's value when it was
 * taken; it sees exactly the versions stamped below that value. {@link SkipList}'s class comment
 * has the protocol (why the stamp is taken after linking, and who may take it).
 */
public final class Stamps {

    /**
     * The stamp of a linked version nobody has stamped yet. The largest long, so that within a
     * key such versions sort first (newest), as they are.
     */
    public static final long PENDING = Long.MAX_VALUE;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    /** Index of the counter in {@link #padded}: 64 bytes of padding on both sides. */
    private static final int MID = 8;

    /** {@code padded[MID]}: the next stamp to hand out. The first is 1. */
    private final long[] padded = new long[2 * MID + 1];

    public Stamps() {
        WORD.setVolatile(padded, MID, 1L);
    }

    /** Takes a fresh stamp, larger than every stamp taken before. */
    public long next() {
        return (long) WORD.getAndAdd(padded, MID, 1L);
    }

    /** The next stamp to hand out: a snapshot taken now sees the stamps below it. */
    public long current() {
        return (long) WORD.getVolatile(padded, MID);
    }
}
