package org.skipstore.kafka.streams;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A store without its uncommitted writes: what it held at its last commit, read by {@code
 * READ_COMMITTED} interactive queries ({@link SkipstoreKeyValueStore#readOnly}).
 */
final class CommittedView implements ReadOnlyKeyValueStore<Bytes, byte[]> {

    private final SkipstoreKeyValueStore store;

    CommittedView(SkipstoreKeyValueStore store) {
        this.store = store;
    }

    @Override
    public byte[] get(Bytes key) {
        return store.read(key, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return store.scan(from, to, false, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return store.scan(from, to, true, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return store.scan(null, null, false, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return store.scan(null, null, true, false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(serializer, "serializer cannot be null");
        return store.prefix(serializer.serialize(null, prefix), false);
    }

    @Override
    public long approximateNumEntries() {
        return store.count(false);
    }
}
