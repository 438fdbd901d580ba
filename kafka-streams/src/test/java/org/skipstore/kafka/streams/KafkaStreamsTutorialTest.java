package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tour of Skipstore in a Kafka Streams application: swapping RocksDB for it one store at a
 * time or for every key-value store of the DSL, and configuring it. The README's section "Kafka
 * Streams" shows these snippets; written as a test so that they keep working. Read it top to
 * bottom; each test runs its topology through {@link TopologyTestDriver}, as it would run in
 * {@code new KafkaStreams(topology, props)}.
 */
class KafkaStreamsTutorialTest {

    @TempDir
    Path dir;

    private static final List<String> LINES = List.of("the cat", "the dog", "a cat");

    /** What every application sets anyway. */
    private Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        return props;
    }

    /** The words of "lines", one record each. */
    private static KStream<String, String> words(StreamsBuilder builder) {
        return builder.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> List.of(line.split(" ")));
    }

    /** Counts the words of "lines" in the store {@code counts} makes, and writes each count to "counts". */
    private static Topology wordCount(Materialized<String, Long, KeyValueStore<Bytes, byte[]>> counts) {
        StreamsBuilder builder = new StreamsBuilder();
        words(builder)
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(counts)
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    /** Feeds {@link #LINES} to the topology and returns the last record of each key on {@code output}. */
    private static Map<String, Long> run(Topology topology, Properties props, String output) {
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> lines = driver.createInputTopic("lines", Serdes.String().serializer(),
                    Serdes.String().serializer());
            LINES.forEach(line -> lines.pipeInput(null, line));
            TestOutputTopic<String, Long> out = driver.createOutputTopic(output, Serdes.String().deserializer(),
                    Serdes.Long().deserializer());
            return out.readKeyValuesToMap();
        }
    }

    // 1. One store in the DSL: where a store would be Materialized.as("counts") (RocksDB), give it
    //    Skipstore's timestamped supplier, as the DSL's stores keep their records' timestamps. Kafka
    //    Streams wraps it with its cache and changelog as it wraps RocksDB.
    @Test
    void oneStoreOfTheDsl() {
        Topology topology = wordCount(Materialized.<String, Long>as(SkipstoreStores.persistentTimestampedKeyValueStore("counts"))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));

        assertThat(run(topology, props(), "counts"))
                .isEqualTo(Map.of("the", 2L, "cat", 2L, "dog", 1L, "a", 1L));
        // the store lived in <state.dir>/<application.id>/<task>/counts (the driver deletes it at close)
    }

    // 2. One store in the Processor API: Stores.keyValueStoreBuilder takes Skipstore's supplier where
    //    it took Stores.persistentKeyValueStore("seen").
    @Test
    void oneStoreOfTheProcessorApi() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(SkipstoreStores.persistentKeyValueStore("seen"),
                Serdes.String(), Serdes.Long()));
        words(builder)
                .process(FirstSighting::new, "seen")
                .to("first-seen", Produced.with(Serdes.String(), Serdes.Long()));

        // each word once, with the offset of the line it was first seen in
        assertThat(run(builder.build(), props(), "first-seen"))
                .isEqualTo(Map.of("the", 0L, "cat", 0L, "dog", 1L, "a", 2L));
    }

    /** Forwards a word the first time it comes, keyed by itself, with its record's offset. */
    static final class FirstSighting implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private KeyValueStore<String, Long> seen;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            this.context = context;
            this.seen = context.getStateStore("seen");
        }

        @Override
        public void process(Record<String, String> record) {
            long offset = context.recordMetadata().orElseThrow().offset();
            if (seen.putIfAbsent(record.value(), offset) == null) {
                context.forward(new Record<>(record.value(), offset, record.timestamp()));
            }
        }
    }

    // 3. Every key-value store of the DSL, through the config alone: the topology names its stores
    //    (or not) and gives no supplier. Window and session stores stay RocksDB's.
    @Test
    void everyStoreOfTheDsl() {
        Topology topology = wordCount(Materialized.as("counts"));

        Properties props = props();
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SkipstoreDslStoreSuppliers.class);

        assertThat(run(topology, props, "counts"))
                .isEqualTo(Map.of("the", 2L, "cat", 2L, "dog", 1L, "a", 1L));
    }

    // 4. Configuration, in the application's properties: the memtable and page size of every store
    //    (a store given a SkipstoreStoreConfig of its own keeps it), a memory budget that all the
    //    Skipstore stores of this KafkaStreams instance share, and a config setter for options per
    //    store. An invalid value fails the store's init with a ConfigException naming the property.
    @Test
    void configuration() {
        Topology topology = wordCount(Materialized.<String, Long>as(SkipstoreStores.persistentTimestampedKeyValueStore("counts"))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));

        Properties props = props();
        props.put(SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 8L << 20);
        props.put(SkipstoreStreamsConfig.PAGE_SIZE_CONFIG, 4096);
        props.put(SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, 256L << 20);
        props.put(SkipstoreStreamsConfig.CONFIG_SETTER_CLASS_CONFIG, BigCounts.class);

        assertThat(run(topology, props, "counts"))
                .isEqualTo(Map.of("the", 2L, "cat", 2L, "dog", 1L, "a", 1L));
        assertThat(BigCounts.CONFIGURED).contains("counts");
    }

    /** A config setter: each Skipstore store makes one when it opens, and calls it with its name. */
    public static class BigCounts implements SkipstoreConfigSetter {
        static final Set<String> CONFIGURED = ConcurrentHashMap.newKeySet();

        @Override
        public void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs) {
            if (storeName.equals("counts")) {
                config.memtableBytes(32L << 20);
            }
            CONFIGURED.add(storeName);
        }
    }
}
