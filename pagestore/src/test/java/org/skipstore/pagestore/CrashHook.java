package org.skipstore.pagestore;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * The engine's test seam ({@link SkipstoreBuilder#hook}) as the crash tests use it: armed with a
 * {@link Point} and a count, it lets that many passes of the point go by and throws a
 * {@link SimulatedCrash} at the next one, once; the engine then stops as it would after a real
 * failure there, and the test calls {@link Skipstore#crash()}. The engine calls it from the
 * commit leader's thread (the write points) and the flusher's (the flush points), so every field
 * is safe to read from either. It counts every pass, armed or not, so a test can say which
 * points it reached.
 */
final class CrashHook implements Point.Hook {

    /** What the armed hook throws: an I/O failure, as the engine would get from the disk there. */
    static final class SimulatedCrash extends IOException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(Point p) {
            super("simulated crash at " + p);
        }
    }

    private static final Point[] POINTS = Point.values();

    private volatile Point armed;
    private final AtomicInteger left = new AtomicInteger();
    private volatile Point firedAt;
    private final AtomicLongArray passes = new AtomicLongArray(POINTS.length);
    private final AtomicLongArray fires = new AtomicLongArray(POINTS.length);

    /** Throws at the {@code after + 1}-th pass of {@code point} from now (and not again). */
    CrashHook arm(Point point, int after) {
        firedAt = null;
        left.set(after);
        armed = point;
        return this;
    }

    /** No crash from now on (one already under way in another thread may still come); {@link #fired()} keeps the last one. */
    void disarm() {
        armed = null;
    }

    /** Disarms and forgets the last crash: once the engine's threads have stopped. */
    void clear() {
        armed = null;
        firedAt = null;
    }

    /** Whether it threw since it was last armed. */
    boolean fired() {
        return firedAt != null;
    }

    /** Where it threw since it was last armed, or null. */
    Point firedAt() {
        return firedAt;
    }

    /** How often the engine passed {@code p} since this hook was made. */
    long passes(Point p) {
        return passes.get(p.ordinal());
    }

    /** How often it threw at {@code p}. */
    long fires(Point p) {
        return fires.get(p.ordinal());
    }

    @Override
    public void at(Point p) throws IOException {
        passes.incrementAndGet(p.ordinal());
        if (armed == p && left.getAndDecrement() == 0) {
            armed = null;
            firedAt = p;
            fires.incrementAndGet(p.ordinal());
            throw new SimulatedCrash(p);
        }
    }
}
