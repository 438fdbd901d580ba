package org.skipstore.bench.kafka;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.internals.StateRestoreCallbackAdapter;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.RecordConverter;
import org.apache.kafka.streams.state.internals.RecordConverters;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The restore phase: a new store of the engine restores the changelog a processing run left, by
 * the path Kafka Streams' restore takes into a store, without the consumer.
 *
 * <p>{@code TopologyTestDriver} restores nothing (its restore consumer's changelogs are empty), so
 * this drives the store as Kafka Streams' {@code ProcessorStateManager} does once its restore
 * consumer has fetched records:
 * <ol>
 *   <li>the store's {@code init} registers its restore callback with the context
 *       ({@link Context}, which keeps it and otherwise answers as test-utils'
 *       {@code MockProcessorContext}: configuration, metrics, task);</li>
 *   <li>each batch of {@code batch} changelog records (Kafka Streams' {@code max.poll.records},
 *       1000, is the most one restore fetch hands over) is converted to the store's format by
 *       Kafka Streams' {@code RecordConverter} for it (a timestamped store, both engines' here: the
 *       record's timestamp put before the value; a plain one: as it is) and handed to the
 *       callback through {@code StateRestoreCallbackAdapter}, which is what calls a
 *       {@code BatchingStateRestoreCallback} (Skipstore's) or a record-batching one (RocksDB's);</li>
 *   <li>at the end the store commits the changelog's end offset, as Kafka Streams checkpoints a
 *       restored store.</li>
 * </ol>
 * The time runs from the first batch to the end of that commit. Afterwards the store's entries
 * are checked against the changelog's last value of each key.
 */
final class ChangelogRestore {

    private ChangelogRestore() {
    }

    /** Restores {@code log} into a new store of {@code engine} under {@code stateDir}: the records restored and the time. */
    static Child.Timed run(String engine, Path stateDir, Changelog log, int batch, ResidentMemory memory) {
        KeyValueStore<Bytes, byte[]> store = Aggregation.supplier(engine).get();
        Context context = new Context(stateDir);
        store.init(context, store);
        try {
            RecordConverter convert = WrappedStateStore.isTimestamped(store)
                    ? RecordConverters.rawValueToTimestampedValue() : RecordConverters.identity();
            RecordBatchingStateRestoreCallback callback = StateRestoreCallbackAdapter.adapt(context.callback);
            long t0 = System.nanoTime();
            for (int from = 0; from < log.size(); from += batch) {
                int to = Math.min(log.size(), from + batch);
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    byte[] k = log.keys().get(i);
                    byte[] v = log.values().get(i);
                    records.add(convert.convert(new ConsumerRecord<>(Aggregation.CHANGELOG, 0, i, log.timestamps()[i],
                            TimestampType.CREATE_TIME, k.length, v == null ? 0 : v.length, k, v, new RecordHeaders(),
                            Optional.empty())));
                }
                callback.restoreBatch(records);
            }
            long c0 = System.nanoTime();
            store.commit(Map.of(new TopicPartition(Aggregation.CHANGELOG, 0), (long) log.size()));
            long end0 = System.nanoTime();
            long commitNanos = end0 - c0;
            long nanos = end0 - t0;
            ResidentMemory.Sample end = memory.sample();
            checkEntries(store, log);
            return new Child.Timed(log.size(), nanos, end, 1, commitNanos);
        } finally {
            store.close();
        }
    }

    /**
     * A restore that lost, invented or mixed up entries measured nothing: the store must hold each
     * key's last value in the changelog (a null one: no entry), in its own format, which for a
     * timestamped store (both engines' here) puts the timestamp before the value.
     */
    private static void checkEntries(KeyValueStore<Bytes, byte[]> store, Changelog log) {
        Map<Bytes, byte[]> last = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            Bytes k = Bytes.wrap(log.keys().get(i));
            byte[] v = log.values().get(i);
            if (v == null) {
                last.remove(k);
            } else {
                last.put(k, v);
            }
        }
        long n = 0;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                byte[] want = last.get(e.key);
                if (want == null || e.value.length < want.length || !Arrays.equals(e.value, e.value.length
                        - want.length, e.value.length, want, 0, want.length)) {
                    throw new IllegalStateException("the restored store holds " + e.key + " with a value the"
                            + " changelog does not end with");
                }
                n++;
            }
        }
        if (n != last.size()) {
            throw new IllegalStateException("the restored store holds " + n + " entries; the changelog leaves "
                    + last.size());
        }
    }

    /**
     * The context a store is initialized with: test-utils' {@code MockProcessorContext}'s (so that
     * RocksDB's store finds the configuration and metrics it reads), keeping the restore callback
     * the store registers.
     */
    private static final class Context implements StateStoreContext {
        private final StateStoreContext mock;
        private StateRestoreCallback callback;

        Context(Path stateDir) {
            mock = new MockProcessorContext<>(Aggregation.config(stateDir), new TaskId(0, 0), stateDir.toFile())
                    .getStateStoreContext();
        }

        @Override
        public void register(StateStore store, StateRestoreCallback stateRestoreCallback) {
            callback = stateRestoreCallback;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback stateRestoreCallback, CommitCallback checkpoint) {
            callback = stateRestoreCallback;
        }

        @Override
        public String applicationId() {
            return mock.applicationId();
        }

        @Override
        public TaskId taskId() {
            return mock.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return mock.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return mock.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return mock.valueSerde();
        }

        @Override
        public File stateDir() {
            return mock.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return mock.metrics();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return mock.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return mock.appConfigsWithPrefix(prefix);
        }
    }
}
