package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole topologies through {@link TopologyTestDriver}: the same topology with Skipstore stores
 * and with Kafka Streams' default (RocksDB) stores gives the same output records and the same
 * final state. Replay the input with {@code -Dskipstore.seed=S}.
 */
class TopologyTest {

    @TempDir
    Path dir;

    /**
     * A store's {@code Materialized}: Skipstore's supplier or the default store, behind Kafka
     * Streams' record cache or not. Without the cache every read and write of the topology reaches
     * the store; with it, the store sees what the cache evicts and flushes at commits.
     */
    private static Materialized<String, Long, KeyValueStore<Bytes, byte[]>> materialized(String name,
                                                                                         boolean skipstore,
                                                                                         boolean cached) {
        Materialized<String, Long, KeyValueStore<Bytes, byte[]>> m = skipstore
                ? Materialized.as(SkipstoreStores.persistentKeyValueStore(name))
                : Materialized.as(name);
        m = m.withKeySerde(Serdes.String()).withValueSerde(Serdes.Long());
        return cached ? m.withCachingEnabled() : m.withCachingDisabled();
    }

    private static Topology wordCount(boolean skipstore, boolean cached) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((k, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(materialized("counts", skipstore, cached))
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return b.build();
    }

    private static Topology totals(boolean skipstore, boolean cached) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("purchases", Consumed.with(Serdes.String(), Serdes.Long()))
                .groupByKey()
                .aggregate(() -> 0L, (customer, amount, total) -> total + amount, materialized("totals", skipstore, cached))
                .toStream()
                .to("totals", Produced.with(Serdes.String(), Serdes.Long()));
        return b.build();
    }

    /**
     * What a run of a topology left: its output records, its store's final contents, and the
     * directories in its state directory (the driver deletes them when it closes).
     */
    private record Run(List<KeyValue<String, Long>> output, List<KeyValue<String, Long>> state, List<Path> dirs) {
    }

