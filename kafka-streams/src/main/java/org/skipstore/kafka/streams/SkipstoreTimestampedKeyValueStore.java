package org.skipstore.kafka.streams;

import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.skipstore.kafka.streams.internal.ValueFormat;

/**
 * A Skipstore store of timestamped values, made by {@link
 * SkipstoreStores#persistentTimestampedKeyValueStore}: Kafka Streams' marker {@link
 * TimestampedBytesStore} tells it to keep each value after its record's timestamp here, with no
 * adapter that drops the timestamp, and to convert the changelog's plain values to that form when
 * it restores. The values are opaque to the store; only its recorded format ({@link ValueFormat})
 * differs from a plain store's.
 */
final class SkipstoreTimestampedKeyValueStore extends SkipstoreKeyValueStore implements TimestampedBytesStore {

    SkipstoreTimestampedKeyValueStore(String name, SkipstoreStoreConfig explicitConfig) {
        super(name, explicitConfig);
    }

    @Override
    ValueFormat format() {
        return ValueFormat.TIMESTAMPED;
    }
}
