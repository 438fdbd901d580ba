package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
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
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
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
                .withCachingEnabled().withLoggingEnabled(java.util.Map.of()).build();
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
