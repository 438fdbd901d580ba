package org.skipstore.pagestore.internal.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the engine's write stalls cost: counts and time, and a JFR event each ({@link StallEvent});
 * and the slowdowns before them (counted only: there is one a group).
 */
final class Stalls {

    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder slowdowns = new LongAdder();
    private final LongAdder slowdownNanos = new LongAdder();

    /** One stall under way. */
    static final class Stall {
        private final long start = System.nanoTime();
        private final StallEvent event = new StallEvent();
    }

    /** A stall begins: {@code sealed} memtables wait for a flush. */
    Stall begin(int sealed) {
        count.increment(); // counted as it begins: a stall under way shows in the stats
        Stall s = new Stall();
        s.event.begin();
        s.event.cause = "sealed memtables at the limit (" + sealed + "): waiting for a flush";
        s.event.sealed = sealed;
        return s;
    }

    /** The stall ends: the writer goes on (or fails). */
    void end(Stall s) {
        nanos.add(System.nanoTime() - s.start);
        s.event.commit();
    }

    /** A group was held back {@code nanos} before a stall ({@code Layers.slowDown}). */
    void slowed(long nanos) {
        slowdowns.increment();
        slowdownNanos.add(nanos);
    }

    long slowdowns() {
        return slowdowns.sum();
    }

    long slowdownNanos() {
        return slowdownNanos.sum();
    }

    long count() {
        return count.sum();
    }

    long nanos() {
        return nanos.sum();
    }
}
