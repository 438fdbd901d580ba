package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.CommitMetadata;
import org.skipstore.pagestore.internal.engine.EngineOptions;
import org.skipstore.pagestore.internal.engine.Engine;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * An embedded, durable, ordered key-value database: Skipstore's engine. Writes go to a
 * write-ahead log and a lock-free memtable; full memtables are flushed in the background into
 * the B-skip-list page store; reads merge them. Thread-safe.
 *
 * <pre>{@code
 * try (Skipstore db = Skipstore.open(dir)) {                        // created when missing
 *     db.put(key, value);                                           // durable when it returns (GROUP)
 *     byte[] v = db.get(key);
 *     db.write(new WriteBatch().put(k1, v1).delete(k2));            // atomic
 *     try (Stream<KeyValue> s = db.stream(Range.atLeast(from).limit(10))) { ... }
 *     try (DbSnapshot snap = db.snapshot()) { ... }                 // repeatable
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A write (a put, a delete, a {@link WriteBatch}) is atomic and, once it returned, seen by
 *       every later read of any thread. In the durable modes ({@link WriteDurability}) no reader
 *       sees it before it is durable.</li>
 *   <li>What a crash can lose is its {@link WriteDurability}'s to say; a crash never leaves a
 *       batch in part, nor later writes without earlier ones.</li>
 *   <li>Reads never wait for writers or flushes; a {@link DbSnapshot} is a consistent view that
 *       stays as it was taken.</li>
 *   <li>When flushes fall behind (every allowed memtable sealed and waiting), writers wait:
 *       memory stays bounded (JFR event {@code org.skipstore.WriteStall}).</li>
 *   <li>Everything is inside the directory: the store, its lock file (a second open, here or in
 *       another process, fails {@link Problem#LOCKED}) and the log segments.</li>
 * </ul>
 * Failures are {@link SkipstoreException}s with a {@link Problem}; null arguments are
 * {@link NullPointerException}s, keys, values and batches beyond the limits
 * {@link IllegalArgumentException}s at the call. After a failed log write or flush the database
 * refuses writes (its reads go on) until it is reopened.
 */
public final class Skipstore implements AutoCloseable {

    /** Commit metadata names the engine keeps for itself: a checkpoint may not use them. */
    public static final String RESERVED_PREFIX = "skipstore.";

    private static final ThreadLocal<WriteBatch> ONE = ThreadLocal.withInitial(WriteBatch::new);

    private final Engine engine;
    private final String name;
    private final EngineOptions options;
    private final int maxKey;
    private final long maxValue;

    private Skipstore(Engine engine, Path dir, EngineOptions options, int maxKey, long maxValue) {
        this.engine = engine;
        this.name = "database " + dir;
        this.options = options;
        this.maxKey = maxKey;
        this.maxValue = maxValue;
    }

    /** Opens the database in {@code dir}, creating it when missing, with the default options. */
    public static Skipstore open(Path dir) {
        return builder().open(dir);
    }

    /** Options for opening a database. */
    public static SkipstoreBuilder builder() {
        return new SkipstoreBuilder();
    }

    static Skipstore open(Path dir, EngineOptions o, Point.Hook hook) {
        try {
            Engine e = Engine.open(dir, o, hook);
            int maxKey = Math.min(ConcurrentSkipList.MAX_KEY_BYTES, e.maxKeyBytes());
            long maxValue = Math.min(Math.min(ConcurrentSkipList.MAX_VALUE_BYTES, e.maxValueBytes()),
                    WriteBatch.largestValue(o.maxBatchBytes(), maxKey)); // a put of both limits is one batch
            return new Skipstore(e, dir, o, maxKey, maxValue);
        } catch (Exception e) {
            throw Failures.translate(null, "database " + dir, e);
        }
    }

    // ---- writes ------------------------------------------------------------------------------------

    /** Sets {@code key} to {@code value}. */
    public void put(byte[] key, byte[] value) {
        write(ONE.get().clear().put(key, value), options.durability());
    }

    /** Sets {@code key} to {@code value}; both are copied. */
    public void put(MemorySegment key, MemorySegment value) {
        write(ONE.get().clear().put(key, value), options.durability());
    }

    /** Removes {@code key}. */
    public void delete(byte[] key) {
        write(ONE.get().clear().delete(key), options.durability());
    }

    /** Removes {@code key}; it is copied. */
    public void delete(MemorySegment key) {
        write(ONE.get().clear().delete(key), options.durability());
    }

    /** Applies {@code batch} atomically, as durable as the database's mode says. */
    public void write(WriteBatch batch) {
        write(batch, options.durability());
    }

    /**
     * Applies {@code batch} atomically, as durable as {@code durability} says: SYNC, GROUP or
     * NO_SYNC in a logged database; in a NO_LOG database every write is NO_LOG.
     */
    public void write(WriteBatch batch, WriteDurability durability) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(durability, "durability");
        if (durability == WriteDurability.NO_LOG && options.durability() != WriteDurability.NO_LOG) {
            throw new IllegalArgumentException("NO_LOG is a database's mode, not a write's");
        }
        check(batch);
        if (batch.isEmpty()) {
            return;
        }
        try {
            engine.write(batch.payload(), batch.memtableBytes(), durability);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    private void check(WriteBatch batch) {
        if (!batch.metadata().isEmpty()) {
            // here, at the call: in the flush it would fail the flusher, and with it every later write
            Map<String, byte[]> merged = metadataOrFailure();
            merged.putAll(batch.metadata());
            CommitMetadata.checkSize(merged);
        }
        if (batch.maxKeyBytes() > maxKey) {
            throw new IllegalArgumentException("a key of " + batch.maxKeyBytes() + " bytes passes the limit of "
                    + maxKey);
        }
        if (batch.maxValueBytes() > maxValue) {
            throw new IllegalArgumentException("a value of " + batch.maxValueBytes() + " bytes passes the limit of "
                    + maxValue);
        }
        if (batch.memtableBytes() > options.maxBatchBytes()) {
            throw new IllegalArgumentException("the batch takes about " + batch.memtableBytes() + " bytes of memtable, "
                    + "more than half a memtable (" + options.maxBatchBytes() + "): split it or raise memtableBytes");
        }
    }

    // ---- reads -------------------------------------------------------------------------------------

    /** A copy of the value of {@code key}, or null. */
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        return lookup(NativeKeys.of(checkKey(key.length, key)));
    }

    /** A copy of the value of {@code key} (a heap segment), or null. */
    public MemorySegment get(MemorySegment key) {
        Objects.requireNonNull(key, "key");
        checkKey(key.byteSize(), key);
        byte[] v = lookup(NativeKeys.of(key));
        return v == null ? null : MemorySegment.ofArray(v);
    }

    private byte[] lookup(MemorySegment nativeKey) {
        try {
            return engine.get(nativeKey);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** Whether {@code key} has a value. */
    public boolean containsKey(byte[] key) {
        return get(key) != null;
    }

    private <K> K checkKey(long length, K key) {
        if (length > maxKey) {
            throw new IllegalArgumentException("a key of " + length + " bytes passes the limit of " + maxKey);
        }
        return key;
    }

    /**
     * A cursor over the newest data, before the first entry ({@link OrderedCursor}); it reads a
     * snapshot taken now, held until the cursor is closed: close it.
     */
    public OrderedCursor cursor() {
        DbSnapshot s = snapshot();
        try {
            return s.cursorOwning();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The entries of {@code range}, as a lazy stream on a snapshot of its own: close the stream. */
    public Stream<KeyValue> stream(Range range) {
        Objects.requireNonNull(range, "range");
        DbSnapshot s = snapshot();
        try {
            return s.stream(range).onClose(s::close);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The entries of {@code range}, copied. */
    public List<KeyValue> list(Range range) {
        try (DbSnapshot s = snapshot()) {
            return s.list(range);
        }
    }

    /** A consistent view of the database as of now, until closed. */
    public DbSnapshot snapshot() {
        try {
            return new DbSnapshot(engine.view(), this);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    // ---- durability ------------------------------------------------------------------------------

    /**
     * Flushes every write so far into the store and commits it together with {@code metadata}
     * (commit metadata, as {@link WriteTransaction#putMetadata}): when it returns, the writes and
     * the metadata are durable together, in every mode. This is how a NO_LOG database becomes
     * durable (Kafka Streams checkpoints its changelog offsets this way).
     *
     * @throws IllegalArgumentException when a name starts with {@link #RESERVED_PREFIX}, or is not a
     *         metadata name, or when the metadata the store would then hold (this over what it
     *         holds) passes the limit of {@link WriteTransaction#putMetadata}: nothing is flushed
     */
    public void checkpoint(Map<String, byte[]> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        for (Map.Entry<String, byte[]> e : metadata.entrySet()) {
            Objects.requireNonNull(e.getKey(), "a metadata name");
            Objects.requireNonNull(e.getValue(), "metadata " + e.getKey());
            if (e.getKey().startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException("metadata names starting with " + RESERVED_PREFIX + " are the engine's");
            }
        }
        try {
            if (!metadata.isEmpty()) {
                // here, at the call: in the flush it would fail the flusher, and with it every later write
                SortedMap<String, byte[]> merged = engine.metadata();
                merged.putAll(metadata);
                CommitMetadata.checkSize(merged);
            }
            engine.checkpoint(metadata);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** Flushes every write so far into the store ({@link #checkpoint} with no metadata). */
    public void flush() {
        checkpoint(Map.of());
    }

    /**
     * The commit metadata as of every write that returned (the engine's own names left out): the
     * last checkpoint's, with what later batches set ({@link WriteBatch#putMetadata}) over it. It
     * is durable as those writes are: without a log, as of the last flush.
     */
    public SortedMap<String, byte[]> metadata() {
        SortedMap<String, byte[]> all = metadataOrFailure();
        all.keySet().removeIf(k -> k.startsWith(RESERVED_PREFIX));
        all.replaceAll((k, v) -> v.clone()); // the engine's arrays: a caller's change must not reach them
        return java.util.Collections.unmodifiableSortedMap(all);
    }

    /** The engine's metadata in a map of the caller's own (the arrays are the engine's). */
    private SortedMap<String, byte[]> metadataOrFailure() {
        try {
            return engine.metadata();
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** Forces the log: every write that returned is durable now (for NO_SYNC writes). */
    public void sync() {
        try {
            engine.sync();
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** What the database holds and has done since it opened. */
    public EngineStats stats() {
        return engine.stats();
    }

    /** The database's durability mode. */
    public WriteDurability durability() {
        return options.durability();
    }

    /** The largest key it takes, in bytes. */
    public int maxKeyBytes() {
        return maxKey;
    }

    /** The largest value it takes, in bytes. */
    public long maxValueBytes() {
        return maxValue;
    }

    /**
     * Closes the database: queued writes finish, the log is forced (NO_LOG: every memtable is
     * flushed), and open snapshots and cursors fail {@link Problem#CLOSED} from now on.
     * Idempotent.
     */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** Tests: stops as a killed process would (no flush, no force), releasing the files. */
    void crash() {
        try {
            engine.crash();
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** The one translation of what the engine throws ({@link Failures}). */
    RuntimeException failure(Throwable e) {
        if (engine.isClosed() && e instanceof IllegalStateException) {
            return Failures.closed(name, e);
        }
        return Failures.translate(null, name, e);
    }

    @Override
    public String toString() {
        return "Skipstore[" + name + ", " + options.durability() + "]";
    }
}
