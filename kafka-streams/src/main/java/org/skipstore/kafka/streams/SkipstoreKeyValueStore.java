package org.skipstore.kafka.streams;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.skipstore.core.SkipstoreException;
import org.skipstore.kafka.streams.internal.CommittedOffsets;
import org.skipstore.kafka.streams.internal.EngineBatches;
import org.skipstore.kafka.streams.internal.Failures;
import org.skipstore.kafka.streams.internal.StoreIterator;
import org.skipstore.kafka.streams.internal.StoreQueries;
import org.skipstore.kafka.streams.internal.UncommittedWrites;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.Range;
import org.skipstore.pagestore.Skipstore;

/**
 * A persistent, transactional Kafka Streams key-value store on a Skipstore engine, made by
 * {@link SkipstoreStores#persistentKeyValueStore}. Kafka Streams wraps it (metering, caching,
 * change logging) like RocksDB's store.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>{@link #init}: opens the engine in {@code <state dir>/<name>} with no log of its own
 *       (NO_LOG: the changelog topic is the log), reads the committed offsets from its commit
 *       metadata ({@link CommittedOffsets}), and registers a batching restore callback: each
 *       restore batch goes to the engine as one atomic write (a null value deletes).</li>
 *   <li>Writes ({@code put}, {@code putIfAbsent}, {@code putAll}, {@code delete}) go to the
 *       store's {@link UncommittedWrites}, on the heap; every read of the store sees them over the
 *       engine (the stream thread reads its own writes). Each write moves the uncommitted
 *       {@link Position} to the record being processed.</li>
 *   <li>{@link #commit}: the writes go to the engine as one {@code WriteBatch} (several when they
 *       pass the engine's batch limit, half a memtable: {@link EngineBatches}), then a checkpoint
 *       makes them durable together with the offsets, and the position advances. A close without
 *       a commit discards the writes: after a crash or a close the store holds what the last
 *       commit (or restore) wrote, and reports that commit's offsets.</li>
 *   <li>Iterators ({@link StoreIterator}) read a consistent snapshot: an engine snapshot and a
 *       copy of the uncommitted writes in their range, taken when made. The caller closes them;
 *       {@link #close} closes those still open before the engine, so none reads freed memory.</li>
 * </ul>
 * Thread-safe: the stream thread writes, interactive queries read from other threads; every
 * method holds the store's lock (as RocksDB's store does), and an iterator reads without it.
 * Failures are Kafka Streams' exceptions: a closed store {@code InvalidStateStoreException}, the
 * engine's failures {@link ProcessorStateException} ({@link Failures}).
 */
public final class SkipstoreKeyValueStore implements KeyValueStore<Bytes, byte[]> {

    private static final System.Logger LOG = System.getLogger(SkipstoreKeyValueStore.class.getName());

    private final String name;
    private final SkipstoreStoreConfig config;
    private final UncommittedWrites writes = new UncommittedWrites();
    private final Set<StoreIterator> iterators = ConcurrentHashMap.newKeySet(); // an iterator leaves on any thread
    private final ReadOnlyKeyValueStore<Bytes, byte[]> committedView = new CommittedView();

    private volatile boolean open;
    private StateStoreContext context;
    private Skipstore db;
    private CommittedOffsets offsets = CommittedOffsets.none();
    private boolean restoredSinceCommit;
    private final Position position = Position.emptyPosition(); // as of the last commit
    private Position uncommittedPosition = Position.emptyPosition();

