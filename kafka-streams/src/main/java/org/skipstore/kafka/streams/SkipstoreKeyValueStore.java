package org.skipstore.kafka.streams;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
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
import org.skipstore.kafka.streams.internal.CommittedPosition;
import org.skipstore.kafka.streams.internal.EngineBatches;
import org.skipstore.kafka.streams.internal.Failures;
import org.skipstore.kafka.streams.internal.StoreQueries;
import org.skipstore.kafka.streams.internal.StoreReads;
import org.skipstore.kafka.streams.internal.UncommittedWrites;
import org.skipstore.kafka.streams.internal.ValueFormat;
import org.skipstore.pagestore.Skipstore;

/**
 * A persistent, transactional Kafka Streams key-value store on a Skipstore engine, made by
 * {@link SkipstoreStores#persistentKeyValueStore}, or by {@link
 * SkipstoreStores#persistentTimestampedKeyValueStore} as the subclass that holds timestamped values
 * (the DSL's). Kafka Streams wraps it (metering, caching, change logging) like RocksDB's store.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>{@link #init}: opens the engine in {@code <state dir>/<name>} with no log of its own
 *       (NO_LOG: the changelog topic is the log), with the options of its {@link
 *       SkipstoreStoreConfig} or of the application's {@code skipstore.*} properties and within
 *       the instance's memory budget ({@link SkipstoreStreamsConfig}, {@link StoreEngine}), reads
 *       the committed offsets from its commit metadata ({@link CommittedOffsets}), fails when that
 *       metadata records the other value format ({@link ValueFormat}; the store's first write
 *       records its own, {@link StoreEngine#batches}), and registers a
 *       batching restore callback ({@link #restore}): restore batches gather in the uncommitted
 *       writes (a null value deletes), and go to the engine in key order, each batch whole, once
 *       they pass a memtable's worth or at the next commit. {@link #close} gives the
 *       budget's share back.</li>
 *   <li>Writes ({@code put}, {@code putIfAbsent}, {@code putAll}, {@code delete}) go to the
 *       store's {@link UncommittedWrites}, on the heap; every read of the store sees them over the
 *       engine (the stream thread reads its own writes). Each write moves the uncommitted
 *       {@link Position} to the record being processed. Transactional as Kafka Streams runs
 *       stores with {@code enable.transactional.statestores=true}; without it Kafka Streams
 *       expects stores to write through and may not commit one for long, so past a quarter of a
 *       memtable the writes go to the engine without offsets ({@link #spillIfFull}).</li>
 *   <li>{@link #commit}: the writes go to the engine as one {@code WriteBatch} (several when they
 *       pass a sixteenth of a memtable: {@link EngineBatches}) with the offsets as
 *       commit metadata in the last one, and the position advances (recorded with them,
 *       {@link CommittedPosition}, so a restart keeps it); no fsync: they become durable
 *       together with the engine's next flush, as RocksDB's store's do. A close without a commit
 *       discards the writes: after a close the store holds what the last commit (or restore)
 *       wrote, after a crash what the last flush held, and it reports those writes' offsets.</li>
 *   <li>Reads ({@link StoreReads}) merge the writes over the engine. An iterator reads a
 *       consistent snapshot (an engine snapshot and a copy of the writes in its range, taken when
 *       it is made); {@link #close} closes those still open before the engine, so none reads
 *       freed memory.</li>
 * </ul>
 * Thread-safe: the stream thread writes, interactive queries read from other threads; every
 * method holds the store's lock (as RocksDB's store does), and an iterator reads without it.
 * Failures are Kafka Streams' exceptions: a closed store {@code InvalidStateStoreException}, the
 * engine's failures {@link ProcessorStateException} ({@link Failures}).
 */
