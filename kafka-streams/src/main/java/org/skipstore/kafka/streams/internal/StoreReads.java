package org.skipstore.kafka.streams.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.KeyValue;
import org.skipstore.pagestore.Range;
import org.skipstore.pagestore.Skipstore;

/**
 * A store's reads: point reads, iterators and counts of the engine with the store's uncommitted
 * writes over it, or of the engine alone (what {@code READ_COMMITTED} reads). The store calls
 * it under its lock, so the copy of the writes and the engine snapshot an iterator takes are of
 * the same moment. It keeps the store's open iterators ({@link #closeIterators} before the
 * engine closes); an iterator leaves the set when it closes, on whichever thread.
 */
public final class StoreReads {

    private static final System.Logger LOG = System.getLogger(StoreReads.class.getName());

    private final String store;
    private final Skipstore db;
    private final UncommittedWrites writes;
    private final Set<StoreIterator> open = ConcurrentHashMap.newKeySet();

    /** The reads of store {@code store} over {@code db} and {@code writes}. */
    public StoreReads(String store, Skipstore db, UncommittedWrites writes) {
        this.store = store;
        this.db = db;
        this.writes = writes;
    }

    /** The value of {@code key}, or null. */
    public byte[] get(Bytes key, boolean withWrites) {
        if (withWrites) {
            byte[] w = writes.get(key);
            if (w != null) {
                return UncommittedWrites.isDeletion(w) ? null : w;
            }
        }
        if (key.get().length > db.maxKeyBytes()) {
            return null; // no such key can have been written
        }
        try {
            return db.get(key.get());
        } catch (SkipstoreException e) {
            throw Failures.of(store, "reading", e);
        }
    }

    /**
     * An iterator from {@code from} to {@code to} (null: no bound; {@code to} included when {@code
     * toInclusive}). A range whose from is past its to is empty (Kafka's stores log it and return
     * nothing: serdes that do not keep order in their bytes, numbers below 0, make such ranges).
     */
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to, boolean toInclusive, boolean reverse,
                                                 boolean withWrites) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.log(System.Logger.Level.WARNING, "store " + store + ": an empty iterator for a range whose from is past"
                    + " its to; serdes that do not keep order in their bytes (numbers below 0) make such ranges");
            return register(new StoreIterator(store, null, List.of(), from, to, toInclusive, reverse, open::remove));
        }
        List<Map.Entry<Bytes, byte[]>> copy = withWrites ? writes.copy(from, to, toInclusive, reverse) : List.of();
        try {
            DbSnapshot snapshot = db.snapshot();
            return register(new StoreIterator(store, snapshot, copy, from, to, toInclusive, reverse, open::remove));
        } catch (SkipstoreException e) {
            throw Failures.of(store, "starting an iterator", e);
        }
    }

    /** An iterator over the keys that start with {@code prefix}, ascending. */
    public KeyValueIterator<Bytes, byte[]> prefix(byte[] prefix, boolean withWrites) {
        return range(Bytes.wrap(prefix), prefixEnd(prefix), false, false, withWrites);
    }

    /**
     * The live keys: the engine's, counted in a snapshot, and the uncommitted writes' changes to
     * them. Exact, and a walk over every key (the engine keeps no count).
     */
    public long count(boolean withWrites) {
        try (DbSnapshot s = db.snapshot(); Stream<KeyValue> keys = s.stream(Range.all().keysOnly())) {
            long[] n = {keys.count()};
            if (withWrites) {
                writes.forEach((k, v) -> {
                    boolean committed = s.containsKey(k.get());
                    n[0] += v == null ? (committed ? -1 : 0) : (committed ? 0 : 1);
                });
            }
            return n[0];
        } catch (SkipstoreException e) {
            throw Failures.of(store, "counting", e);
        }
    }

    /** Closes every iterator still open. */
    public void closeIterators() {
        for (StoreIterator it : List.copyOf(open)) {
            it.close();
        }
    }

    private StoreIterator register(StoreIterator it) {
        open.add(it);
        return it;
    }

    /** The least key above every key that starts with {@code prefix}, or null when there is none (all 0xff). */
    static Bytes prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return Bytes.wrap(end);
            }
        }
        return null;
    }
}
