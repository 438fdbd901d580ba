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
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.skipstore.arena.ShardedArena;
import org.skipstore.core.internal.Checker;
import org.skipstore.core.internal.Gate;
import org.skipstore.core.internal.KeyShape;
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
 * own shard. {@link Builder#maxMemoryBytes} and {@link Builder#maxEntries} bound a list; from
 * 90 % of a limit {@link #isUnderBackpressure()} is true. Without a memory limit a list still has
 * a ceiling: its nodes must lie in its first 8191 arena chunks (about 128 GiB of 16-MiB chunks,
 * less when many shards each start small ones), because the tower links that make searches fast
 * pack a node's place into 34 bits; past it the list is full the same way.
 *
 * <h2>When the list is full: auto-seal</h2>
 * By default ({@link WhenFull#SEAL}) a write that finds the list full seals it, exactly once:
 * <ol>
 *   <li>That write, and every write that starts afterwards, reports {@link InsertResult#SEALED}
 *       (or throws {@link MemtableFullException}) and wrote nothing. Writes already under way
 *       finish in this list (or report SEALED if they find no room). A write is in the frozen
 *       list or reported SEALED: never both, never neither.</li>
 *   <li>Writers go on at once in {@link #successor()}, a new empty list with the same
 *       configuration (expecting keys like this list's: {@link Builder#keysLike}), set before
 *       the first SEALED is reported.</li>
 *   <li>When the writes that were under way have finished (no writer waits for that: the last one
 *       out does it), the list is frozen: {@link #whenSealed()} completes and the
 *       {@link Builder#onSeal} listener runs, with the frozen list and its successor.</li>
 *   <li>The owner flushes {@link Sealed#frozen()} (iterate it: every key's newest version,
 *       tombstones included) and then closes it, which frees its memory.</li>
 * </ol>
 * {@link #seal()} does the same on demand. With {@link WhenFull#REFUSE} a full list stays open
 * and refuses the writes that do not fit with {@link InsertResult#OUT_OF_MEMORY}.
 *
 * <h2>Visibility</h2>
 * A write that returned is seen by every read, snapshot, iterator and cursor that starts after
 * it on its thread, or on any thread that learned of it through a happens-before edge. A
 * snapshot never changes. No writer waits for another, and no reader waits for a writer: a
 * preempted writer holds up nobody (see {@code SkipList} for the protocol).
 *
 * <h2>Reads: {@code get} returns tombstones</h2>
 * Unlike a {@code Map}'s, {@link #get(byte[])} returns the newest <em>version</em> of a key, and
 * for a deleted key that is its tombstone ({@link Entry#isTombstone()}, an empty value), not null:
 * a memtable must hand its deletions on to the store it is flushed into (fastskip's semantics).
 * {@link #getLive(byte[])}, {@link #containsKey(byte[])} and {@link #getInto} answer as a
 * {@code Map} would; iteration, {@link Snapshot}s and {@link Cursor}s show tombstones too.
 *
 * <h2>Closing</h2>
 * {@link #close()} frees all memory (once the writes under way have left). Later calls, and
 * calls on cursors and snapshots of this list from any thread, throw a
 * {@link SkipstoreException} with {@link SkipstoreException.Problem#CLOSED}; a read racing the
 * close, or of an {@link Entry}'s segment after it, throws the JDK's
 * {@link IllegalStateException} of a closed arena. Never a crash.
 *
 * <h2>Events</h2>
 * JFR events {@code org.skipstore.MemtableSeal} (each seal: automatic or not, versions, bytes,
 * how long the writes under way took to finish) and {@code org.skipstore.MemtableBackpressure}
 * (from the moment a limit is 90 % used until the list is sealed or closed).
 *
 * <p>(For maintainers: this file is the memtable's public surface only, each method a few lines
 * over {@code internal}: the protocol is in {@code SkipList}, {@code Stamps} and {@code Gate}, the
 * seal's bookkeeping in {@code Sealing}, the check in {@code Checker}. Its length is javadoc.)
 *
 * <p>Past 400 lines on purpose: this class is the memtable's whole public contract, every
 * operation in its {@code byte[]} and {@code MemorySegment} forms with the javadoc a user reads;
 * the algorithm lives in {@code internal.SkipList}, the seal lifecycle in {@link Sealing}.
 */
public final class ConcurrentSkipList implements AutoCloseable, Iterable<Entry> {

    /** Largest key, in bytes (its length is a 16-bit field of the node). */
    public static final int MAX_KEY_BYTES = Node.MAX_KEY_LENGTH;
    /** Largest value, in bytes. */
    public static final int MAX_VALUE_BYTES = 256 * 1024 * 1024;

    private final Builder config;
    private final SkipList sl;
    private final ShardedArena arena;
    /** Counts the writes under way: seal and close act once they have left. */
    private final Gate gate;
    private final Sealing sealing;
    /** Whether a limit is set: only then is backpressure watched. */
    private final boolean limited;
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
                .regions(2) // nodes and towers apart: see Node
                .initialChunkBytes(Math.min(b.initialArenaBytesPerShard, maxChunk))
                .maxChunkBytes(maxChunk)
                .memoryLimit(limit)
                .build();
        try {
            this.sl = new SkipList(arena, b.maxEntries, b.keys);
        } catch (RuntimeException e) {
            arena.close();
            throw new IllegalArgumentException("maxMemoryBytes " + b.maxMemoryBytes + " is too small", e);
        }
        this.limited = b.maxMemoryBytes > 0 || b.maxEntries > 0;
        this.sealing = new Sealing(b.onSeal);
        this.gate = new Gate(stripes(), () -> sealing.drained(this), arena::close);
    }

    /** Gate stripes: a power of two at least the CPU count, so that writers rarely share one. */
    private static int stripes() {
        int cpus = Runtime.getRuntime().availableProcessors();
        return Math.min(64, Integer.highestOneBit(Math.max(1, 2 * cpus - 1)));
    }

    public static Builder builder() {
        return new Builder();
    }

    SkipList skipList() {
        return sl;
    }

    void checkOpen() {
        if (closed) {
            throw new SkipstoreException(SkipstoreException.Problem.CLOSED, "the ConcurrentSkipList is closed");
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
     * (absent or tombstoned). A live key is found whatever the limits: only an insert needs room.
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
     * Inserts-if-absent every pair, in order. The batch is admitted whole or not at all: room for
     * every pair's node is taken (allocated, and counted against the entry limit) before the
     * first is linked, so a racing writer cannot take it. When it does not fit, nothing is
     * written and every result is {@code OUT_OF_MEMORY} (or, with {@link WhenFull#SEAL}, the list
     * seals and every result is {@code SEALED}). A batch admitted before a seal finishes in this
     * list. A pair found present keeps its room unused.
     *
     * @return one result per pair, in order
     */
    public List<InsertResult> insertBatch(Collection<? extends Map.Entry<byte[], byte[]>> batch) {
        checkOpen();
        Objects.requireNonNull(batch, "batch");
        List<MemorySegment[]> pairs = new ArrayList<>(batch.size());
        for (Map.Entry<byte[], byte[]> e : batch) {
            pairs.add(new MemorySegment[] {Args.key(e.getKey()), Args.value(e.getValue())});
        }
        SkipList.Splice sp = sl.splice();
        sp.add(SkipList.STAT_ATTEMPTS, pairs.size());
        List<InsertResult> results = new ArrayList<>(pairs.size());
        int stripe = gate.stripe();
        int refused = gate.enter(stripe);
        if (refused != 0) {
            InsertResult r = refusal(refused);
            pairs.forEach(p -> results.add(r));
            return results;
        }
        try {
            long[] nodes = admit(pairs);
            if (nodes == null) {
                InsertResult r = full();
                pairs.forEach(p -> results.add(r));
                return results;
            }
            for (int i = 0; i < nodes.length; i++) {
                MemorySegment[] p = pairs.get(i);
                int r = sl.write(p[0], p[1], SkipList.INSERT_IF_ABSENT, sp, nodes[i]);
                if (r == SkipList.INSERTED) {
                    counted(sp, p[0], p[1], SkipList.INSERT_IF_ABSENT);
                    results.add(InsertResult.INSERTED);
                } else {
                    sl.release(1);
                    results.add(InsertResult.DUPLICATE_KEY);
                }
            }
            watchBackpressure();
            return results;
        } finally {
            gate.exit(stripe);
        }
    }

    /** Reserves and allocates a node for every pair, or nothing (null) when they do not all fit. */
    private long[] admit(List<MemorySegment[]> pairs) {
        if (!sl.reserve(pairs.size())) {
            return null;
        }
        long[] nodes = new long[pairs.size()];
        for (int i = 0; i < nodes.length; i++) {
            MemorySegment[] p = pairs.get(i);
            nodes[i] = sl.allocate(p[0], p[1], false);
            if (nodes[i] == ShardedArena.NULL) {
                sl.release(pairs.size()); // the nodes allocated so far stay unused in the arena
                return null;
            }
        }
        return nodes;
    }

    private InsertResult write(MemorySegment key, MemorySegment value, int mode) {
        SkipList.Splice sp = sl.splice();
        sp.add(SkipList.STAT_ATTEMPTS, 1);
        int stripe = gate.stripe();
        int refused = gate.enter(stripe);
        if (refused != 0) {
            return refusal(refused);
        }
        try {
            return switch (sl.write(key, value, mode, sp, 0)) {
                case SkipList.INSERTED -> {
                    counted(sp, key, value, mode);
                    watchBackpressure();
                    yield InsertResult.INSERTED;
                }
                case SkipList.DUPLICATE, SkipList.FOUND -> InsertResult.DUPLICATE_KEY;
                default -> full();
            };
        } finally {
            gate.exit(stripe);
        }
    }

    /** The statistics of a version just linked. */
    private static void counted(SkipList.Splice sp, MemorySegment key, MemorySegment value, int mode) {
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
    }

    /** What a write the gate refused reports. */
    private InsertResult refusal(int flags) {
        if ((flags & Gate.CLOSED) != 0) {
            throw new SkipstoreException(SkipstoreException.Problem.CLOSED, "the ConcurrentSkipList is closed");
        }
        return InsertResult.SEALED;
    }

    /** A write found no room: seal (once) and report SEALED, or refuse it. */
    private InsertResult full() {
        if (config.whenFull == WhenFull.REFUSE) {
            return InsertResult.OUT_OF_MEMORY;
        }
        sealing.begin(true, this::fresh); // a successor exists now: ours, or a racing sealer's
        gate.seal(); // by whoever gets here first: no write may go in once one reported SEALED
        return InsertResult.SEALED;
    }

    /** The successor of a seal: this list's configuration, with the prefix its keys share as the hint. */
    private ConcurrentSkipList fresh() {
        return new ConcurrentSkipList(config.copy().keysLike(this));
    }

    /** Begins the backpressure event when a limit has just become 90 % used. */
    private void watchBackpressure() {
        if (limited && sealing.backpressureUnseen() && isUnderBackpressure()) {
            sealing.beginBackpressure(arena.reservedBytes(), config.maxMemoryBytes, sl.reserved(), config.maxEntries);
        }
    }

    // ---- reads -------------------------------------------------------------------------------

    /**
     * The newest version of the key, <em>possibly a tombstone</em> (a deleted key returns its
     * tombstone, not null; {@link #getLive(byte[])} filters it), or null when the key was never
     * written.
     */
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

    /** The version of the key a reader at snapshot {@code v} sees (stamps below {@code v}), or null. */
    Entry getAt(MemorySegment key, long v) {
        long x = sl.get(key, v);
        return x == 0 ? null : entryOf(x);
    }

    // ---- iteration ---------------------------------------------------------------------------

    /** A point-in-time view; see {@link Snapshot}. */
    public Snapshot snapshot() {
        checkOpen();
        return new Snapshot(this, sl.snapshotStamp());
    }

    /**
     * A snapshot of an earlier moment: it sees the versions with a sequence at most
     * {@code sequence} ({@link Entry#sequence()}), as {@link #snapshot()} did when its
     * {@link Snapshot#sequence()} was {@code sequence}. Nodes are never removed, so any earlier
     * moment can be read; an engine that orders writes itself uses it to read exactly up to the
     * last write it has published.
     *
     * @throws IllegalArgumentException when {@code sequence} is negative or above
     *     {@link #lastSequence()} (the future is not fixed yet)
     */
    public Snapshot snapshotAt(long sequence) {
        checkOpen();
        long v = sl.snapshotStamp();
        if (sequence < 0 || sequence >= v) {
            throw new IllegalArgumentException("sequence " + sequence + " is not in [0, " + (v - 1) + "]");
        }
        return new Snapshot(this, sequence + 1);
    }

    /**
     * The sequence a snapshot taken now would have ({@link Snapshot#sequence()}): every write
     * that returned before this call has a sequence at most this.
     */
    public long lastSequence() {
        checkOpen();
        return sl.snapshotStamp() - 1;
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

    /**
     * A cursor reading the newest versions, before the first key ({@link OrderedCursor}):
     * {@code while (c.next())} walks them all.
     */
    public Cursor cursor() {
        checkOpen();
        return new Cursor(this, Long.MAX_VALUE, null);
    }

    /** A cursor on the first key at or after {@code key}: {@link #cursor()} and {@link Cursor#seek(byte[])}. */
    public Cursor cursorAt(byte[] key) {
        return cursorAt(Args.key(key));
    }

    /** A cursor on the first key at or after {@code key}: {@link #cursor()} and {@link Cursor#seek(MemorySegment)}. */
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
        return new Entry(keyOf(x), valueOf(x), sl.isTombstone(x), sl.stampOf(x));
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /**
     * Seals this list (see the class comment), waits until the writes under way have finished,
     * and returns it as the frozen list with its successor, a fresh, empty list of the same
     * configuration that expects keys like this list's. Only this call waits; writers never do.
     *
     * @throws IllegalStateException when already sealed (automatically or not)
     * @throws SkipstoreException     {@link SkipstoreException.Problem#CLOSED} when closed
     */
    public Sealed seal() {
        checkOpen();
        if (!sealing.begin(false, this::fresh)) {
            throw new IllegalStateException("the ConcurrentSkipList is already sealed");
        }
        gate.seal();
        return sealing.future().join();
    }

    /**
     * Completes with the frozen list and its successor once this list has been sealed (by a
     * write that found it full, or by {@link #seal()}) and the writes under way have finished.
     * The future is a copy: completing it does nothing to the list.
     */
    public CompletableFuture<Sealed> whenSealed() {
        return sealing.future().copy();
    }

    /**
     * The list that takes writes after this one: null until the seal begins, then the fresh list
     * of the seal (a writer that got {@link InsertResult#SEALED} finds it here).
     */
    public ConcurrentSkipList successor() {
        return sealing.successor();
    }

    /** The shared key prefix this list was built with ({@link Builder#sharedKeyPrefix}); empty for none. */
    public byte[] sharedKeyPrefix() {
        return config.keys.prefix();
    }

    /** The result of a seal: the read-only list to flush, and a fresh one for writes. */
    public record Sealed(ConcurrentSkipList frozen, ConcurrentSkipList fresh) {
    }

    /** Whether the list refuses writes with SEALED (the writes under way may still be finishing). */
    public boolean isSealed() {
        return gate.isSealed();
    }

    /**
     * Frees all memory (once the writes under way have left; later ones are refused); see the
     * class comment. Idempotent. Does not close the {@link #successor()}.
     */
    @Override
    public void close() {
        closed = true;
        sealing.endBackpressure();
        gate.close();
    }

    /**
     * Checks the structure: every level in order ({@code [key ascending, sequence descending]}),
     * every level a sub-list of the one below, every node on a level its tower reaches, and, with
     * no write under way, the counts ({@link #versionCount()}, {@link #size()}) equal to what the
     * levels hold and no version left without a sequence. Reads without a lock; safe at any time.
     *
     * @return what the list holds
     * @throws IllegalStateException with what is wrong, when the structure is broken
     */
    public Structure verify() {
        checkOpen();
        boolean quiet = gate.inside() == 0;
        Structure st = Checker.check(sl);
        if (quiet && gate.inside() == 0 && (st.versions() != versionCount() || st.liveKeys() != size()
                || st.pending() != 0)) {
            throw new IllegalStateException("the counts disagree with the levels: " + st + " against versionCount="
                    + versionCount() + ", size=" + size());
        }
        return st;
    }

    /**
     * What {@link #verify()} found: levels in use, nodes on each level (index 0: every version),
     * versions, distinct keys, keys whose newest version is live, versions not yet given a
     * sequence (writes under way).
     */
    public record Structure(int levels, long[] nodesPerLevel, long versions, long keys, long liveKeys, long pending) {
        @Override
        public String toString() {
            return "Structure[levels=" + levels + ", nodesPerLevel=" + java.util.Arrays.toString(nodesPerLevel)
                    + ", versions=" + versions + ", keys=" + keys + ", liveKeys=" + liveKeys + ", pending=" + pending + "]";
        }
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

    /** Write attempts, including duplicates and refused writes (each pair of a batch counts). */
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
                || (config.maxEntries > 0 && sl.reserved() >= config.maxEntries * 0.9);
    }

    @Override
    public String toString() {
        return "ConcurrentSkipList[size=" + size() + ", versions=" + versionCount() + ", memory=" + memoryUsage()
                + (isSealed() ? ", sealed" : "") + (closed ? ", closed" : "") + "]";
    }

    /** What a write that finds the list full does ({@link Builder#whenFull}). */
    public enum WhenFull {
        /** Seal the list (once) and report {@link InsertResult#SEALED}: see the class comment. */
        SEAL,
        /** Leave the list open and report {@link InsertResult#OUT_OF_MEMORY}: the owner decides. */
        REFUSE
    }

    /** Options of a {@link ConcurrentSkipList}. */
    public static final class Builder {
        private int shards = Runtime.getRuntime().availableProcessors();
        private long initialArenaBytesPerShard = 64 * 1024;
        private long maxMemoryBytes;
        private long maxEntries;
        private WhenFull whenFull = WhenFull.SEAL;
        private Consumer<Sealed> onSeal;
        private KeyShape keys = KeyShape.NONE;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.shards = shards;
            b.initialArenaBytesPerShard = initialArenaBytesPerShard;
            b.maxMemoryBytes = maxMemoryBytes;
            b.maxEntries = maxEntries;
            b.whenFull = whenFull;
            b.onSeal = onSeal;
            b.keys = keys;
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

        /** What a write that finds the list full does; default {@link WhenFull#SEAL}. */
        public Builder whenFull(WhenFull whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
            return this;
        }

        /**
         * Called once per seal, when the writes under way at the seal have finished, with the
         * frozen list and its successor (which gets this listener too). It runs on the thread
         * that saw the drain, often a writer: keep it short (swap a reference, queue a flush).
         * An exception it throws is logged, never passed to a write.
         */
        public Builder onSeal(Consumer<Sealed> listener) {
            this.onSeal = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The bytes most keys will start with, when they share some ("customer-" before each
         * customer id); default none. A hint for speed: each node and link keeps a few bytes of
         * its key for searches to compare, and keys alike in their first bytes would all tie
         * there; with the hint those are the bytes after the prefix. Keys without it are stored
         * and ordered as any other, their searches slower. {@link #keysLike} learns it (and more)
         * from the keys of the list this one replaces, as a seal's successor does by itself.
         *
         * @throws IllegalArgumentException when longer than {@link #MAX_KEY_BYTES}
         */
        public Builder sharedKeyPrefix(byte[] prefix) {
            if (Objects.requireNonNull(prefix, "prefix").length > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("sharedKeyPrefix is longer than a key may be: " + prefix.length);
            }
            this.keys = KeyShape.ofPrefix(prefix);
            return this;
        }

        /**
         * Expects keys like those of {@code previous}, the list this one replaces: a hint for
         * speed, as {@link #sharedKeyPrefix}, learned from a sample of its keys (a few thousand,
         * in order, from its taller towers: a walk of well under a millisecond): the prefix they
         * share, the common prefix of its smallest and largest key, and which byte values follow
         * it (digits only, say), so that the few bits each link keeps of its key tell more keys
         * apart. When {@code previous} holds fewer than two keys, what it expected itself.
         *
         * @throws SkipstoreException {@link SkipstoreException.Problem#CLOSED} when {@code previous} is closed
         */
        public Builder keysLike(ConcurrentSkipList previous) {
            previous.checkOpen();
            this.keys = KeyShape.learn(previous.sl);
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
