package org.skipstore.kafka.streams.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The test's own reads and writes of the broker's topics; every read is {@code read_committed}. */
final class Topics {

    private final String bootstrap;

    Topics(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Writes {@code records} records with random keys of {@code keys}; returns each key's number of records. */
    Map<String, Long> produce(String topic, int records, int keys, SplittableRandom random) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        Map<String, Long> counts = new TreeMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                String key = "session/user-%06d/events".formatted(random.nextInt(keys));
                counts.merge(key, 1L, Long::sum);
                producer.send(new ProducerRecord<>(topic, key, "r" + i));
            }
            producer.flush();
        }
        return counts;
    }

    /**
     * The last count of each key on the counts topic; fails if a key's counts do not rise from
     * one record to the next (a count lost or doubled shows as one that repeats or falls back).
     */
    Map<String, Long> lastCounts(String topic) {
        Map<String, Long> last = new TreeMap<>();
        for (int p = 0; p < partitions(topic); p++) {
            read(topic, p, 0, Long.MAX_VALUE, new LongDeserializer(), r -> {
                Long before = last.put(r.key(), r.value());
                if (before != null && r.value() <= before) {
                    throw new AssertionError("key " + r.key() + ": count " + r.value() + " after " + before
                            + " at " + r.topic() + "-" + r.partition() + "@" + r.offset());
                }
            });
        }
        return last;
    }

    /** The committed records of the partition in offsets [from, to), to its last stable offset. */
    long committedRecords(String topic, int partition, long from, long to) {
        long[] n = new long[1];
        read(topic, partition, from, to, new ByteArrayDeserializer(), r -> n[0]++);
        return n[0];
    }

    private int partitions(String topic) {
        try (KafkaConsumer<String, byte[]> c = consumer(new ByteArrayDeserializer())) {
            return c.partitionsFor(topic).size();
        }
    }

    /** Reads the partition from {@code from} to {@code to} or its last stable offset, whichever comes first. */
    private <V> void read(String topic, int partition, long from, long to,
                          org.apache.kafka.common.serialization.Deserializer<V> values,
                          Consumer<ConsumerRecord<String, V>> each) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, V> c = consumer(values)) {
            c.assign(List.of(tp));
            long end = Math.min(to, c.endOffsets(List.of(tp)).get(tp)); // read_committed: the LSO
            c.seek(tp, from);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end) {
                        each.accept(r);
                    }
                }
            }
        }
    }

    private <V> KafkaConsumer<String, V> consumer(org.apache.kafka.common.serialization.Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        return new KafkaConsumer<>(props, new StringDeserializer(), values);
    }
}
