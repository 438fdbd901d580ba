package org.skipstore.bench.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * A commit interval for {@code TopologyTestDriver}, which commits its task after every record and
 * has no setting for it: a supplier that wraps another's stores so that only every
 * {@code every}-th {@link StateStore#commit} reaches the store, as if Kafka Streams committed once
 * every {@code every} records ({@code commit.interval.ms}). Everything else passes through.
 *
 * <p>Kafka Streams' layers above the store (metering, change logging) still run their per-record
 * commit work, for both stores alike. {@link #commitNow()} passes the last offsets seen to every
 * store made, so that a timed run ends with its writes committed. The time the stores spend in the
 * commits that reach them is summed ({@link #commitNanos()}). A store that is a
 * {@link TimestampedBytesStore} (RocksDB's default) is wrapped by one too, so that Kafka Streams
 * builds the same layers and converts the same values around it as around the bare store.
 */
final class IntervalCommits implements KeyValueBytesStoreSupplier {

    private final KeyValueBytesStoreSupplier inner;
    private final int every;
    private final List<Store> made = new ArrayList<>();

    IntervalCommits(KeyValueBytesStoreSupplier inner, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("a commit every " + every + " records");
        }
        this.inner = inner;
        this.every = every;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public synchronized KeyValueStore<Bytes, byte[]> get() {
        KeyValueStore<Bytes, byte[]> s = inner.get();
        Store w = s instanceof TimestampedBytesStore ? new TimestampedStore(s, every) : new Store(s, every);
        made.add(w);
        return w;
    }

    @Override
    public String metricsScope() {
        return inner.metricsScope();
    }

    /** Passes the last offsets each store was given to it now, if it has commits held back. */
    synchronized void commitNow() {
        for (Store s : made) {
            s.commitHeld();
        }
    }

    /** Commits reaching the stores, all of them together (held-back ones not counted). */
    synchronized long commits() {
        return made.stream().mapToLong(s -> s.passed).sum();
    }

    /** Nanoseconds the stores spent in the commits that reached them, all together. */
    synchronized long commitNanos() {
        return made.stream().mapToLong(s -> s.nanos).sum();
    }

    private static final class TimestampedStore extends Store implements TimestampedBytesStore {
        TimestampedStore(KeyValueStore<Bytes, byte[]> inner, int every) {
            super(inner, every);
        }
    }

    /** The wrapper: every method passes through but {@link #commit}, which passes every {@code every}-th. */
    private static class Store implements KeyValueStore<Bytes, byte[]> {
        private final KeyValueStore<Bytes, byte[]> inner;
        private final int every;
        private long calls;
        private long passed;
        private long nanos;
        private Map<TopicPartition, Long> held;

        Store(KeyValueStore<Bytes, byte[]> inner, int every) {
            this.inner = inner;
            this.every = every;
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            if (++calls % every == 0) {
                pass(changelogOffsets);
            } else {
                held = Map.copyOf(changelogOffsets);
            }
        }

        void commitHeld() {
            if (held != null && inner.isOpen()) {
                pass(held);
            }
        }

        private void pass(Map<TopicPartition, Long> offsets) {
            long t0 = System.nanoTime();
            inner.commit(offsets);
            nanos += System.nanoTime() - t0;
            passed++;
            held = null;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            inner.init(context, root);
        }

        @SuppressWarnings("deprecation") // Kafka Streams may still call it; the store decides what it does
        @Override
        public void flush() {
            inner.flush();
        }

        @Override
        public Long committedOffset(TopicPartition partition) {
            return inner.committedOffset(partition);
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public boolean persistent() {
            return inner.persistent();
        }

        @SuppressWarnings("deprecation") // deprecated because every store is to manage its offsets
        @Override
        public boolean managesOffsets() {
            return inner.managesOffsets();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
            return inner.query(query, bound, config);
        }

        @Override
        public long approximateNumUncommittedBytes() {
            return inner.approximateNumUncommittedBytes();
        }

        @Override
        public Position getPosition() {
            return inner.getPosition();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            inner.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return inner.putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            inner.putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return inner.delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return inner.get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return inner.range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return inner.reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return inner.all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return inner.reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
            return inner.prefixScan(prefix, serializer);
        }

        @Override
        public long approximateNumEntries() {
            return inner.approximateNumEntries();
        }

        @Override
        public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel level) {
            return inner.readOnly(level);
        }
    }
}
