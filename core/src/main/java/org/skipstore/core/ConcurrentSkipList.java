package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.skipstore.arena.ShardedArena;
import org.skipstore.core.internal.Node;
import org.skipstore.core.internal.SkipList;

/**
 * A lock-free, off-heap, versioned concurrent skip list: the memtable of an LSM storage engine.
 *
 * <pre>{@code
 * try (ConcurrentSkipList memtable = ConcurrentSkipList.builder().maxMemoryBytes(64 << 20).build()) {
 *     memtable.put("user:1".getBytes(), "alice".getBytes());
 *     memtable.insert("user:2".getBytes(), "bob".getBytes());   // only if absent
 *     memtable.delete("user:1".getBytes());                     // a tombstone version
 *     try (Snapshot snap = memtable.snapshot()) {
 *         for (Entry e : snap) { ... }                            // point in time, key order
 *     }
 * }
 * }</pre>
 *
 * <h2>Versions</h2>
 * Every write adds a version (a node) with a fresh sequence number; nothing is overwritten in
 * place. {@link #put} adds a value version, {@link #delete} a tombstone version (recorded even
 * when the key is absent, so it shadows older data once flushed), and {@link #insert} adds a value
 * version only when the newest version is missing or a tombstone. Reads see the newest version;
 * a {@link #snapshot()} sees the newest version at or below its sequence. Keys order as
 * unsigned bytes ({@link Keys}); the empty key is a key like any other.
 *
 * <h2>Memory and limits</h2>
 * Nodes live in a {@link ShardedArena} owned by the list; each writing thread allocates in its
 * own shard. With {@link Builder#maxMemoryBytes} or {@link Builder#maxEntries} set, a write that
 * would pass a limit writes nothing and reports {@link InsertResult#OUT_OF_MEMORY}; from 90 % of a
 * limit {@link #isUnderBackpressure()} is true. Without a memory limit a list still has a ceiling:
 * its nodes must lie in its first 8191 arena chunks (about 128 GiB of 16-MiB chunks, less when
 * many shards each start small ones), because the tower links that make searches fast pack a
 * node's place into 34 bits; past it writes report {@code OUT_OF_MEMORY} the same way.
 *
 * <h2>The seal protocol (auto-seal)</h2>
 * <ol>
 *   <li>Writers write until one gets {@code OUT_OF_MEMORY} (or sees backpressure, to seal early).</li>
 *   <li>The owner calls {@link #seal()}: from that instant every write to this list reports
 *       {@link InsertResult#SEALED} (or throws {@link MemtableFullException}); every write that
 *       started before has finished when {@code seal()} returns. A write is in the frozen list or
 *       reported SEALED: never both, never neither.</li>
 *   <li>Writers retry on {@link Sealed#fresh()}, a new empty list with the same configuration.</li>
 *   <li>The owner flushes {@link Sealed#frozen()} (iterate it: every key's newest version,
 *       tombstones included) and then closes it, which frees its memory at once.</li>
 * </ol>
 *
 * <h2>Closing</h2>
 * {@link #close()} frees all memory. Later calls, and accesses to entries, cursors and
 * snapshots of this list from any thread, throw {@link IllegalStateException}; never a crash.
 */
public final class ConcurrentSkipList implements AutoCloseable, Iterable<Entry> {

    /** Largest key, in bytes (its length is a 16-bit field of the node). */
    public static final int MAX_KEY_BYTES = Node.MAX_KEY_LENGTH;
    /** Largest value, in bytes. */
    public static final int MAX_VALUE_BYTES = 256 * 1024 * 1024;

    private final Builder config;
    private final SkipList sl;
    private final ShardedArena arena;
    /** Reserved version count, only kept when {@code maxEntries > 0}. */
    private final AtomicLong entries = new AtomicLong();
    private volatile boolean closed;

    /** A list with the defaults of {@link Builder}. */
    public ConcurrentSkipList() {
        this(new Builder());
    }

