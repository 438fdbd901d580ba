package org.skipstore.kafka.streams;

import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Factories of Skipstore state stores for Kafka Streams, as {@code Stores} has RocksDB's. The
 * suppliers go wherever Kafka Streams takes one: {@code Materialized.as(supplier)} in the DSL, or
 * {@code Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde)} in the Processor API, which
 * wraps the store with caching and change logging as it wraps RocksDB's. As with RocksDB, the DSL's
 * stores (tables, aggregations) take the timestamped supplier, the Processor API's plain key-value
 * stores the plain one; a store keeps the format it was first written in ({@link
 * #persistentTimestampedKeyValueStore(String)}).
 */
public final class SkipstoreStores {

    /** The metrics scope of Skipstore stores ({@code KeyValueBytesStoreSupplier#metricsScope}). */
    public static final String METRICS_SCOPE = "skipstore";

    private SkipstoreStores() {
    }

    /**
     * A persistent key-value store named {@code name}, kept in the directory {@code <state
     * dir>/<name>} of its task, with the default options and the application's {@code
     * skipstore.*} properties over them ({@link SkipstoreStreamsConfig}).
     *
     * @throws IllegalArgumentException when {@code name} cannot be a directory's name
     */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name) {
        Objects.requireNonNull(name, "name");
        return new Supplier(checkName(name), null, false);
    }

    /**
     * {@link #persistentKeyValueStore(String)} with {@code config}'s options, which the {@code
     * skipstore.*} properties do not change (the config setter and the memory budget still
     * apply).
     */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name, SkipstoreStoreConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        return new Supplier(checkName(name), config, false);
    }

    /**
     * A persistent key-value store of timestamped values, as {@code
     * Stores.persistentTimestampedKeyValueStore} is RocksDB's: the store for the DSL ({@code
     * Materialized.as(supplier)}) and {@code Stores.timestampedKeyValueStoreBuilder}, where Kafka
     * Streams keeps each value with its record's timestamp (a plain store's values read back with
     * timestamp -1) and restores the changelog into that form. Kept in {@code <state
     * dir>/<name>} like {@link #persistentKeyValueStore(String)}'s, and with its options.
     *
     * <p>A store records its format with its first write: opening one written as a plain store
     * with this supplier, or the other way round, fails its {@code init} with a {@code
     * ProcessorStateException}; reset the application's local state ({@code KafkaStreams#cleanUp()})
     * so that it restores from the changelog in the new format.
     *
     * @throws IllegalArgumentException when {@code name} cannot be a directory's name
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name) {
        Objects.requireNonNull(name, "name");
        return new Supplier(checkName(name), null, true);
    }

    /**
     * {@link #persistentTimestampedKeyValueStore(String)} with {@code config}'s options, which the
     * {@code skipstore.*} properties do not change (the config setter and the memory budget still
     * apply).
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name,
                                                                              SkipstoreStoreConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        return new Supplier(checkName(name), config, true);
    }

    /** The name becomes a directory under the task's: one plain file name, no path. */
    private static String checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a store name must be a plain file name: \"" + name + "\"");
        }
        return name;
    }

    /**
     * Makes a new store each time Kafka Streams asks (one a task); {@code config} null: the
     * application's; {@code timestamped}: a store of timestamped values.
     */
    private record Supplier(String name, SkipstoreStoreConfig config, boolean timestamped)
            implements KeyValueBytesStoreSupplier {
        @Override
        public SkipstoreKeyValueStore get() {
            return timestamped ? new SkipstoreTimestampedKeyValueStore(name, config)
                    : new SkipstoreKeyValueStore(name, config);
        }

        @Override
        public String metricsScope() {
            return METRICS_SCOPE;
        }
    }
}
