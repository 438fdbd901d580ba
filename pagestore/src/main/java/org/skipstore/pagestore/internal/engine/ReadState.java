package org.skipstore.pagestore.internal.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a read reads, taken together: the active memtable, the sealed ones not yet flushed
 * (newest first) and a read transaction of the store, as RocksDB's SuperVersion or Pebble's
 * readState. Immutable once made; the engine makes a new one when a memtable is sealed or a
 * flush commits, and retires the old one.
 *
 * <h2>Why the parts are consistent</h2>
 * The store's transaction holds exactly the flushed memtables; every memtable listed holds
 * writes after them. A flush commits first and only then is a read state made without the
 * flushed memtable (and with a newer store transaction), so at every moment either the memtable
 * or the store has its writes, and a reader using one read state sees each write exactly once.
 *
 * <h2>Reference counting</h2>
 * {@link #refs} starts at 1, the engine's reference while the state is current. A reader
 * {@link #tryAcquire}s it (a CAS that fails once the count has reached zero: the state is
 * retired and freed, and the reader takes the engine's newer one) and {@link #release}s it when
 * done. The last release gives back its references to the memtables ({@link Layer}) and the store
 * transaction ({@link StoreView}). Readers never wait and never make a writer wait.
 */
final class ReadState {

    final Layer active;
    /** Sealed memtables, newest first. */
    final List<Layer> sealed;
    /** The store as of the last flush. */
    final StoreView store;
    private final AtomicInteger refs = new AtomicInteger(1);

    ReadState(Layer active, List<Layer> sealed, StoreView store) {
        this.active = active;
        this.sealed = List.copyOf(sealed);
        this.store = store;
        store.ref();
        active.ref();
        for (Layer l : this.sealed) {
            l.ref();
        }
    }

    boolean tryAcquire() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            store.release();
            active.release();
            for (Layer l : sealed) {
                l.release();
            }
        }
    }

    /** The layers newest first: the active one, then the sealed ones. */
    int layers() {
        return 1 + sealed.size();
    }

    Layer layer(int i) {
        return i == 0 ? active : sealed.get(i - 1);
    }
}
