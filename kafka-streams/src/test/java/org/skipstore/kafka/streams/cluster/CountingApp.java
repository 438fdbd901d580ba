package org.skipstore.kafka.streams.cluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.skipstore.kafka.streams.SkipstoreStores;
import org.skipstore.kafka.streams.SkipstoreStreamsConfig;

/**
 * The Kafka Streams application that {@link KafkaClusterTest} runs in a child JVM: it counts the
 * records of each key of {@link #INPUT} in the Skipstore store {@link #STORE} under exactly-once
 * and writes every count to {@link #OUTPUT}.
 *
 * <h2>Protocol (stdout, one line each, flushed)</h2>
 * <ul>
 *   <li>{@code RUNNING}: the instance reached state RUNNING.</li>
 *   <li>{@code PROCESSED <partition> <n>}: n records of that input partition processed by this
 *       JVM (not all of them committed yet), every {@link #PROGRESS_EVERY}.</li>
 *   <li>{@code RESTORE <topic> <partition> <start> <end>} and {@code RESTORED <topic> <partition>
 *       <records>}: a changelog restore's start offset, end offset, and the records it wrote to
 *       the store (Kafka Streams' {@link StateRestoreListener}).</li>
 *   <li>stdin {@code DUMP}: prints {@code COUNT <key> <count>} for every entry of the store (an
 *       interactive query), then {@code DUMPED}.</li>
 *   <li>stdin closed: closes the instance cleanly, prints {@code CLOSED} and exits 0.</li>
 *   <li>{@code ERROR <message>}: a stream thread died; the instance shuts down.</li>
 * </ul>
 * Arguments: bootstrap servers, state directory.
 */
public final class CountingApp {

    public static final String APPLICATION_ID = "skipstore-count";
    public static final String INPUT = "records";
    public static final String OUTPUT = "counts";
    public static final String STORE = "counts-store";
    /** Kafka Streams' name for the store's changelog topic. */
    public static final String CHANGELOG = APPLICATION_ID + "-" + STORE + "-changelog";
    static final int PROGRESS_EVERY = 5_000;

    private static final PrintStream OUT = System.out;

    private CountingApp() {
    }

    static synchronized void say(String line) {
        OUT.println(line);
        OUT.flush();
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Without it, Kafka Streams 4.4 under EOS never commits a RUNNING task's stores (StreamTask
        // .postCommit) and wipes a store that has no committed offset after a crash
        // (ProcessorStateManager.initializeStoreOffsets): see KafkaClusterTest's header.
        props.put("enable.transactional.statestores", "true");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // a small memtable, so that the engine flushes (and its committed offsets become durable)
        // several times during the run: a crash loses the commits since the last flush
        props.put(SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 1L << 20);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // static membership: the restarted JVM takes the killed one's place at once, with no
        // rebalance waiting for the dead member's session to time out
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "counter");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(Progress::new)
                .groupByKey()
                .count(Materialized.<String, Long>as(SkipstoreStores.persistentKeyValueStore(STORE))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long())
                        // every record reaches the store and the changelog: the store's commits
                        // carry all of them, and its memtable fills (and flushes) several times
                        .withCachingDisabled())
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setGlobalStateRestoreListener(new Restores());
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                say("RUNNING");
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            say("ERROR " + e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        for (String line; (line = readLine()) != null; ) {
            if (line.equals("DUMP")) {
                dump(streams);
            }
        }
        streams.close(Duration.ofSeconds(60));
        say("CLOSED");
    }

    private static String readLine() throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = System.in.read()) != -1; ) {
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static void dump(KafkaStreams streams) throws InterruptedException {
        ReadOnlyKeyValueStore<String, Long> store = null;
        for (long deadline = System.nanoTime() + 30_000_000_000L; store == null; ) {
            try {
                store = streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
            } catch (InvalidStateStoreException e) { // not queryable while the instance rebalances or restores
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        try (KeyValueIterator<String, Long> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> e = it.next();
                say("COUNT " + e.key + " " + e.value);
            }
        }
        say("DUMPED");
    }

    /** Says {@code PROCESSED <partition> <n>} every {@link #PROGRESS_EVERY} records of an input partition. */
    private static final class Progress implements FixedKeyProcessor<String, String, String> {

        private static final Map<Integer, AtomicLong> PROCESSED = new ConcurrentHashMap<>();
        private FixedKeyProcessorContext<String, String> context;

        @Override
        public void init(FixedKeyProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, String> record) {
            int partition = context.recordMetadata().orElseThrow().partition();
            long n = PROCESSED.computeIfAbsent(partition, p -> new AtomicLong()).incrementAndGet();
            if (n % PROGRESS_EVERY == 0) {
                say("PROCESSED " + partition + " " + n);
            }
            context.forward(record);
        }
    }

    /** Reports each restore: where it starts and ends, and how many records it wrote. */
    private static final class Restores implements StateRestoreListener {

        @Override
        public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
            say("RESTORE " + tp.topic() + " " + tp.partition() + " " + start + " " + end);
        }

        @Override
        public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long records) {
        }

        @Override
        public void onRestoreEnd(TopicPartition tp, String store, long records) {
            say("RESTORED " + tp.topic() + " " + tp.partition() + " " + records);
        }
    }
}
