package org.skipstore.pagestore.internal.engine;

import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.skipstore.pagestore.ReadTransaction;

/**
 * One read transaction of the store, as of one flush, shared by every read state made until
 * the next flush (a memtable switch makes a new read state, not a new store state). Counted as
 * {@link Layer}s are: the last read state to let go closes it, so the store's pages it reads
 * are reused only then.
 *
 * <p>Many threads read through it at once. That is sound because a read transaction's point
 * reads and new cursors keep no per-call state in it (each cursor has its own position) and
 * the engine never opens the store in checked-segments mode, whose copies would be shared.
 */
final class StoreView {

    final ReadTransaction txn;
    /** The last log sequence the store holds (its commit metadata). */
    final long flushedSequence;
    /**
     * The store's commit metadata, decoded once: every commit of a Kafka Streams store reads it
     * (to size its own metadata against the limit), and it changes only with the next flush.
     * Unmodifiable; its arrays are shared, so whoever hands them out copies them.
     */
    final SortedMap<String, byte[]> metadata;
    private final AtomicInteger refs = new AtomicInteger();

    StoreView(ReadTransaction txn, long flushedSequence) {
        this.txn = txn;
        this.flushedSequence = flushedSequence;
        this.metadata = txn.metadata();
    }

    void ref() {
        refs.incrementAndGet();
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                txn.close();
            } catch (RuntimeException e) {
                // the store is closed already (the engine closed with readers open): nothing is held
            }
        }
    }
}
