package org.skipstore.kafka.streams;

import java.util.Map;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * Skipstore as the default store of the DSL: with
 *
 * <pre>{@code
 * props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SkipstoreDslStoreSuppliers.class);
 * }</pre>
 *
 * every key-value store the DSL makes without a supplier of its own (a {@code count}, an {@code
 * aggregate}, a {@code reduce}, a materialized table, {@code Materialized.as("name")}) is {@link
 * SkipstoreStores#persistentKeyValueStore(String) SkipstoreStores.persistentKeyValueStore(name)},
 * configured by the {@code skipstore.*} properties. Whatever format the DSL asks for (plain,
 * timestamped, with headers), the store is the plain one, and Kafka Streams wraps it as it wraps
 * any plain key-value supplier, as with {@code
 * Materialized.as(SkipstoreStores.persistentKeyValueStore(name))}: the store keeps no record
 * timestamps, so a value read from it has timestamp -1 (one Kafka Streams' record cache still holds
 * keeps its own), and an aggregation's output takes its input record's timestamp rather than the
 * later of that and the stored value's.
 *
 * <p>Skipstore has no window or session store: those stay Kafka Streams' RocksDB stores ({@link
 * BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers}, the default), so an application with windowed
 * aggregations or session windows still runs RocksDB for them.
 */
public final class SkipstoreDslStoreSuppliers implements DslStoreSuppliers {

    private final DslStoreSuppliers rocksdb = new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers();

    /** Kafka Streams makes it from {@code dsl.store.suppliers.class}. */
    public SkipstoreDslStoreSuppliers() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
        rocksdb.configure(configs);
    }

    @Override
    public KeyValueBytesStoreSupplier keyValueStore(DslKeyValueParams params) {
        return SkipstoreStores.persistentKeyValueStore(params.name());
    }

    /** Kafka Streams' RocksDB window store. */
    @Override
    public WindowBytesStoreSupplier windowStore(DslWindowParams params) {
        return rocksdb.windowStore(params);
    }

    /** Kafka Streams' RocksDB session store. */
    @Override
    public SessionBytesStoreSupplier sessionStore(DslSessionParams params) {
        return rocksdb.sessionStore(params);
    }
}
