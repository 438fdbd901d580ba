package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The memtable queue: the active memtable, the sealed ones waiting for a flush, and the
 * {@link Published} read state that readers take.
 *
 * <h2>Who changes what</h2>
 * <ul>
 *   <li>The commit leader (one thread at a time, {@link CommitPipeline}) writes into
 *       {@link #active()}; when it is full, {@link #seal} makes a new one (after waiting while
 *       {@code maxSealed} memtables already wait for a flush: the stall) and keeps the full one
 *       <em>pending</em>; at the end of its group {@link #publish} makes the group visible:
 *       one new {@link Published}, with a new {@link ReadState} when memtables were sealed.</li>
 *   <li>The flusher takes the sealed memtables of the published state, oldest first
 *       ({@link #awaitSealed}), writes them into the store, and {@link #retire}s them: a new read
 *       state without them, on the store's new state.</li>
 * </ul>
 * Both publish under {@link #lock}, each building on the published state it finds there, so
 * neither loses the other's change. Readers take no lock: {@link #acquire} is a volatile read
 * and a CAS ({@link ReadState#tryAcquire}).
 *
 * <h2>Bounded memory</h2>
 * A group seals at most one memtable (a group's bytes are at most a quarter of a memtable's and
 * a batch at most half, see {@code Engine}), and {@link #seal} waits until fewer than
 * {@code maxSealed} are published, so at most {@code 1 + maxSealed} memtables exist at once.
 */
final class Layers {

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a flush retires a memtable, a memtable is sealed, or the engine fails or closes. */
    private final Condition changed = lock.newCondition();
    /** A new memtable, given the one it replaces (null for the first). */
    private final Function<ConcurrentSkipList, ConcurrentSkipList> memtables;
    private final int maxSealed;
    private final Stalls stalls;
    private volatile Published published;
    /** Set when no more reads or writes may start (close) or writes must stop (a failure). */
    private volatile Throwable stop;
    private volatile boolean closed;
    /** Guarded by {@link #lock}: counts {@link #wake} calls, so a waiting flusher sees one it slept through. */
    private long wakeups;

    // ---- the commit leader's, one thread at a time ---------------------------------------------
    private Layer active;
    /** Sealed during the current group, not yet published; oldest first. */
    private final List<Layer> pending = new ArrayList<>();
    private long layerIds;
    /** The most memory the memtables had reserved at once, as seen at each seal. */
    private volatile long peakBytes;

    Layers(Function<ConcurrentSkipList, ConcurrentSkipList> memtables, int maxSealed, StoreView store, long flushedSequence,
           Stalls stalls) {
        this.memtables = memtables;
        this.maxSealed = maxSealed;
        this.stalls = stalls;
        this.active = new Layer(memtables.apply(null), ++layerIds, flushedSequence);
        this.published = new Published(new ReadState(active, List.of(), store), 0, flushedSequence, Map.of());
    }

    // ---- readers -------------------------------------------------------------------------------

    /** The published state, acquired: {@link ReadState#release()} it when done. */
    Published acquire() {
        for (;;) {
            if (closed) {
                throw new org.skipstore.core.SkipstoreException(Problem.CLOSED, "the database is closed");
            }
            Published p = published;
            if (p.state().tryAcquire()) {
                return p;
            }
            // retired: the engine had replaced it before letting it go, so the next read finds the newer one
        }
    }

    /** The published state, not acquired: for counts and stats only. */
    Published peek() {
        return published;
    }

    // ---- the commit leader ---------------------------------------------------------------------

    Layer active() {
        return active;
    }

    /**
     * Seals the active memtable, which stops taking writes, and makes a new one active; first
     * waits while {@code maxSealed} sealed memtables wait for a flush (the stall).
     */
    void seal() throws IOException {
        if (published.state().sealed.size() >= maxSealed) {
            Stalls.Stall stall = stalls.begin(maxSealed);
            lock.lock();
            try {
                while (published.state().sealed.size() >= maxSealed) {
                    checkRunning();
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreFailure(Problem.IO, "interrupted while waiting for a flush", e);
            } finally {
                lock.unlock();
                stalls.end(stall);
            }
        }
        Layer full = active;
        full.finalBound = full.table.lastSequence();
        pending.add(full);
        active = new Layer(memtables.apply(full.table), ++layerIds, full.lastWholeSequence);
        long bytes = active.table.memoryReserved();
        for (Layer l : pending) {
            bytes += l.table.memoryReserved();
        }
        for (Layer l : published.state().sealed) {
            bytes += l.table.memoryReserved(); // (a flush may free one meanwhile: then this overstates)
        }
        peakBytes = Math.max(peakBytes, bytes);
    }

    /** The memory the memtables reserved at most, at a seal (where it peaks). */
    long peakBytes() {
        return Math.max(peakBytes, memoryBytes());
    }

    /** The memory the published memtables reserve now. */
    long memoryBytes() {
        ReadState rs = published.state();
        long bytes = 0;
        try {
            bytes = rs.active.table.memoryReserved();
            for (Layer l : rs.sealed) {
                bytes += l.table.memoryReserved();
            }
        } catch (RuntimeException e) {
            // a memtable closed under us (retired meanwhile, or the engine closed): an estimate serves
        }
        return bytes;
    }

    /** The active memtable's fill from which writers slow down when no more may be sealed. */
    static final double SLOW_FROM = 0.75;
    /** The longest a group is held back, at a full memtable. */
    static final long MAX_SLOWDOWN_NANOS = 200_000;

    /**
     * Writers slow down before they stall: when {@code maxSealed} memtables already wait for a
     * flush, a group is held back in proportion to how far the active memtable is past
     * {@link #SLOW_FROM} full (up to {@link #MAX_SLOWDOWN_NANOS}), which spreads the wait for
     * the flush over many writes (as RocksDB's delayed write rate) instead of making one wait
     * for all of it. Called by the leader before a group.
     */
    void slowDown() {
        if (published.state().sealed.size() < maxSealed) {
            return;
        }
        ConcurrentSkipList t = active.table;
        double fill = t.memoryUsage() / (double) t.maxMemoryBytes();
        if (fill > SLOW_FROM) {
            long start = System.nanoTime();
            java.util.concurrent.locks.LockSupport.parkNanos(
                    (long) (Math.min(1, (fill - SLOW_FROM) / (1 - SLOW_FROM)) * MAX_SLOWDOWN_NANOS));
            stalls.slowed(System.nanoTime() - start);
        }
    }

    /** Makes everything the leader applied visible: log sequences up to {@code sequence}. */
    void publish(long sequence) {
        lock.lock();
        try {
            Published p = published;
            long bound = active.table.lastSequence();
            if (pending.isEmpty()) {
                published = new Published(p.state(), bound, sequence, active.metadata);
                return;
            }
            List<Layer> sealed = new ArrayList<>(pending.size() + p.state().sealed.size());
            for (int i = pending.size() - 1; i >= 0; i--) {
                sealed.add(pending.get(i));
            }
            sealed.addAll(p.state().sealed);
            pending.clear();
            published = new Published(new ReadState(active, sealed, p.state().store), bound, sequence, active.metadata);
            p.state().release();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- the flusher ---------------------------------------------------------------------------

    /**
     * The sealed memtables, oldest first, waiting up to {@code nanos} for one; empty when there
     * is none. A flusher that falls behind finds several and flushes them in one transaction:
     * each partition they touch is then copied and written once for all of them.
     */
    List<Layer> awaitSealed(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long w = wakeups;
            while (published.state().sealed.isEmpty() && nanos > 0 && !closed && wakeups == w) {
                nanos = changed.awaitNanos(nanos);
            }
            return List.copyOf(published.state().sealed.reversed());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes the store's new state, which holds {@code flushed} (the oldest sealed memtables,
     * oldest first), without them.
     */
    void retire(List<Layer> flushed, StoreView store) {
        lock.lock();
        try {
            Published p = published;
            List<Layer> sealed = new ArrayList<>(p.state().sealed); // newest first
            for (Layer l : flushed) {
                if (sealed.isEmpty() || sealed.getLast() != l) {
                    throw new IllegalStateException(l + " is not the oldest sealed memtable");
                }
                sealed.removeLast();
            }
            published = new Published(new ReadState(p.state().active, sealed, store), p.activeBound(), p.sequence(),
                    p.activeMetadata());
            p.state().release();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Publishes a new store state that adds nothing the memtables lack (a checkpoint's metadata). */
    void replaceStore(StoreView store) {
        lock.lock();
        try {
            Published p = published;
            published = new Published(new ReadState(p.state().active, p.state().sealed, store), p.activeBound(),
                    p.sequence(), p.activeMetadata());
            p.state().release();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting flusher: it has work other than a sealed memtable, or must stop. */
    void wake() {
        lock.lock();
        try {
            wakeups++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- failure and close ---------------------------------------------------------------------

    /** Records why writes must stop (the first reason wins) and wakes whoever waits. */
    void stop(Throwable why) {
        lock.lock();
        try {
            if (stop == null) {
                stop = why;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Throws when writes must stop. */
    void checkRunning() throws StoreFailure {
        Throwable s = stop;
        if (s != null) {
            if (s instanceof StoreFailure f) {
                throw new StoreFailure(f.problem(), f.getMessage(), f);
            }
            throw new StoreFailure(Problem.FAILED_WRITE, "the database stopped writing: " + s, s);
        }
    }

    /**
     * Ends reading: later acquires throw CLOSED, and every memtable is closed now, whether or
     * not a reader still holds it (its reads then throw CLOSED: the arena is freed safely).
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            Published p = published;
            p.state().release();
            p.state().active.table.close();
            for (Layer l : p.state().sealed) {
                l.table.close();
            }
            active.table.close();
            for (Layer l : pending) {
                l.table.close();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }
}
