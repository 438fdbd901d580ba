package org.skipstore.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.skipstore.core.ConcurrentSkipList.Sealed;

/**
 * The seal of one {@link ConcurrentSkipList} and what goes with it: who sealed it (exactly one
 * caller wins), its successor, the future and listener told once it has drained, and the
 * backpressure event that the seal ends.
 */
final class Sealing {

    /** The winning seal: set once, before the list refuses its first write. */
    private record Start(boolean automatic, long nanos, ConcurrentSkipList fresh) {
    }

    private static final VarHandle START;
    private static final VarHandle PRESSURE;
    /** {@link #pressure} once backpressure has ended: no event begins after it. */
    private static final MemtableBackpressureEvent ENDED = new MemtableBackpressureEvent();
    private static final System.Logger LOG = System.getLogger(ConcurrentSkipList.class.getName());

    static {
        try {
            START = MethodHandles.lookup().findVarHandle(Sealing.class, "start", Start.class);
            PRESSURE = MethodHandles.lookup().findVarHandle(Sealing.class, "pressure", MemtableBackpressureEvent.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Start start;
    private volatile MemtableBackpressureEvent pressure;
    private final CompletableFuture<Sealed> done = new CompletableFuture<>();
    private final Consumer<Sealed> listener;

    Sealing(Consumer<Sealed> listener) {
        this.listener = listener;
    }

    /**
     * Makes the caller the list's sealer, with a successor from {@code fresh}, unless someone
     * already is; the caller then seals the list's gate.
     *
     * @return false when the list already has a sealer
     */
    boolean begin(boolean automatic, Supplier<ConcurrentSkipList> fresh) {
        if (start != null) {
            return false;
        }
        ConcurrentSkipList successor = fresh.get();
        if (!START.compareAndSet(this, null, new Start(automatic, System.nanoTime(), successor))) {
            successor.close(); // a racing sealer won; rare, and the loser's list was never used
            return false;
        }
        endBackpressure();
        return true;
    }

    /** The successor, once someone has begun the seal; else null. */
    ConcurrentSkipList successor() {
        Start s = start;
        return s == null ? null : s.fresh;
    }

    /** The gate's drain action: every write under way at the seal has finished. */
    void drained(ConcurrentSkipList frozen) {
        Start s = start;
        MemtableSealEvent e = new MemtableSealEvent();
        if (e.shouldCommit()) {
            e.automatic = s.automatic;
            e.versions = frozen.versionCount();
            e.bytes = frozen.memoryUsage();
            e.drain = System.nanoTime() - s.nanos;
            e.commit();
        }
        Sealed sealed = new Sealed(frozen, s.fresh);
        done.complete(sealed);
        if (listener != null) {
            try {
                listener.accept(sealed);
            } catch (RuntimeException | Error t) { // the listener runs on a writer's thread: never fail its write
                LOG.log(System.Logger.Level.ERROR, "the memtable's onSeal listener failed", t);
            }
        }
    }

    /** Completes once the list has been sealed and has drained. */
    CompletableFuture<Sealed> future() {
        return done;
    }

    /** Whether backpressure has neither begun nor ended: the write path's cheap first test. */
    boolean backpressureUnseen() {
        return pressure == null;
    }

    /** Begins the backpressure event, once, unless backpressure has ended already. */
    void beginBackpressure(long memory, long memoryLimit, long entries, long entryLimit) {
        if (pressure != null) {
            return;
        }
        MemtableBackpressureEvent e = new MemtableBackpressureEvent();
        e.memory = memory;
        e.memoryLimit = memoryLimit;
        e.entries = entries;
        e.entryLimit = entryLimit;
        e.begin();
        PRESSURE.compareAndSet(this, null, e);
    }

    /** Ends (commits) the backpressure event if one began; no other begins afterwards. */
    void endBackpressure() {
        MemtableBackpressureEvent e = (MemtableBackpressureEvent) PRESSURE.getAndSet(this, ENDED);
        if (e != null && e != ENDED) {
            e.commit(); // JFR drops it when the event is disabled
        }
    }
}
