package org.skipstore.kafka.streams;

import java.util.Map;
import org.apache.kafka.streams.DslStoreFormat;
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
 * aggregate}, a {@code reduce}, a materialized table, {@code Materialized.as("name")}) is a Skipstore
 * store, configured by the {@code skipstore.*} properties, in the format the DSL asks for
 * ({@link DslKeyValueParams#dslStoreFormat()}), as Kafka Streams' RocksDB suppliers decide:
 * <ul>
 *   <li>{@link DslStoreFormat#TIMESTAMPED} (tables and aggregations, by default): {@link
 *       SkipstoreStores#persistentTimestampedKeyValueStore(String)}, which keeps each value's record
 *       timestamp, so that an aggregation's output and a table's records carry the timestamps they
 *       carry with RocksDB;</li>
 *   <li>{@link DslStoreFormat#HEADERS} ({@code dsl.store.format=HEADERS}): the timestamped store
 *       too, as Skipstore has no store of headers. The DSL builds a supplier that is no {@code
 *       HeadersBytesStoreSupplier} into a timestamped store: record timestamps are kept, record
 *       headers are not stored (RocksDB's stores would keep them);</li>
 *   <li>{@link DslStoreFormat#PLAIN}: {@link SkipstoreStores#persistentKeyValueStore(String)}.</li>
 * </ul>
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
        return switch (params.dslStoreFormat()) {
            case PLAIN -> SkipstoreStores.persistentKeyValueStore(params.name());
            case TIMESTAMPED, HEADERS -> SkipstoreStores.persistentTimestampedKeyValueStore(params.name());
        };
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
