package org.skipstore.bench.store;

import java.io.IOException;

/**
 * A durable ordered key-value store under test, reduced to what the store benchmarks do: puts in
 * batches that a durable commit ends, and readers (a snapshot where the engine has them) for point
 * reads and ordered scans. The JMH store benchmark and the db_bench-style tool drive every engine
 * through it, so that they run the same loop for each; {@link Stores#open} makes one.
 *
 * <p>One thread at a time. Keys are compared as unsigned bytes by every engine. The caller may
 * reuse its key and value arrays after each call: an engine that keeps references copies them.
 *
 * @see org.skipstore.bench.jmh.StoreBenchmark
 */
public interface KvStore extends AutoCloseable {

    /** The engine's name, as {@link Stores#open} takes it. */
    String engine();

    /** Sets {@code key} to {@code value} in the open batch (a write transaction), begun on demand. */
    void put(byte[] key, byte[] value) throws IOException;

    /**
     * Commits the open batch durably, as the engine's durable default mode does it (nothing when no
     * batch is open): when it returns, a crash of the machine loses none of it.
     */
    void commit() throws IOException;

    /** A reader on the last commit; close it before the next {@link #put}. */
    Reader reader() throws IOException;

    /**
     * Brings the store to its steady state for reading after a bulk fill, outside any
     * measurement: RocksDB flushes its memtable and compacts; the others have nothing to do.
     */
    default void settle() throws IOException {
    }

    /** Facts about the store worth printing next to its size (PageStore: its {@code Stats}), or "". */
    default String details() {
        return "";
    }

    /** Closes the store (committing nothing: an open batch is dropped where the engine can). */
    @Override
    void close() throws IOException;

    /**
     * Point reads and scans, on a snapshot for the engines that have them (PageStore, LMDB: a read
     * transaction). Every method touches the bytes it visits (a key byte, a value byte and the
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
