/**
 * Skipstore stores for Kafka Streams. {@link org.skipstore.kafka.streams.SkipstoreStores} makes
 * the suppliers of persistent key-value stores, plain and timestamped, which take the place of
 * RocksDB's wherever {@code Stores.persistentKeyValueStore} or {@code
 * Stores.persistentTimestampedKeyValueStore} (the DSL's) would be used:
 *
 * <pre>{@code
 * builder.stream("words")
 *        .groupBy((k, word) -> word)
 *        .count(Materialized.as(SkipstoreStores.persistentTimestampedKeyValueStore("counts")));
 * }</pre>
 *
 * <h2>What the store promises</h2>
 * Writes are buffered by the store until Kafka Streams commits; a commit writes them to the
 * engine atomically and makes them durable together with the changelog offsets it is given
 * (KIP-1035), which the store reports back after a restart. A crash or a close without a commit
 * loses the buffered writes and nothing else; Kafka Streams then restores from the changelog,
 * starting at the committed offset.
 *
 * <h2>Every store, and configuration</h2>
 * {@link org.skipstore.kafka.streams.SkipstoreDslStoreSuppliers}, named by {@code
 * dsl.store.suppliers.class}, makes every key-value store of the DSL a Skipstore store. The stores
 * read {@code skipstore.*} properties from Kafka Streams' config ({@link
 * org.skipstore.kafka.streams.SkipstoreStreamsConfig}): memtable and page size, a memory budget per
 * instance, and a {@link org.skipstore.kafka.streams.SkipstoreConfigSetter}.
 */
package org.skipstore.kafka.streams;
