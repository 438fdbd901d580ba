package org.skipstore.bench.store;

import java.io.IOException;

/**
 * A durable ordered key-value store under test, reduced to what the store benchmarks do: puts in
 * batches that a durable commit ends, one-put durable commits, and readers (a snapshot where the
 * engine has them) for point reads and ordered scans. The JMH store benchmark and the
 * db_bench-style tool drive every engine through it, so that they run the same loop for each;
 * {@link Stores#open} makes one.
 *
 * <p>A batch of puts is a transaction for the engines that have them (PageStore, LMDB, MVStore,
 * MapDB). The engines whose writes need none (Skipstore, RocksDB) take it as their {@link Writes}
 * mode says: by default each put is a write of its own and the batch's last one a durable write
 * ({@link #putAndCommit}), which forces the log for it and every write before it.
 *
 * <p>One thread at a time, but for {@link #commitOne}. Keys are compared as unsigned bytes by
 * every engine. The caller may reuse its key and value arrays after each call: an engine that
 * keeps references copies them.
 *
 * @see org.skipstore.bench.jmh.StoreBenchmark
 */
public interface KvStore extends AutoCloseable {

    /** The engine's name, as {@link Stores#open} takes it. */
    String engine();

    /**
     * How Skipstore and RocksDB, which need no transaction, take a batch of puts and a one-put
     * commit; the other engines ignore it (a batch is their transaction, a one-put commit a
     * transaction of one put).
     */
    enum Writes {
        /**
         * Each put is a write of its own, not forced (Skipstore {@code NO_SYNC}, RocksDB
         * {@code sync = false}); the batch's last put ({@link #putAndCommit}) is a durable write
         * (Skipstore {@code SYNC}, RocksDB {@code sync = true}), which forces the log for it and
         * every write before it. {@link #commitOne} is a durable write of its own (SYNC).
         */
        PER_PUT,
        /** The puts collect in one atomic batch ({@code WriteBatch}), written durably at the commit. */
        BATCH,
        /**
         * As {@link #PER_PUT}, but {@link #commitOne} is the engine's group commit, where writers
         * that come together share one force (Skipstore {@code GROUP}; RocksDB groups its synced
         * writes anyway).
         */
        GROUP
    }

    /** Sets {@code key} to {@code value} in the open batch (a write transaction), begun on demand. */
    void put(byte[] key, byte[] value) throws IOException;

    /**
     * The batch's last put, then its durable {@link #commit}: for the engines without
     * transactions one durable write ({@link Writes#PER_PUT}).
     */
    default void putAndCommit(byte[] key, byte[] value) throws IOException {
        put(key, value);
        commit();
    }

    /**
     * Commits the open batch durably, as the engine's durable default mode does it (nothing when no
     * batch is open): when it returns, a crash of the machine loses none of it.
     */
    void commit() throws IOException;

    /**
     * One put committed durably on its own, outside any batch: when it returns, a crash of the
     * machine loses none of it. Unlike the rest of this interface it may be called from several
     * threads at once (the engines that can share a force among them do, see {@link Writes#GROUP});
     * by default a put and a commit under the store's monitor.
     */
    default void commitOne(byte[] key, byte[] value) throws IOException {
        synchronized (this) {
            put(key, value);
            commit();
        }
    }

    /** A reader on the last commit; close it before the next {@link #put}. */
    Reader reader() throws IOException;

    /**
     * Waits until the background work the last writes started is done, without starting more:
     * Skipstore's flushes of its sealed memtables (the active one keeps its data), RocksDB's
     * pending and running flushes and compactions; the others have none. Reads after it see a
     * state that stays as it is.
     */
    default void quiesce() throws IOException {
    }

    /**
     * Brings the store to its steady state for reading after a bulk fill, outside any
     * measurement: Skipstore flushes every memtable into its store, RocksDB flushes its memtable
     * and compacts; the others have nothing to do.
     */
    default void settle() throws IOException {
    }

    /**
     * Bytes the store holds outside the Java heap in memory it allocated itself (memtables,
     * caches, index blocks), or -1 where it cannot tell. Pages of its files that the OS caches or
     * maps (LMDB's and PageStore's data) are the OS's page cache, counted for no store.
     */
    default long offHeapBytes() {
        return -1;
    }

    /** Facts about the store worth printing next to its size (PageStore: its {@code Stats}), or "". */
    default String details() {
        return "";
    }

    /** Closes the store (committing nothing: an open batch is dropped where the engine can). */
    @Override
    void close() throws IOException;

    /**
     * Point reads and scans, on a snapshot for the engines that have them (Skipstore, RocksDB: a
     * snapshot; PageStore, LMDB: a read transaction). Every method touches the bytes it visits (a key byte, a value byte and the
     * value's length go into {@link #checksum()}), so no engine is spared the reading.
     */
    interface Reader extends AutoCloseable {

        /** The length of {@code key}'s value, or -1 when absent. */
        int get(byte[] key);

        /** Visits every entry, in ascending key order or descending; returns how many. */
        long scan(boolean reverse);

        /** Visits up to {@code limit} entries from the first key at least {@code from}, ascending. */
        long scanFrom(byte[] from, int limit);

        /** A sum of bytes seen so far: consume it, so that the reads cannot be optimized away. */
        long checksum();

        @Override
        void close();
    }
}
