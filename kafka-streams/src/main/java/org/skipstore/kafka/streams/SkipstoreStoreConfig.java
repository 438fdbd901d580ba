package org.skipstore.kafka.streams;

import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.SkipstoreBuilder;
import org.skipstore.pagestore.WriteDurability;

/**
 * How a Skipstore state store opens its engine: the memtable size and the page size. Immutable;
 * {@link #builder()} makes one. A store given one ({@link
 * SkipstoreStores#persistentKeyValueStore(String, SkipstoreStoreConfig)}) uses it as it is; a store
 * given none starts from {@link #defaults()} and takes the {@code skipstore.*} properties of Kafka
 * Streams' config ({@link SkipstoreStreamsConfig}). The options are checked when they are set, by
 * the engine's own rules ({@link SkipstoreBuilder}).
 *
 * <pre>{@code
 * SkipstoreStoreConfig config = SkipstoreStoreConfig.builder().memtableBytes(32 << 20).build();
 * Materialized.as(SkipstoreStores.persistentKeyValueStore("counts", config));
 * }</pre>
 */
public final class SkipstoreStoreConfig {

    /**
     * The default memtable size: 16 MiB, as Kafka Streams' RocksDB write buffer. A memtable takes
     * memory as it fills, and every commit flushes it, so most stay far smaller.
     */
    public static final long DEFAULT_MEMTABLE_BYTES = 16L << 20;
    /** The smallest memtable the engine takes: 1 MiB. */
    public static final long MIN_MEMTABLE_BYTES = 1L << 20;
    /**
     * Memtables a store holds at most at once: the one taking writes and those sealed, waiting
     * for their flush (the engine's default, {@link SkipstoreBuilder#DEFAULT_MAX_SEALED}).
     */
    public static final int MEMTABLES = 1 + SkipstoreBuilder.DEFAULT_MAX_SEALED;

    private static final SkipstoreStoreConfig DEFAULTS = builder().build();

    private final long memtableBytes;
    private final int pageSize;

    private SkipstoreStoreConfig(long memtableBytes, int pageSize) {
        this.memtableBytes = memtableBytes;
        this.pageSize = pageSize;
    }

    /** The default options. */
    public static SkipstoreStoreConfig defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A memtable's memory, in bytes. */
    public long memtableBytes() {
        return memtableBytes;
    }

    /** The page size of a store this creates (an existing store keeps its own). */
    public int pageSize() {
        return pageSize;
    }

    /**
     * About the most native memory a store with these options holds, what a memory budget
     * charges it: its engine's ({@link SkipstoreBuilder#memoryBytes()}: {@link #MEMTABLES}
     * memtables of {@link #memtableBytes()} and the store's write buffers), the buffer of its
     * batches to the engine (a sixteenth of a memtable), and a copy of such a batch with each
     * sealed memtable that a seal split it across (the engine has no log to replay its rest from).
     */
    public long memoryBytes() {
        return memoryBytes(memtableBytes);
    }

    /** {@link #memoryBytes()} of a store whose memtables are of {@code memtableBytes}. */
    static long memoryBytes(long memtableBytes) {
        return engine(memtableBytes, PageStore.DEFAULT_PAGE_SIZE).memoryBytes()
                + MEMTABLES * StoreEngine.batchBytes(memtableBytes); // the buffer, and MEMTABLES - 1 split copies
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder().memtableBytes(memtableBytes).pageSize(pageSize);
    }

    /**
     * The engine's options for a state store: no log of its own (the changelog topic is the
     * log), and one memtable shard, since one thread at a time writes a store (its stream thread,
     * or the restore).
     */
    SkipstoreBuilder engine() {
        return engine(memtableBytes, pageSize);
    }

    private static SkipstoreBuilder engine(long memtableBytes, int pageSize) {
        return Skipstore.builder()
                .durability(WriteDurability.NO_LOG)
                .memtableBytes(memtableBytes)
                .maxSealedMemtables(MEMTABLES - 1)
                .pageSize(pageSize)
                .memtableShards(1);
    }

    @Override
    public String toString() {
        return "SkipstoreStoreConfig[memtableBytes=" + memtableBytes + ", pageSize=" + pageSize + "]";
    }

    /** Options for a {@link SkipstoreStoreConfig}; not thread-safe. */
    public static final class Builder {
        private long memtableBytes = DEFAULT_MEMTABLE_BYTES;
        private int pageSize = PageStore.DEFAULT_PAGE_SIZE;

        private Builder() {
        }

        /**
         * A memtable's memory (default {@link #DEFAULT_MEMTABLE_BYTES}, at least {@link
         * #MIN_MEMTABLE_BYTES}; a store holds up to {@link #MEMTABLES} at once). A commit
         * larger than half of it goes to the engine in several batches (see {@link
         * SkipstoreKeyValueStore}).
         *
         * @throws IllegalArgumentException when the engine refuses it
         */
        public Builder memtableBytes(long bytes) {
            Skipstore.builder().memtableBytes(bytes);
            this.memtableBytes = bytes;
            return this;
        }

        /**
         * The page size of a store created with these options (default the engine's, 512 bytes; a
         * power of two from 512 to 65536).
         *
         * @throws IllegalArgumentException when the engine refuses it
         */
        public Builder pageSize(int bytes) {
            Skipstore.builder().pageSize(bytes);
            this.pageSize = bytes;
            return this;
        }

        public SkipstoreStoreConfig build() {
            return new SkipstoreStoreConfig(memtableBytes, pageSize);
        }
    }
}
