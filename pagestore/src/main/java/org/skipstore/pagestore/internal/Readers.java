package org.skipstore.pagestore.internal;

import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The reader table: how many open readers read each committed state. Its oldest entry is the
 * reclaim horizon ({@link HeldBlocks#reclaim}): a block freed by transaction {@code F} may be
 * reused only once no reader reads a state before {@code F}.
 *
 * <p>A reader registers the state it reads under this table's lock ({@link #open}), and the
 * writer takes the horizon under the same lock: so a reader is either counted before the horizon
 * is taken, or it reads a state at least as new as every block freed up to then. Readers never
 * wait for the writer; the lock is held only for the map update.
 */
final class Readers {

    /** State (transaction id) -> open readers of it. */
    private final TreeMap<Long, Integer> states = new TreeMap<>();

    /** Registers a reader of the state {@code committed} gives now, and returns that state. */
    synchronized Meta open(Supplier<Meta> committed) {
        Meta m = committed.get();
        states.merge(m.txnId, 1, Integer::sum);
        return m;
    }

    /** A reader of state {@code txn} closed. */
    synchronized void close(long txn) {
        states.computeIfPresent(txn, (k, c) -> c == 1 ? null : c - 1);
    }

    /** The state the oldest open reader reads; {@code Long.MAX_VALUE} when none is open. */
    synchronized long oldest() {
        return states.isEmpty() ? Long.MAX_VALUE : states.firstKey();
    }

    /** Open readers. */
    synchronized int count() {
        int n = 0;
        for (int c : states.values()) {
            n += c;
        }
        return n;
    }
}