public sealed class SkipstoreKeyValueStore implements KeyValueStore<Bytes, byte[]>
        permits SkipstoreTimestampedKeyValueStore {

    private static final System.Logger LOG = System.getLogger(SkipstoreKeyValueStore.class.getName());

    private final String name;
    private final SkipstoreStoreConfig explicitConfig; // null: the application's config decides
    private final UncommittedWrites writes = new UncommittedWrites();
    private final ReadOnlyKeyValueStore<Bytes, byte[]> committedView = new CommittedView(this);

    private volatile boolean open;
    private StateStoreContext context;
    private StoreEngine engine;
    private SkipstoreStoreConfig config; // what the engine opened with
    private Skipstore db;
    private StoreReads reads;
    private EngineBatches batches; // the engine's, reused by every commit and restore batch
    /** Uncommitted bytes past which the writes go to the engine ({@link #spillIfFull}); -1: never. */
    private long spillBytes;
    /** Uncommitted bytes past which a restore batch writes them to the engine: a memtable's worth ({@link #restore}). */
    private long restoreBytes;
    private CommittedOffsets offsets = CommittedOffsets.none();
    private volatile Position position = Position.emptyPosition(); // as of the last commit, never changed once set
    private boolean positionTooLarge; // logged once
    private Position uncommittedPosition = Position.emptyPosition();

    SkipstoreKeyValueStore(String name, SkipstoreStoreConfig explicitConfig) {
        this.name = name;
        this.explicitConfig = explicitConfig;
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

    /**
     * Opens the engine ({@link StoreEngine}); a store that was closed may be opened again (Kafka
     * Streams revives tasks so).
     *
     * @throws org.apache.kafka.common.config.ConfigException when a {@code skipstore.*} property is invalid
     */
    @Override
    public synchronized void init(StateStoreContext context, StateStore root) {
        if (open) {
            throw new IllegalStateException("store " + name + " is already open");
        }
        engine = StoreEngine.open(name, explicitConfig, format(), context);
        db = engine.db();
        config = engine.config();
        offsets = engine.offsets();
        this.context = context;
        reads = new StoreReads(name, db, writes);
        batches = engine.batches();
        position = CommittedPosition.from(db.metadata());
        restoreBytes = config.memtableBytes();
        spillBytes = transactional(context.appConfigs()) ? -1 : config.memtableBytes() / 4;
        open = true;
        try {
            context.register(root, (BatchingStateRestoreCallback) this::restore);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether Kafka Streams runs its stores as transactional ones (KIP-892; a Boolean or a String). */
    static boolean transactional(Map<String, Object> appConfigs) {
        Object v = appConfigs.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG);
        return v != null && Boolean.parseBoolean(v.toString().trim());
    }

    /**
     * A batch of changelog records (a null value deletes) into the uncommitted writes, which go to
     * the engine past {@link #restoreBytes} or at the next commit (Kafka Streams commits a store
     * as it checkpoints the restore, and when the restore ends). Gathered, since the engine links
     * a run of keys faster the closer they lie: written in key order, a run of a thousand (one
     * restore batch) leaves each key a search of a hundred versions from the last in a memtable
     * of 100 k keys, a run of tens of thousands a few; and a key that recurs in the run is
     * written once: a changelog holds many versions of a busy key (compaction leaves the active
     * segment alone). Up to a memtable's worth on the heap (by {@link
     * UncommittedWrites#approximateBytes}), four times what processing gathers, and only while
     * the store restores: restored from 1 M records over 100 k keys, the store writes each key once
     * (1.0 s), where gathering a quarter of that took 2.8 s. They are written under the store's
     * lock: no reader sees part of a batch. A
     * close before the commit drops them, as it drops processed writes: the committed offsets do
     * not cover them, so the next restore reads them again.
     */
    private synchronized void restore(Collection<KeyValue<byte[], byte[]>> records) {
        checkOpen();
        for (KeyValue<byte[], byte[]> r : records) { // all or none
            checkSizes(Bytes.wrap(r.key), r.value);
        }
        for (KeyValue<byte[], byte[]> r : records) {
            writes.put(Bytes.wrap(r.key), r.value);
        }
        if (writes.approximateBytes() > restoreBytes) {
            writeBuffer(Map.of(), "restoring");
        }
    }

    // ---- writes: into the uncommitted writes -------------------------------------------------------

    @Override
    public synchronized void put(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        checkSizes(key, value);
        writes.put(key, value);
        track();
        spillIfFull();
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
        spillIfFull();
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

    /** Moves the uncommitted position to the record being processed, if any. */
    private void track() {
        context.recordMetadata().ifPresent(m -> {
            if (m.topic() != null) {
                uncommittedPosition.withComponent(m.topic(), m.partition(), m.offset());
            }
        });
    }

    // ---- commit ------------------------------------------------------------------------------------

    /**
     * Writes the uncommitted writes to the engine with {@code changelogOffsets} as commit metadata
     * in the same (last) batch: an empty map clears every committed offset, a null offset its
     * partition's. The engine has no log of its own (the changelog is the log), so they become
     * durable together with the engine's next flush (a full memtable, or the close), as RocksDB's
     * store writes its offsets into the batch of its data: the store on disk always holds a
     * commit's data with that commit's offsets, and a crash loses the commits after the last
     * flush, which the changelog restores from those offsets. A commit larger than one engine batch
     * (a sixteenth of a memtable) may be flushed in part with the offsets before it; its records are in the
     * changelog past those offsets, so a restore rewrites them. A commit that changes neither data
     * nor offsets writes nothing.
     */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        Objects.requireNonNull(changelogOffsets, "changelogOffsets");
        checkOpen();
        CommittedOffsets next = offsets.with(changelogOffsets);
        boolean moved = !uncommittedPosition.isEmpty();
        if (!writes.isEmpty() || !next.equals(offsets) || moved) {
            Map<String, byte[]> metadata = next.metadata();
            Position nextPosition = position;
            if (moved) {
                nextPosition = position.copy().merge(uncommittedPosition);
                Map<String, byte[]> p = CommittedPosition.metadata(nextPosition);
                if (!p.isEmpty()) {
                    metadata = new java.util.HashMap<>(metadata);
                    metadata.putAll(p);
                } else if (!positionTooLarge) {
                    positionTooLarge = true;
                    LOG.log(System.Logger.Level.WARNING, "store " + name + ": its position (the input offsets of its"
                            + " data) is too large to keep in its commit metadata: after a restart, queries bounded by a"
                            + " position wait for new records (it keeps the last one that fitted)");
                }
            }
            writeBuffer(metadata, "committing");
            offsets = next;
            position = nextPosition;
        }
        uncommittedPosition = Position.emptyPosition();
    }

    /** Writes the uncommitted writes to the engine with {@code metadata} in the last batch, and clears them. */
    private void writeBuffer(Map<String, byte[]> metadata, String doing) {
        try {
            writes.forEach((k, v) -> batches.write(k.get(), v));
            batches.finish(metadata);
            writes.clear();
        } catch (SkipstoreException | IllegalArgumentException e) {
            batches.discard();
            throw Failures.of(name, doing, e);
        }
    }

    /**
     * Without transactional state stores ({@code enable.transactional.statestores}, off by
     * default) Kafka Streams commits a store only every commit interval under at-least-once, and
     * under exactly-once not before the task closes: it expects the store to write through, as
     * RocksDB's does. So past {@link #spillBytes} the writes go to the engine, without offsets;
     * they are no longer uncommitted in the sense of a transaction (a crash then wipes the store
     * under exactly-once, and under at-least-once its restore replays the changelog past the
     * committed offsets over them, as over RocksDB's). With transactional state stores Kafka
     * Streams bounds the buffer itself ({@code statestore.uncommitted.max.bytes}, an early commit).
     */
    private void spillIfFull() {
        if (spillBytes >= 0 && writes.approximateBytes() > spillBytes) {
            writeBuffer(Map.of(), "writing");
        }
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
            reads.closeIterators();
        } finally {
            writes.clear();
            uncommittedPosition = Position.emptyPosition();
            try {
                engine.close();
            } catch (SkipstoreException e) {
                throw Failures.of(name, "closing", e);
            } finally {
                engine = null;
                db = null;
                reads = null;
                batches = null;
            }
        }
    }

    private void checkOpen() {
        if (!open) {
            throw Failures.closed(name);
        }
    }

    // ---- reads ---------------------------------------------------------------------------------------

    @Override
    public byte[] get(Bytes key) {
        return read(key, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return scan(from, to, false, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return scan(from, to, true, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return scan(null, null, false, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return scan(null, null, true, true);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(serializer, "serializer cannot be null");
        return prefix(serializer.serialize(null, prefix), true);
    }

    @Override
    public long approximateNumEntries() {
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

    synchronized byte[] read(Bytes key, boolean withWrites) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        return reads.get(key, withWrites);
    }

    /** From {@code from} to {@code to}, both included (null: no bound). */
    synchronized KeyValueIterator<Bytes, byte[]> scan(Bytes from, Bytes to, boolean reverse, boolean withWrites) {
        checkOpen();
        return reads.range(from, to, true, reverse, withWrites);
    }

    synchronized KeyValueIterator<Bytes, byte[]> prefix(byte[] prefix, boolean withWrites) {
        checkOpen();
        return reads.prefix(prefix, withWrites);
    }

    synchronized long count(boolean withWrites) {
        checkOpen();
        return reads.count(withWrites);
    }

    /** The format of the store's values: plain, where the subclass's are timestamped. */
    ValueFormat format() {
        return ValueFormat.PLAIN;
    }

    /** The options the engine opened with (the budget applied); null before the first open. */
    synchronized SkipstoreStoreConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "SkipstoreKeyValueStore[" + name + (open ? ", open" : ", closed") + "]";
    }
}