    private Run run(Topology topology, String guarantee, String input, String output, String store,
                    Function<TestInputTopicFactory, Void> feed, String label) {
        Path stateDir = dir.resolve(label);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "skipstore-topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, p)) {
            feed.apply(new TestInputTopicFactory(driver, input));
            TestOutputTopic<String, Long> out = driver.createOutputTopic(output, Serdes.String().deserializer(),
                    Serdes.Long().deserializer());
            List<KeyValue<String, Long>> state = new ArrayList<>();
            KeyValueStore<String, Long> s = driver.getKeyValueStore(store);
            try (KeyValueIterator<String, Long> it = s.all()) {
                it.forEachRemaining(state::add);
            }
            return new Run(out.readKeyValuesToList(), state, directories(stateDir));
        }
    }

    /** Input topics of a driver, typed as each test needs. */
    private record TestInputTopicFactory(TopologyTestDriver driver, String topic) {
        <V> TestInputTopic<String, V> of(org.apache.kafka.common.serialization.Serializer<V> values) {
            return driver.createInputTopic(topic, Serdes.String().serializer(), values);
        }
    }

    private static long seed() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("TopologyTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        return seed;
    }

    @ParameterizedTest
    @CsvSource({StreamsConfig.AT_LEAST_ONCE + ",false", StreamsConfig.EXACTLY_ONCE_V2 + ",true"})
    void aWordCountGivesWhatItGivesWithRocksDb(String guarantee, boolean cached) {
        Random random = new Random(seed());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            List<String> words = new ArrayList<>();
            for (int w = random.nextInt(6); w >= 0; w--) {
                words.add("w" + (char) ('a' + random.nextInt(26)) + random.nextInt(20));
            }
            lines.add(String.join(" ", words));
        }
        Function<TestInputTopicFactory, Void> feed = f -> {
            TestInputTopic<String, String> in = f.of(Serdes.String().serializer());
            lines.forEach(l -> in.pipeInput(null, l));
            return null;
        };
        Run skipstore = run(wordCount(true, cached), guarantee, "lines", "counts", "counts", feed, "skipstore");
        Run rocksdb = run(wordCount(false, cached), guarantee, "lines", "counts", "counts", feed, "rocksdb");
        assertThat(skipstore.output()).hasSizeGreaterThan(120).isEqualTo(rocksdb.output());
        assertThat(skipstore.state()).hasSizeGreaterThan(100).isEqualTo(rocksdb.state());
        // the store of the count lay in the task's directory: Skipstore's, or RocksDB's under rocksdb/
        assertThat(skipstore.dirs()).anyMatch(d -> d.endsWith(Path.of("0_0", "counts")))
                .noneMatch(d -> d.getFileName().toString().equals("rocksdb"));
        assertThat(rocksdb.dirs()).anyMatch(d -> d.endsWith(Path.of("rocksdb", "counts")));
    }

    @ParameterizedTest
    @CsvSource({StreamsConfig.AT_LEAST_ONCE + ",false", StreamsConfig.EXACTLY_ONCE_V2 + ",true"})
    void anAggregationGivesWhatItGivesWithRocksDb(String guarantee, boolean cached) {
        Random random = new Random(seed());
        List<KeyValue<String, Long>> purchases = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            purchases.add(KeyValue.pair("customer-" + random.nextInt(80), (long) random.nextInt(1000) - 100));
        }
        Function<TestInputTopicFactory, Void> feed = f -> {
            TestInputTopic<String, Long> in = f.of(Serdes.Long().serializer());
            in.pipeKeyValueList(purchases);
            return null;
        };
        Run skipstore = run(totals(true, cached), guarantee, "purchases", "totals", "totals", feed, "skipstore");
        Run rocksdb = run(totals(false, cached), guarantee, "purchases", "totals", "totals", feed, "rocksdb");
        assertThat(skipstore.output()).hasSize(300).isEqualTo(rocksdb.output());
        assertThat(skipstore.state()).hasSizeGreaterThan(60).isEqualTo(rocksdb.state());
    }

    /**
     * A count and a table-table join, their stores uncached so that every read reaches the store:
     * a count's record takes the later of its input's timestamp and the stored count's, a join's
     * the later of its two sides' (the other side's read from its store). {@code supplier} makes
     * each store, or null: the DSL's suppliers decide.
     */
    private static Topology timestamps(Function<String, KeyValueBytesStoreSupplier> supplier) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
                .count(uncached("event-counts", supplier, Serdes.Long()))
                .toStream()
                .processValues(WithTimestamp::new)
                .to("counts", Produced.with(Serdes.String(), Serdes.String()));
        KTable<String, String> left = b.table("left", Consumed.with(Serdes.String(), Serdes.String()),
                uncached("left", supplier, Serdes.String()));
        KTable<String, String> right = b.table("right", Consumed.with(Serdes.String(), Serdes.String()),
                uncached("right", supplier, Serdes.String()));
        left.join(right, (l, r) -> l + "+" + r)
                .toStream()
                .processValues(WithTimestamp::new)
                .to("joined", Produced.with(Serdes.String(), Serdes.String()));
        return b.build();
    }

    /**
     * Writes a record's timestamp into its value ("value@timestamp"), so that the output's
     * key-value pairs show it (the test-utils' TestRecord is on the path twice, as a class of the
     * patched kafka.streams and of the class path, and javac takes neither).
     */
    static final class WithTimestamp<V> implements FixedKeyProcessor<String, V, String> {
        private FixedKeyProcessorContext<String, String> context;

        @Override
        public void init(FixedKeyProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            context.forward(record.withValue(record.value() + "@" + record.timestamp()));
        }
    }

    private static <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> uncached(
            String name, Function<String, KeyValueBytesStoreSupplier> supplier, Serde<V> values) {
        Materialized<String, V, KeyValueStore<Bytes, byte[]>> m = supplier == null
                ? Materialized.as(name) : Materialized.as(supplier.apply(name));
        return m.withKeySerde(Serdes.String()).withValueSerde(values).withCachingDisabled();
    }

    /** An input record of {@link #timestamps}, with the timestamp it is piped with. */
    private record Timed(String topic, String key, String value, long timestamp) {
    }

    /** The output records ("topic key=value@timestamp") and the count store's final contents. */
    private List<String> runTimed(Topology topology, List<Timed> input, Properties config, String label) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "skipstore-timestamps-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(label).toString());
        p.putAll(config);
        List<String> out = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, p)) {
            Map<String, TestInputTopic<String, String>> in = new HashMap<>();
            for (Timed t : input) {
                in.computeIfAbsent(t.topic(), topic -> driver.createInputTopic(topic, Serdes.String().serializer(),
                        Serdes.String().serializer())).pipeInput(t.key(), t.value(), t.timestamp());
            }
            for (String topic : List.of("counts", "joined")) {
                TestOutputTopic<String, String> records = driver.createOutputTopic(topic, Serdes.String().deserializer(),
                        Serdes.String().deserializer());
                records.readKeyValuesToList().forEach(kv -> out.add(topic + " " + kv.key + "=" + kv.value));
            }
            // the stored timestamps, read as the DSL reads them (through the store's timestamped layer);
            // with dsl.store.format=HEADERS, RocksDB's store keeps headers, while the DSL builds a
            // supplier that is no HeadersBytesStoreSupplier, as Skipstore's, into a timestamped store
            KeyValueStore<String, ?> counts = driver.<String, Long>getTimestampedKeyValueStoreWithHeaders("event-counts");
            if (counts == null) {
                counts = driver.<String, Long>getTimestampedKeyValueStore("event-counts");
            }
            try (KeyValueIterator<String, ?> it = counts.all()) {
                while (it.hasNext()) {
                    KeyValue<String, ?> kv = it.next();
                    out.add("stored " + kv.key + "=" + storedTimestamp(kv.value));
                }
            }
        }
        return out;
    }

    /** The timestamp of a stored value, plain timestamped or with headers. */
    private static long storedTimestamp(Object value) {
        return value instanceof ValueAndTimestamp<?> v ? v.timestamp() : ((ValueTimestampHeaders<?>) value).timestamp();
    }

    /**
     * The records of a count and a join, and the stored timestamps, are those of RocksDB's stores,
     * with Skipstore through the DSL's suppliers (in the default and the headers format of the DSL)
     * or through its timestamped supplier in {@code Materialized}.
     */
    @ParameterizedTest
    @CsvSource({"DEFAULT,dsl", "HEADERS,dsl", "DEFAULT,materialized"})
    void recordTimestampsAreThoseOfRocksDb(String dslStoreFormat, String how) {
        Random random = new Random(seed());
        List<Timed> input = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String topic = List.of("events", "left", "right").get(random.nextInt(3));
            input.add(new Timed(topic, "k" + random.nextInt(15), "v" + i, random.nextInt(10_000)));
        }
        Properties config = new Properties();
        config.put(StreamsConfig.DSL_STORE_FORMAT_CONFIG, dslStoreFormat);
        List<String> rocksdb = runTimed(timestamps(null), input, config, "rocksdb");
        List<String> skipstore;
        if (how.equals("dsl")) {
            config.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SkipstoreDslStoreSuppliers.class);
            skipstore = runTimed(timestamps(null), input, config, "skipstore");
        } else {
            skipstore = runTimed(timestamps(SkipstoreStores::persistentTimestampedKeyValueStore), input, config,
                    "skipstore");
        }
        // the events of some key go back in time: there a count's record keeps the later timestamp of
        // the stored count, which a store that kept none (timestamp -1) would lose
        Map<String, Long> latest = new HashMap<>();
        boolean goesBack = false;
        for (Timed t : input) {
            if (t.topic().equals("events")) {
                goesBack |= latest.merge(t.key(), t.timestamp(), Math::max) > t.timestamp();
            }
        }
        assertThat(goesBack).isTrue();
        assertThat(skipstore).hasSizeGreaterThan(150).containsExactlyElementsOf(rocksdb);
    }

    @Test
    void keyValueStoreBuilderWrapsTheStoreAsItWrapsRocksDbs() {
        List<String> skipstore = layers(SkipstoreStores.persistentKeyValueStore("s"));
        List<String> rocksdb = layers(Stores.persistentKeyValueStore("s"));
        assertThat(skipstore).last().isEqualTo(SkipstoreKeyValueStore.class.getSimpleName());
        assertThat(skipstore.subList(0, skipstore.size() - 1)).isEqualTo(rocksdb.subList(0, rocksdb.size() - 1))
                .contains("MeteredKeyValueStore", "CachingKeyValueStore", "ChangeLoggingKeyValueBytesStore");
        assertThat(SkipstoreStores.persistentKeyValueStore("s").metricsScope()).isEqualTo("skipstore");
    }

    /** The classes of a built store's layers, outermost first. */
    private static List<String> layers(KeyValueBytesStoreSupplier supplier) {
        StateStore s = Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.Long())
                .withCachingEnabled().withLoggingEnabled(Map.of()).build();
        List<String> out = new ArrayList<>();
        out.add(s.getClass().getSimpleName());
        while (s instanceof WrappedStateStore<?, ?, ?> w) {
            s = w.wrapped();
            out.add(s.getClass().getSimpleName());
        }
        return out;
    }

    private static List<Path> directories(Path stateDir) {
        try (var files = Files.walk(stateDir)) {
            return files.filter(Files::isDirectory).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
