package org.skipstore.pagestore.internal.engine;

import java.util.concurrent.atomic.LongAdder;

/** What the engine's write stalls cost: counts and time, and a JFR event each ({@link StallEvent}). */
final class Stalls {

    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    /** One stall under way. */
    static final class Stall {
        private final long start = System.nanoTime();
        private final StallEvent event = new StallEvent();
    }

    /** A stall begins: {@code sealed} memtables wait for a flush. */
    Stall begin(int sealed) {
        Stall s = new Stall();
        s.event.begin();
        s.event.cause = "sealed memtables at the limit (" + sealed + "): waiting for a flush";
        s.event.sealed = sealed;
        return s;
    }

    /** The stall ends: the writer goes on (or fails). */
    void end(Stall s) {
        count.increment();
        nanos.add(System.nanoTime() - s.start);
        s.event.commit();
    }

    long count() {
        return count.sum();
    }

    long nanos() {
        return nanos.sum();
    }
}