    SkipstoreKeyValueStore(String name, SkipstoreStoreConfig config) {
        this.name = name;
        this.config = config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Opens the engine; a store that was closed may be opened again (Kafka Streams revives tasks so). */
    @Override
    public synchronized void init(StateStoreContext context, StateStore root) {
        if (open) {
            throw new IllegalStateException("store " + name + " is already open");
        }
        Path dir = context.stateDir().toPath().resolve(name);
        try {
            db = config.engine().open(dir);
            offsets = CommittedOffsets.from(db.metadata());
        } catch (SkipstoreException e) {
            closeEngine();
            throw Failures.of(name, "opening " + dir, e);
        } catch (RuntimeException e) {
            closeEngine();
            throw e;
        }
        this.context = context;
        restoredSinceCommit = false;
        open = true;
        try {
            context.register(root, (BatchingStateRestoreCallback) this::restore);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private synchronized void restore(Collection<KeyValue<byte[], byte[]>> records) {
        checkOpen();
        try {
            EngineBatches out = batches();
            for (KeyValue<byte[], byte[]> r : records) {
                if (r.value == null) {
                    out.delete(r.key);
                } else {
                    out.put(r.key, r.value);
                }
            }
            out.finish();
        } catch (SkipstoreException | IllegalArgumentException e) {
            throw Failures.of(name, "restoring " + records.size() + " records", e);
        }
        restoredSinceCommit = true;
    }

    // ---- writes: into the uncommitted writes -------------------------------------------------------

    @Override
    public synchronized void put(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        checkSizes(key, value);
        writes.put(key, value);
        track();
    }

    @Override
    public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    /** All or none: every entry is checked before any is written. */
    @Override
    public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        Objects.requireNonNull(entries, "entries cannot be null");
        checkOpen();
        for (KeyValue<Bytes, byte[]> e : entries) {
            Objects.requireNonNull(e, "entry cannot be null");
            Objects.requireNonNull(e.key, "key cannot be null");
            checkSizes(e.key, e.value);
        }
        for (KeyValue<Bytes, byte[]> e : entries) {
            writes.put(e.key, e.value);
        }
        track();
    }

    @Override
    public synchronized byte[] delete(Bytes key) {
        byte[] old = get(key);
        put(key, null);
        return old;
    }

    private void checkSizes(Bytes key, byte[] value) {
        if (key.get().length > db.maxKeyBytes() || (value != null && value.length > db.maxValueBytes())) {
            throw new ProcessorStateException("store " + name + " takes keys up to " + db.maxKeyBytes()
                    + " bytes and values up to " + db.maxValueBytes() + " (half a memtable): a key of "
                    + key.get().length + " bytes and a value of " + (value == null ? 0 : value.length));
        }
    }

    /** Moves the uncommitted position to the record being processed, if any (none while restoring). */
    private void track() {
        context.recordMetadata().ifPresent(m -> {
            if (m.topic() != null) {
                uncommittedPosition.withComponent(m.topic(), m.partition(), m.offset());
            }
        });
    }

    // ---- commit ------------------------------------------------------------------------------------

    /**
     * Writes the uncommitted writes to the engine and makes them durable with {@code
     * changelogOffsets}: an empty map clears every committed offset, a null offset its
     * partition's. A commit that changes nothing writes nothing.
     */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        Objects.requireNonNull(changelogOffsets, "changelogOffsets");
        checkOpen();
        CommittedOffsets next = offsets.with(changelogOffsets);
        if (!writes.isEmpty() || restoredSinceCommit || !next.equals(offsets)) {
            try {
                EngineBatches out = batches();
                writes.forEach((k, v) -> {
                    if (v == null) {
                        out.delete(k.get());
                    } else {
                        out.put(k.get(), v);
                    }
                });
                out.finish();
                writes.clear();
                makeDurable(next.metadata());
            } catch (SkipstoreException | IllegalArgumentException e) {
                throw Failures.of(name, "committing", e);
            }
            offsets = next;
            restoredSinceCommit = false;
        }
        position.merge(uncommittedPosition);
        uncommittedPosition = Position.emptyPosition();
    }

    /**
     * The one place a commit becomes durable: a checkpoint flushes the engine's memtables into its
     * store and commits {@code metadata} with them (an fsync each commit). To be replaced by
     * metadata that rides in the commit's batch, durable at the next flush.
     */
    private void makeDurable(Map<String, byte[]> metadata) {
        db.checkpoint(metadata);
    }

    private EngineBatches batches() {
        return new EngineBatches(db, config.memtableBytes() / 2);
    }

    @SuppressWarnings("deprecation") // deprecated because every store is to manage its offsets
    @Override
    public boolean managesOffsets() {
        return true;
    }

    @Override
    public synchronized Long committedOffset(TopicPartition partition) {
        checkOpen();
        return offsets.get(partition);
    }

    @Override
    public synchronized long approximateNumUncommittedBytes() {
        return writes.approximateBytes();
    }

    @Override
    public Position getPosition() {
        return position;
    }

    /** Closes open iterators and the engine, dropping uncommitted writes. Idempotent. */
    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            for (StoreIterator it : List.copyOf(iterators)) {
                it.close();
            }
        } finally {
            writes.clear();
            uncommittedPosition = Position.emptyPosition();
            try {
                db.close();
            } catch (SkipstoreException e) {
                throw Failures.of(name, "closing", e);
            } finally {
                db = null;
            }
        }
    }

    private void closeEngine() {
        if (db != null) {
            try {
                db.close();
            } catch (SkipstoreException e) {
                LOG.log(System.Logger.Level.WARNING, "store " + name + ": closing after a failed open failed", e);
            }
            db = null;
        }
    }

    private void checkOpen() {
        if (!open) {
            throw Failures.closed(name);
        }
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public synchronized byte[] get(Bytes key) {
        return read(key, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return scan(from, to, true, false, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return scan(from, to, true, true, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return scan(null, null, true, false, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return scan(null, null, true, true, true);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(serializer, "serializer cannot be null");
        byte[] p = serializer.serialize(null, prefix);
        return scan(Bytes.wrap(p), prefixEnd(p), false, false, true);
    }

    @Override
    public synchronized long approximateNumEntries() {
        return count(true);
    }

    /** The store as of its last commit ({@code READ_COMMITTED}), or the store itself. */
    @Override
    public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel level) {
        return level == IsolationLevel.READ_COMMITTED ? committedView : this;
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
        IsolationLevel level = config.getIsolationLevel() == null ? IsolationLevel.READ_UNCOMMITTED
                : config.getIsolationLevel();
        Position at;
        int partition;
        synchronized (this) {
            checkOpen();
            at = level == IsolationLevel.READ_COMMITTED ? position.copy() : position.copy().merge(uncommittedPosition);
            partition = context.taskId().partition();
        }
        return StoreQueries.run(query, bound, config, this, readOnly(level), at, partition);
    }

    private synchronized byte[] read(Bytes key, boolean withWrites) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
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
            throw Failures.of(name, "reading", e);
        }
    }

    /** An iterator from {@code from} to {@code to} (null: no bound), over the engine and, {@code withWrites}, the uncommitted writes. */
    private synchronized KeyValueIterator<Bytes, byte[]> scan(Bytes from, Bytes to, boolean toInclusive, boolean reverse,
                                                              boolean withWrites) {
        checkOpen();
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.log(System.Logger.Level.WARNING, "store " + name + ": an empty iterator for a range whose from is past"
                    + " its to; serdes that do not keep order in their bytes (numbers below 0) make such ranges");
            return register(new StoreIterator(name, null, List.of(), from, to, toInclusive, reverse, iterators::remove));
        }
        List<Map.Entry<Bytes, byte[]>> copy = withWrites ? writes.copy(from, to, toInclusive, reverse) : List.of();
        try {
            DbSnapshot snapshot = db.snapshot();
            return register(new StoreIterator(name, snapshot, copy, from, to, toInclusive, reverse, iterators::remove));
        } catch (SkipstoreException e) {
            throw Failures.of(name, "starting an iterator", e);
        }
    }

    private StoreIterator register(StoreIterator it) {
        iterators.add(it);
        return it;
    }

    /** Live keys: the engine's, counted in a snapshot, and the uncommitted writes' changes to them. */
    private synchronized long count(boolean withWrites) {
        checkOpen();
        try (DbSnapshot s = db.snapshot();
             Stream<org.skipstore.pagestore.KeyValue> keys = s.stream(Range.all().keysOnly())) {
            long[] n = {keys.count()};
            if (withWrites) {
                writes.forEach((k, v) -> {
                    boolean committed = s.containsKey(k.get());
                    n[0] += v == null ? (committed ? -1 : 0) : (committed ? 0 : 1);
                });
            }
            return n[0];
        } catch (SkipstoreException e) {
            throw Failures.of(name, "counting", e);
        }
    }

    /** The least key above every key that starts with {@code prefix}, or null when there is none (all 0xff). */
    static Bytes prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return Bytes.wrap(end);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "SkipstoreKeyValueStore[" + name + (open ? ", open" : ", closed") + "]";
    }

    /** The store without its uncommitted writes: what {@code READ_COMMITTED} queries read. */
    private final class CommittedView implements ReadOnlyKeyValueStore<Bytes, byte[]> {
        @Override
        public byte[] get(Bytes key) {
            return read(key, false);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return scan(from, to, true, false, false);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return scan(from, to, true, true, false);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return scan(null, null, true, false, false);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return scan(null, null, true, true, false);
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
            byte[] p = serializer.serialize(null, Objects.requireNonNull(prefix, "prefix cannot be null"));
            return scan(Bytes.wrap(p), prefixEnd(p), false, false, false);
        }

        @Override
        public long approximateNumEntries() {
            return count(false);
        }
    }
}
