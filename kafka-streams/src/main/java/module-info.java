/**
 * Skipstore as a Kafka Streams state store: a persistent {@code KeyValueStore<Bytes, byte[]>} on
 * the engine, with no JNI. Kafka is a dependency of this module alone.
 */
module org.skipstore.kafka.streams {
    requires org.skipstore.pagestore;
    // the API hands out Kafka's types (KeyValueBytesStoreSupplier, Bytes, TopicPartition)
    requires transitive kafka.streams;
    requires transitive kafka.clients;

    exports org.skipstore.kafka.streams;
}
