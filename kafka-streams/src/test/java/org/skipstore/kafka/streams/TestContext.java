package org.skipstore.kafka.streams;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A {@link StateStoreContext} for the store's own tests: a state directory, the application's
 * config (settable), the record being processed (settable), and the restore callback the store
 * registers, which {@link #restore} calls as Kafka Streams' restore does, one batch a call.
 */
final class TestContext implements StateStoreContext {

    private final Path stateDir;
    private final TaskId task;
    /** Transactional state stores, as the store's transactions are tested; {@link #configs} replaces it. */
    private Map<String, Object> configs = Map.of(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
    private RecordMetadata record;
    private StateRestoreCallback callback;
    private StateStore registered;

    TestContext(Path stateDir) {
        this(stateDir, new TaskId(0, 0));
    }

    TestContext(Path stateDir, TaskId task) {
        this.stateDir = stateDir;
        this.task = task;
    }

    /** Sets the application's config the store reads in init. */
    TestContext configs(Map<String, Object> configs) {
        this.configs = Map.copyOf(configs);
        return this;
    }

    /** The record the next writes come from, as Kafka Streams sets it while processing. */
    void processing(String topic, int partition, long offset) {
        record = new Metadata(topic, partition, offset);
    }

    /** Hands {@code records} (a null value deletes) to the registered callback as one restore batch. */
    void restore(List<KeyValue<byte[], byte[]>> records) {
        ((BatchingStateRestoreCallback) callback).restoreAll(new ArrayList<>(records));
    }

    StateRestoreCallback callback() {
        return callback;
    }

    StateStore registered() {
        return registered;
    }

    @Override
    public String applicationId() {
        return "skipstore-test";
    }

    @Override
    public TaskId taskId() {
        return task;
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return Optional.ofNullable(record);
    }

    @Override
    public Serde<?> keySerde() {
        return Serdes.ByteArray();
    }

    @Override
    public Serde<?> valueSerde() {
        return Serdes.ByteArray();
    }

    @Override
    public File stateDir() {
        return stateDir.toFile();
    }

    @Override
    public StreamsMetrics metrics() {
        throw new UnsupportedOperationException("the store under test reports no metrics");
    }

    @Override
    public void register(StateStore store, StateRestoreCallback stateRestoreCallback) {
        register(store, stateRestoreCallback, () -> { });
    }

    @Override
    public void register(StateStore store, StateRestoreCallback stateRestoreCallback, CommitCallback checkpoint) {
        this.registered = store;
        this.callback = stateRestoreCallback;
    }

    @Override
    public Map<String, Object> appConfigs() {
        return configs;
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
        Map<String, Object> out = new java.util.HashMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private record Metadata(String topic, int partition, long offset) implements RecordMetadata {
    }
}
