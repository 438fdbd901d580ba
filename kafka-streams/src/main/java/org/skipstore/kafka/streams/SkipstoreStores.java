package org.skipstore.kafka.streams;

import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Factories of Skipstore state stores for Kafka Streams, as {@code Stores} has RocksDB's. The
 * suppliers go wherever Kafka Streams takes one: {@code Materialized.as(supplier)} in the DSL, or
 * {@code Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde)} in the Processor API, which
 * wraps the store with caching and change logging as it wraps RocksDB's.
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
        return new Supplier(checkName(name), null);
    }

    /**
     * {@link #persistentKeyValueStore(String)} with {@code config}'s options, which the {@code
     * skipstore.*} properties do not change (the config setter and the memory budget still
     * apply).
     */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name, SkipstoreStoreConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        return new Supplier(checkName(name), config);
    }

    /** The name becomes a directory under the task's: one plain file name, no path. */
    private static String checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a store name must be a plain file name: \"" + name + "\"");
        }
        return name;
    }

    /** Makes a new store each time Kafka Streams asks (one a task); {@code config} null: the application's. */
    private record Supplier(String name, SkipstoreStoreConfig config) implements KeyValueBytesStoreSupplier {
        @Override
        public SkipstoreKeyValueStore get() {
            return new SkipstoreKeyValueStore(name, config);
        }

        @Override
        public String metricsScope() {
            return METRICS_SCOPE;
        }
    }
}
