package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.DslStoreFormat;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SkipstoreDslStoreSuppliers}: with {@code dsl.store.suppliers.class} alone, the DSL's
 * key-value stores are Skipstore stores, and its window stores RocksDB's. Replay the input with
 * {@code -Dskipstore.seed=S}.
 */
class DslStoreSuppliersTest {

    @TempDir
    Path dir;

    @Test
    void keyValueStoresAreSkipstoresAndWindowStoresRocksDbs() {
        SkipstoreDslStoreSuppliers suppliers = new SkipstoreDslStoreSuppliers();
        for (DslStoreFormat format : DslStoreFormat.values()) {
            KeyValueBytesStoreSupplier kv = suppliers.keyValueStore(new DslKeyValueParams("kv", format));
            assertThat(kv.get()).isInstanceOf(SkipstoreKeyValueStore.class);
            // timestamped where the DSL asks for timestamps (with headers too, which Skipstore does not keep)
            assertThat(kv.get() instanceof TimestampedBytesStore).as(format.toString())
                    .isEqualTo(format != DslStoreFormat.PLAIN);
            assertThat(kv.name()).isEqualTo("kv");
            assertThat(kv.metricsScope()).isEqualTo(SkipstoreStores.METRICS_SCOPE);
        }
        DslWindowParams window = new DslWindowParams("w", Duration.ofDays(1), Duration.ofMinutes(1), false,
                EmitStrategy.onWindowUpdate(), false, DslStoreFormat.TIMESTAMPED);
        assertThat(suppliers.windowStore(window).getClass())
                .isEqualTo(new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers().windowStore(window).getClass());
    }

    @Test
    void theDslUsesSkipstoreForEveryKeyValueStoreThroughTheConfigAlone() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("DslStoreSuppliersTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        Random random = new Random(seed);

        // a word count and a windowed count, their stores named but given no supplier
        StreamsBuilder b = new StreamsBuilder();
        KStream<String, String> words = b.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")));
        words.groupBy((k, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts")
                        .withCachingDisabled()) // so that reads reach the store, not the record cache
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        words.groupBy((k, word) -> word, Grouped.with("by-word-windowed", Serdes.String(), Serdes.String()))
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
                .count(Materialized.as("windowed-counts"));

        Path stateDir = dir.resolve("state");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dsl-suppliers-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SkipstoreDslStoreSuppliers.class);

        Map<String, Long> expected = new TreeMap<>();
        Map<String, Long> lastSeen = new TreeMap<>(); // the timestamp of each word's last line
        List<Path> dirs;
        try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), p)) {
            TestInputTopic<String, String> in = driver.createInputTopic("lines", Serdes.String().serializer(),
                    Serdes.String().serializer(), Instant.EPOCH, Duration.ofSeconds(1));
            for (int i = 0; i < 200; i++) {
                String line = "w" + random.nextInt(30) + " w" + random.nextInt(30);
                in.pipeInput(null, line);
                for (String w : line.split(" ")) {
                    expected.merge(w, 1L, Long::sum);
                    lastSeen.put(w, i * 1000L);
                }
            }
            List<KeyValue<String, Long>> out = driver.createOutputTopic("counts", Serdes.String().deserializer(),
                    Serdes.Long().deserializer()).readKeyValuesToList();
            Map<String, Long> last = new TreeMap<>();
            out.forEach(kv -> last.put(kv.key, kv.value));
            assertThat(last).isEqualTo(expected);

            Map<String, Long> state = new TreeMap<>();
            try (KeyValueIterator<String, ValueAndTimestamp<Long>> it =
                         driver.<String, Long>getTimestampedKeyValueStore("counts").all()) {
                it.forEachRemaining(kv -> {
                    state.put(kv.key, kv.value.value());
                    // the store keeps each count's timestamp: its word's last record's
                    assertThat(kv.value.timestamp()).as(kv.key).isEqualTo(lastSeen.get(kv.key));
                });
            }
            assertThat(state).isEqualTo(expected);
            long windowed = 0;
            try (var it = driver.<String, Long>getWindowStore("windowed-counts").all()) {
                while (it.hasNext()) {
                    windowed += it.next().value;
                }
            }
            assertThat(windowed).isEqualTo(400);
            dirs = directories(stateDir);
        }
        // the count's store is Skipstore's, in the task's directory; RocksDB would put it under rocksdb/
        assertThat(dirs).anyMatch(d -> d.endsWith(Path.of("0_0", "counts")))
                .noneMatch(d -> d.endsWith(Path.of("rocksdb", "counts")));
        // the window store is RocksDB's segmented store: a directory of segments named <store>.<segment>
        assertThat(dirs).anyMatch(d -> d.getParent().endsWith(Path.of("0_0", "windowed-counts"))
                && d.getFileName().toString().startsWith("windowed-counts."));
    }

    private static List<Path> directories(Path stateDir) {
        try (var files = Files.walk(stateDir)) {
            return new ArrayList<>(files.filter(Files::isDirectory).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
