package org.skipstore.bench.kafka;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.skipstore.kafka.streams.SkipstoreStoreConfig;
import org.skipstore.kafka.streams.SkipstoreStreamsConfig;
import org.skipstore.kafka.streams.SkipstoreStores;
import org.skipstore.pagestore.SkipstoreBuilder;

/**
 * The topology of the Kafka benchmark and its stores: purchases keyed by customer, summed per
 * customer, {@code groupByKey().aggregate(() -> 0L, (customer, amount, total) -> total + amount)},
 * the totals to an output topic. It is the aggregation of the kafka-streams module's
 * {@code TopologyTest}, which shows that both stores give the same output with it. An aggregate
 * rather than a {@code count()}: the same store traffic (a get and a put per record), with the
 * aggregator's value coming from the record.
 *
 * <p>The store is Skipstore's timestamped one ({@link
 * SkipstoreStores#persistentTimestampedKeyValueStore}, default options: what {@code
 * SkipstoreDslStoreSuppliers} gives the DSL) or the one Kafka Streams' DSL makes by default ({@link
 * Stores#persistentTimestampedKeyValueStore}, RocksDB), with the record cache off, so that every
 * read and write of the topology reaches the store. Both hold values after their timestamp, so
 * neither goes through the DSL's adapter for stores without timestamps.
 */
final class Aggregation {

    static final String APPLICATION_ID = "skipstore-kafka-bench";
    static final String STORE = "totals";
    static final String INPUT = "purchases";
    static final String OUTPUT = "totals";
    /** The store's changelog topic: Kafka Streams names it {@code <application id>-<store>-changelog}. */
    static final String CHANGELOG = APPLICATION_ID + "-" + STORE + "-changelog";

    static final String SKIPSTORE = "skipstore";
    static final String ROCKSDB = "rocksdb";
    static final List<String> ENGINES = List.of(SKIPSTORE, ROCKSDB);

    private Aggregation() {
    }

    /** The store supplier of {@code engine}, as an application would name it. */
    static KeyValueBytesStoreSupplier supplier(String engine) {
        return switch (engine) {
            case SKIPSTORE -> SkipstoreStores.persistentTimestampedKeyValueStore(STORE);
            case ROCKSDB -> Stores.persistentTimestampedKeyValueStore(STORE);
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "' (known: "
                    + String.join(", ", ENGINES) + ")");
        };
    }

    /**
     * The memory budget Skipstore's store is given ({@code skipstore.memory.budget.bytes}): what
     * the memtables of the default options take, {@code memtableBytes x (1 + maxSealedMemtables)},
     * 48 MiB. The store fits its memtables and its buffers in it (smaller memtables than asked).
     */
    static long skipstoreBudget() {
        return SkipstoreStoreConfig.defaults().memtableBytes() * (1 + SkipstoreBuilder.DEFAULT_MAX_SEALED);
    }

    static Topology topology(KeyValueBytesStoreSupplier supplier) {
        Materialized<String, Long, KeyValueStore<Bytes, byte[]>> m = Materialized
                .<String, Long>as(supplier)
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long())
                .withCachingDisabled();
        StreamsBuilder b = new StreamsBuilder();
        b.stream(INPUT, Consumed.with(Serdes.String(), Serdes.Long()))
                .groupByKey()
                .aggregate(() -> 0L, (customer, amount, total) -> total + amount, m)
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        return b.build();
    }

    /** The driver's configuration: at least once (the default), state under {@code stateDir}. */
    static Properties config(Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, skipstoreBudget()); // RocksDB's store ignores it
        return p;
    }
}