    private ConcurrentSkipList(Builder b) {
        this.config = b.copy();
        long limit = b.maxMemoryBytes > 0 ? b.maxMemoryBytes : Long.MAX_VALUE;
        long maxChunk = 16L << 20;
        if (b.maxMemoryBytes > 0) { // small limits: small chunks, so one shard cannot take it all
            maxChunk = Math.clamp(b.maxMemoryBytes / (4L * b.shards), 4096L, maxChunk);
        }
        this.arena = ShardedArena.builder()
                .shards(b.shards)
                .initialChunkBytes(Math.min(b.initialArenaBytesPerShard, maxChunk))
                .maxChunkBytes(maxChunk)
                .memoryLimit(limit)
                .build();
        try {
            this.sl = new SkipList(arena);
        } catch (RuntimeException e) {
            arena.close();
            throw new IllegalArgumentException("maxMemoryBytes " + b.maxMemoryBytes + " is too small", e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    SkipList skipList() {
        return sl;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the ConcurrentSkipList is closed");
        }
    }

    // ---- writes ------------------------------------------------------------------------------

    /** Inserts if the key is absent (or its newest version is a tombstone). */
    public boolean insert(byte[] key, byte[] value) {
        return tryInsert(key, value) == InsertResult.INSERTED;
    }

    /** Inserts if the key is absent (or its newest version is a tombstone). */
    public boolean insert(MemorySegment key, MemorySegment value) {
        return tryInsert(key, value) == InsertResult.INSERTED;
    }

    /** Inserts if absent, and says why not otherwise. */
    public InsertResult tryInsert(byte[] key, byte[] value) {
        return write(Args.key(key), Args.value(value), SkipList.INSERT_IF_ABSENT);
    }

    /** Inserts if absent, and says why not otherwise. */
    public InsertResult tryInsert(MemorySegment key, MemorySegment value) {
        return write(Args.key(key), Args.value(value), SkipList.INSERT_IF_ABSENT);
    }

    /** Adds a new version of the key: overwrite. Never {@link InsertResult#DUPLICATE_KEY}. */
    public InsertResult put(byte[] key, byte[] value) {
        return write(Args.key(key), Args.value(value), SkipList.PUT);
    }

    /** Adds a new version of the key: overwrite. Never {@link InsertResult#DUPLICATE_KEY}. */
    public InsertResult put(MemorySegment key, MemorySegment value) {
        return write(Args.key(key), Args.value(value), SkipList.PUT);
    }

    /**
     * Records a tombstone version of the key, also when the key is absent.
     *
     * @return true when the version it shadows was live
     * @throws MemtableFullException when the list is full or sealed (nothing was recorded)
     */
    public boolean delete(byte[] key) {
        return delete(Args.key(key));
    }

    /** See {@link #delete(byte[])}. */
    public boolean delete(MemorySegment key) {
        InsertResult r = write(Args.key(key), null, SkipList.DELETE);
        if (r != InsertResult.INSERTED) {
            throw new MemtableFullException(r);
        }
        return sl.splice().shadowedLive;
    }

    /**
     * Atomically returns the live version of the key, or inserts {@code value} when there is none
     * (absent or tombstoned).
     */
    public GetOrInsert getOrInsert(byte[] key, byte[] value) {
        return getOrInsert(Args.key(key), Args.value(value));
    }

    /** See {@link #getOrInsert(byte[], byte[])}. */
    public GetOrInsert getOrInsert(MemorySegment key, MemorySegment value) {
        InsertResult r = write(Args.key(key), Args.value(value), SkipList.GET_OR_INSERT);
        boolean hasEntry = r == InsertResult.INSERTED || r == InsertResult.DUPLICATE_KEY;
        return new GetOrInsert(r, hasEntry ? entryOf(sl.splice().found) : null);
    }

    /**
     * The result of {@link #getOrInsert}: {@code INSERTED} with the new entry,
     * {@code DUPLICATE_KEY} with the live entry that was there, or {@code OUT_OF_MEMORY} /
     * {@code SEALED} with no entry (nothing was inserted).
     */
    public record GetOrInsert(InsertResult result, Entry entry) {
        /** Whether this call inserted its value. */
        public boolean inserted() {
            return result == InsertResult.INSERTED;
        }
    }

    /**
     * Inserts-if-absent every pair, in order. The batch is admitted as a whole: when its nodes
     * would pass the memory or entry limit, nothing is written and every result is
     * {@code OUT_OF_MEMORY}. (Admission is checked, not reserved: racing writers may still take
     * the room, and then the remaining pairs report {@code OUT_OF_MEMORY} individually.)
     *
     * @return one result per pair, in order
     */
    public List<InsertResult> insertBatch(Collection<? extends Map.Entry<byte[], byte[]>> batch) {
        checkOpen();
        Objects.requireNonNull(batch, "batch");
        long bytes = 0;
        List<MemorySegment[]> pairs = new ArrayList<>(batch.size());
        for (Map.Entry<byte[], byte[]> e : batch) {
            MemorySegment k = Args.key(e.getKey());
            MemorySegment v = Args.value(e.getValue());
            bytes += Node.size(Node.MAX_HEIGHT, k.byteSize(), v.byteSize());
            pairs.add(new MemorySegment[] {k, v});
        }
        List<InsertResult> results = new ArrayList<>(pairs.size());
        boolean fits = (config.maxMemoryBytes == 0 || arena.allocatedBytes() + bytes <= config.maxMemoryBytes)
                && (config.maxEntries == 0 || entries.get() + pairs.size() <= config.maxEntries);
        if (sl.sequencer().isSealed()) {
            pairs.forEach(p -> results.add(InsertResult.SEALED));
        } else if (!fits) {
            pairs.forEach(p -> results.add(InsertResult.OUT_OF_MEMORY));
        } else {
            for (MemorySegment[] p : pairs) {
                results.add(write(p[0], p[1], SkipList.INSERT_IF_ABSENT));
            }
        }
        return results;
    }

    private InsertResult write(MemorySegment key, MemorySegment value, int mode) {
        checkOpen();
        SkipList.Splice sp = sl.splice();
        sp.add(SkipList.STAT_ATTEMPTS, 1);
        if (config.maxEntries > 0 && entries.incrementAndGet() > config.maxEntries) {
            entries.decrementAndGet();
            return sl.sequencer().isSealed() ? InsertResult.SEALED : InsertResult.OUT_OF_MEMORY;
        }
        int r = sl.write(key, value, mode, sp);
        if (r != SkipList.INSERTED) {
            if (config.maxEntries > 0) {
                entries.decrementAndGet();
            }
            return switch (r) {
                case SkipList.DUPLICATE, SkipList.FOUND -> InsertResult.DUPLICATE_KEY;
                case SkipList.OUT_OF_MEMORY -> InsertResult.OUT_OF_MEMORY;
                default -> InsertResult.SEALED;
            };
        }
        sp.add(SkipList.STAT_VERSIONS, 1);
        sp.add(SkipList.STAT_KEY_BYTES, key.byteSize());
        if (value != null) {
            sp.add(SkipList.STAT_VALUE_BYTES, value.byteSize());
        }
        if (mode == SkipList.DELETE) {
            if (sp.shadowedLive) {
                sp.add(SkipList.STAT_LIVE, -1);
            }
        } else if (!sp.shadowedLive) {
            sp.add(SkipList.STAT_LIVE, 1);
        }
        return InsertResult.INSERTED;
    }

    // ---- reads -------------------------------------------------------------------------------

    /** The newest version of the key (possibly a tombstone), or null when the key was never written. */
    public Entry get(byte[] key) {
        MemorySegment k = Args.key(key);
        checkOpen();
        return getAt(k, Long.MAX_VALUE);
    }

    /** See {@link #get(byte[])}. */
    public Entry get(MemorySegment key) {
        checkOpen();
        return getAt(Args.key(key), Long.MAX_VALUE);
    }

    /** The newest version when it is live; null when absent or deleted. */
    public Entry getLive(byte[] key) {
        Entry e = get(key);
        return e == null || e.isTombstone() ? null : e;
    }

    /** See {@link #getLive(byte[])}. */
    public Entry getLive(MemorySegment key) {
        Entry e = get(key);
        return e == null || e.isTombstone() ? null : e;
    }

    /** Whether the key has a live newest version. */
    public boolean containsKey(byte[] key) {
        return containsKey(Args.key(key));
    }

    /** See {@link #containsKey(byte[])}. Creates no object. */
    public boolean containsKey(MemorySegment key) {
        checkOpen();
        long x = sl.get(Args.key(key), Long.MAX_VALUE);
        return x != 0 && !sl.isTombstone(x);
    }

    /** {@link #getInto}: the key was never written. */
    public static final long ABSENT = -1;
    /** {@link #getInto}: the newest version of the key is a tombstone. */
    public static final long DELETED = -2;

    /**
     * The zero-garbage read: copies the newest live value of {@code key} into {@code dst} (as much
     * as fits) and returns the value's full length; or returns {@link #ABSENT} or
     * {@link #DELETED}. A length larger than {@code dst} means the copy was cut short.
     */
    public long getInto(MemorySegment key, MemorySegment dst) {
        checkOpen();
        Objects.requireNonNull(dst, "dst");
        long x = sl.get(Args.key(key), Long.MAX_VALUE);
        if (x == 0) {
            return ABSENT;
        }
        if (sl.isTombstone(x)) {
            return DELETED;
        }
        long vl = sl.valueLength(x);
        long vo = sl.keyOffset(x) + sl.keyLength(x);
        MemorySegment.copy(sl.chunk(x), vo, dst, 0, Math.min(vl, dst.byteSize()));
        return vl;
    }

    /** {@link #get(byte[])} for each key, in order; null where a key was never written. */
    public List<Entry> getMany(List<byte[]> keys) {
        Objects.requireNonNull(keys, "keys");
        List<Entry> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            out.add(get(k));
        }
        return out;
    }

    Entry getAt(MemorySegment key, long seq) {
        long x = sl.get(key, seq);
        return x == 0 ? null : entryOf(x);
    }

    // ---- iteration ---------------------------------------------------------------------------

    /** A point-in-time view; see {@link Snapshot}. */
    public Snapshot snapshot() {
        checkOpen();
        return new Snapshot(this, sl.sequencer().watermark());
    }

    /**
     * Every key in order with its newest version (tombstones included), as of a snapshot taken
     * now: later writes do not show up half-way.
     */
    @Override
    public Iterator<Entry> iterator() {
        return snapshot().iterator();
    }

    /** {@link #iterator()} as a sequential stream. */
    public Stream<Entry> stream() {
        return stream(iterator());
    }

    /** A cursor on the first key (invalid when empty), reading the newest versions. */
    public Cursor cursor() {
        checkOpen();
        Cursor c = new Cursor(this, Long.MAX_VALUE, null);
        c.first();
        return c;
    }

    /** A cursor on the first key at or after {@code key}. */
    public Cursor cursorAt(byte[] key) {
        return cursorAt(Args.key(key));
    }

    /** A cursor on the first key at or after {@code key}. */
    public Cursor cursorAt(MemorySegment key) {
        checkOpen();
        Cursor c = new Cursor(this, Long.MAX_VALUE, null);
        c.seek(key);
        return c;
    }

    static Iterator<Entry> iterate(Cursor c) {
        c.first();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return c.isValid();
            }

            @Override
            public Entry next() {
                if (!c.isValid()) {
                    throw new NoSuchElementException();
                }
                Entry e = c.entry();
                c.next();
                return e;
            }
        };
    }

    static Stream<Entry> stream(Iterator<Entry> it) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL), false);
    }

    // ---- node views --------------------------------------------------------------------------

    MemorySegment keyOf(long x) {
        return sl.chunk(x).asSlice(sl.keyOffset(x), sl.keyLength(x)).asReadOnly();
    }

    MemorySegment valueOf(long x) {
        long ko = sl.keyOffset(x);
        return sl.chunk(x).asSlice(ko + sl.keyLength(x), sl.valueLength(x)).asReadOnly();
    }

    Entry entryOf(long x) {
        return new Entry(keyOf(x), valueOf(x), sl.isTombstone(x), sl.seqOf(x));
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /**
     * Seals this list (see the class comment) and returns it as the frozen list with a fresh,
     * empty list of the same configuration.
     *
     * @throws IllegalStateException when already sealed or closed
     */
    public Sealed seal() {
        checkOpen();
        if (!sl.sequencer().seal()) {
            throw new IllegalStateException("the ConcurrentSkipList is already sealed");
        }
        return new Sealed(this, new ConcurrentSkipList(config));
    }

    /** The result of {@link #seal()}: the read-only list to flush, and a fresh one for writes. */
    public record Sealed(ConcurrentSkipList frozen, ConcurrentSkipList fresh) {
    }

    public boolean isSealed() {
        return sl.sequencer().isSealed();
    }

    /** Frees all memory; see the class comment. Idempotent. */
    @Override
    public void close() {
        closed = true;
        arena.close();
    }

    // ---- stats -------------------------------------------------------------------------------

    /** Keys whose newest version is live. */
    public long size() {
        return sl.stat(SkipList.STAT_LIVE);
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Versions written (nodes), tombstones included. */
    public long versionCount() {
        return sl.stat(SkipList.STAT_VERSIONS);
    }

    /** Arena bytes handed out to nodes. */
    public long memoryUsage() {
        return arena.allocatedBytes();
    }

    /** Arena bytes held. */
    public long memoryReserved() {
        return arena.reservedBytes();
    }

    /** {@code memoryUsage() / memoryReserved()}. */
    public double memoryUtilization() {
        return arena.utilization();
    }

    /** Arena bytes held but not handed out. */
    public long memoryIdle() {
        return arena.idleBytes();
    }

    /** Average key size of the versions written. */
    public double avgKeySize() {
        long n = versionCount();
        return n == 0 ? 0 : (double) sl.stat(SkipList.STAT_KEY_BYTES) / n;
    }

    /** Average value size of the versions written (tombstones count as 0). */
    public double avgValueSize() {
        long n = versionCount();
        return n == 0 ? 0 : (double) sl.stat(SkipList.STAT_VALUE_BYTES) / n;
    }

    /** Write attempts, including duplicates and refused writes. */
    public long totalInserts() {
        return sl.stat(SkipList.STAT_ATTEMPTS);
    }

    /** The memory limit, 0 for none. */
    public long maxMemoryBytes() {
        return config.maxMemoryBytes;
    }

    /** The entry (version) limit, 0 for none. */
    public long maxEntries() {
        return config.maxEntries;
    }

    /** True from 90 % of either limit on. */
    public boolean isUnderBackpressure() {
        return (config.maxMemoryBytes > 0 && arena.reservedBytes() >= config.maxMemoryBytes * 0.9)
                || (config.maxEntries > 0 && entries.get() >= config.maxEntries * 0.9);
    }

    @Override
    public String toString() {
        return "ConcurrentSkipList[size=" + size() + ", versions=" + versionCount() + ", memory=" + memoryUsage()
                + (isSealed() ? ", sealed" : "") + (closed ? ", closed" : "") + "]";
    }

    /** Options of a {@link ConcurrentSkipList}. */
    public static final class Builder {
        private int shards = Runtime.getRuntime().availableProcessors();
        private long initialArenaBytesPerShard = 64 * 1024;
        private long maxMemoryBytes;
        private long maxEntries;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.shards = shards;
            b.initialArenaBytesPerShard = initialArenaBytesPerShard;
            b.maxMemoryBytes = maxMemoryBytes;
            b.maxEntries = maxEntries;
            return b;
        }

        /** Arena shards: writer threads that allocate without contention. Default: available processors. */
        public Builder shards(int shards) {
            if (shards < 1 || shards > ShardedArena.MAX_SHARDS) {
                throw new IllegalArgumentException("shards must be between 1 and " + ShardedArena.MAX_SHARDS + ": " + shards);
            }
            this.shards = shards;
            return this;
        }

        /** Size of each shard's first arena chunk; default 64 KiB. */
        public Builder initialArenaBytesPerShard(long bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("initialArenaBytesPerShard must be at least 64: " + bytes);
            }
            this.initialArenaBytesPerShard = bytes;
            return this;
        }

        /** Memory limit (arena bytes held); 0, the default, for none. */
        public Builder maxMemoryBytes(long bytes) {
            this.maxMemoryBytes = notNegative("maxMemoryBytes", bytes);
            return this;
        }

        /** Limit on versions (nodes); 0, the default, for none. */
        public Builder maxEntries(long entries) {
            this.maxEntries = notNegative("maxEntries", entries);
            return this;
        }

        private static long notNegative(String name, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return v;
        }

        public ConcurrentSkipList build() {
            return new ConcurrentSkipList(this);
        }
    }
}
