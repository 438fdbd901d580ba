package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.kafka.streams.Fixture.drain;
import static org.skipstore.kafka.streams.Fixture.key;
import static org.skipstore.kafka.streams.Fixture.value;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.internals.RecordConverter;
import org.apache.kafka.streams.state.internals.ValueAndTimestampSerde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.skipstore.kafka.streams.internal.ValueFormat;

/**
 * A store's value format: the timestamped store takes what Kafka Streams' restore makes of the
 * changelog's plain values, and a store records its format with its first write, so that one
 * written in the other format fails to open rather than be misread.
 */
class ValueFormatGuardTest {

    static final TopicPartition CHANGELOG = new TopicPartition("app-store-changelog", 0);

    @TempDir
    Path dir;
    TestContext context;
    SkipstoreKeyValueStore store;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** Opens the store "store" of {@code dir} in {@code format}; a failure leaves no store open. */
    private SkipstoreKeyValueStore open(ValueFormat format) {
        if (store != null) {
            store.close();
            store = null;
        }
        context = Fixture.context(dir);
        store = format == ValueFormat.TIMESTAMPED ? Fixture.openTimestamped(context) : Fixture.open(context);
        return store;
    }

    private static ValueFormat other(ValueFormat format) {
        return format == ValueFormat.PLAIN ? ValueFormat.TIMESTAMPED : ValueFormat.PLAIN;
    }

    @ParameterizedTest
    @CsvSource({"PLAIN,commit", "TIMESTAMPED,commit", "PLAIN,restore", "TIMESTAMPED,restore"})
    void aStoreWrittenInOneFormatFailsToOpenInTheOther(ValueFormat written, String how) {
        open(written);
        if (how.equals("commit")) {
            store.put(key("a"), value("1"));
        } else {
            context.restore(List.of(KeyValue.pair(value("a"), value("1"))));
        }
        store.commit(Map.of(CHANGELOG, 1L));
        store.close();
        store = null;

        assertThatThrownBy(() -> open(other(written)))
                .isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("store store")
                .hasMessageContaining("holds " + (written == ValueFormat.PLAIN ? "plain values" : "timestamped values"))
                .hasMessageContaining("opened as a store of "
                        + (written == ValueFormat.PLAIN ? "timestamped values" : "plain values"))
                .hasMessageContaining("KafkaStreams#cleanUp()");
        // the failed open closed the engine (its lock) and left the data as it was
        open(written);
        assertThat(drain(store.all())).containsExactly("a=1");
        assertThat(store.committedOffset(CHANGELOG)).isEqualTo(1L);
    }

    @Test
    void aStoreWithNoWriteTakesTheFormatItOpensWith() {
        open(ValueFormat.TIMESTAMPED);
        store.commit(Map.of()); // a commit with nothing to write writes nothing, the format neither
        open(ValueFormat.PLAIN);
        store.put(key("a"), value("1"));
        store.commit(Map.of(CHANGELOG, 1L));
        open(ValueFormat.PLAIN);
        assertThat(drain(store.all())).containsExactly("a=1");
        store.close();
        store = null;
        assertThatThrownBy(() -> open(ValueFormat.TIMESTAMPED)).isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("holds plain values");
    }

    @Test
    void aCommitOfOffsetsAloneRecordsTheFormat() {
        open(ValueFormat.TIMESTAMPED);
        store.commit(Map.of(CHANGELOG, 5L));
        store.close();
        store = null;
        assertThatThrownBy(() -> open(ValueFormat.PLAIN)).isInstanceOf(ProcessorStateException.class);
    }

    @Test
    void aWriteThatFailsBeforeItsFirstBatchLeavesTheFormatToTheNextWrite() {
        open(ValueFormat.TIMESTAMPED);
        // a key past the engine's limit fails the restore batch, the records before it too
        byte[] tooLong = new byte[64 << 10];
        assertThatThrownBy(() -> context.restore(List.of(KeyValue.pair(value("z"), value("0")),
                KeyValue.pair(tooLong, value("x"))))).isInstanceOf(ProcessorStateException.class);
        assertThat(store.get(new Bytes(value("z")))).as("a record of the failed batch").isNull();
        context.restore(List.of(KeyValue.pair(value("a"), value("1"))));
        store.commit(Map.of(CHANGELOG, 1L)); // as Kafka Streams commits a restored store
        store.close();
        store = null;
        assertThatThrownBy(() -> open(ValueFormat.PLAIN)).isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("holds timestamped values");
    }

    /**
     * Kafka Streams' restore: its state manager picks the converter of each changelog record by
     * the store it registers ({@code StateManagerUtil.converterForStore}, which this calls on the
     * store that {@code Stores.timestampedKeyValueStoreBuilder} builds), then hands the converted
     * batch to the callback the store registered. The timestamped store gets each value with its
     * record's timestamp; the plain one, under the builder's adapter, the plain value.
     */
    @ParameterizedTest
    @CsvSource({"TIMESTAMPED", "PLAIN"})
    void aRestoreTurnsTheChangelogsPlainValuesIntoTimestampedOnes(ValueFormat format) throws Exception {
        KeyValueBytesStoreSupplier supplier = format == ValueFormat.TIMESTAMPED
                ? SkipstoreStores.persistentTimestampedKeyValueStore("store")
                : SkipstoreStores.persistentKeyValueStore("store");
        StateStore root = Stores.timestampedKeyValueStoreBuilder(supplier, Serdes.String(), Serdes.Long())
                .withCachingEnabled().withLoggingEnabled(Map.of()).build();
        RecordConverter converter = converterForStore(root);

        Serde<Long> longs = Serdes.Long();
        List<ConsumerRecord<byte[], byte[]>> changelog = List.of(
                record(0, "a", 1000L, longs.serializer().serialize(null, 7L)),
                record(1, "b", 2000L, longs.serializer().serialize(null, 8L)),
                record(2, "a", 1500L, longs.serializer().serialize(null, 9L)),
                record(3, "b", 2500L, null));
        List<KeyValue<byte[], byte[]>> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : changelog) {
            ConsumerRecord<byte[], byte[]> converted = converter.convert(r);
            batch.add(KeyValue.pair(converted.key(), converted.value()));
        }
        open(format);
        context.restore(batch);

        assertThat(store.get(key("b"))).isNull();
        byte[] a = store.get(key("a"));
        if (format == ValueFormat.TIMESTAMPED) {
            ValueAndTimestamp<Long> back = new ValueAndTimestampSerde<>(longs).deserializer().deserialize(null, a);
            assertThat(back).isEqualTo(ValueAndTimestamp.make(9L, 1500L));
        } else {
            assertThat(longs.deserializer().deserialize(null, a)).isEqualTo(9L);
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, long timestamp, byte[] value) {
        return new ConsumerRecord<>(CHANGELOG.topic(), CHANGELOG.partition(), offset, timestamp,
                TimestampType.CREATE_TIME, -1, -1, value(key), value, new RecordHeaders(), Optional.empty());
    }

    /** Kafka Streams' own choice of the restore's converter for {@code store} (package-private there). */
    private static RecordConverter converterForStore(StateStore store) throws Exception {
        Method m = Class.forName("org.apache.kafka.streams.processor.internals.StateManagerUtil")
                .getDeclaredMethod("converterForStore", StateStore.class);
        m.setAccessible(true); // kafka.streams is an automatic module: its packages are open
        return (RecordConverter) m.invoke(null, store);
    }
}
