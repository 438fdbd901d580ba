package org.skipstore.kafka.streams.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams application with a Skipstore store on a real broker, killed without closing.
 *
 * <p>A KRaft broker (Kafka's test kit, {@link KafkaClusterTestKit}: one combined broker and
 * controller in this JVM) holds {@value #RECORDS} records over {@value #KEYS} keys in {@value
 * #PARTITIONS} partitions. {@link CountingApp} counts them per key under {@code exactly_once_v2}
 * in a child JVM ({@link AppProcess}), which the test kills with SIGKILL once it has processed
 * 65% to 85% of each input partition: past the first flush of each partition's store (a 1 MiB
 * memtable: a crash loses the commits since the last flush). A second child on the same state
 * directory must resume from the store's own committed offsets (KIP-1035: {@code
 * committedOffset}, durable with the data of the engine's last flush before the kill): it
 * restores only the changelog past them, fewer records than the changelog holds, and
 * ends with every key's count equal to its number of input records, on the output topic (read
 * committed: each key's counts rise, never repeat nor fall back) and in the store (an interactive
 * query). Then it is closed, its state directory deleted, and a third child restores the whole
 * changelog (every committed record of it) and holds the same counts.
 *
 * <p>The application sets {@code enable.transactional.statestores=true}. Without it, Kafka
 * Streams 4.4 under exactly-once never commits a running task's stores ({@code
 * StreamTask.postCommit(false)} skips {@code maybeCheckpoint} when {@code eosEnabled &&
 * !transactionalStateStoresEnabled}): a Skipstore store then writes its buffer through to the
 * engine, without offsets, once it passes a quarter of a memtable, and after a crash it has no
 * committed offset, which {@code ProcessorStateManager.initializeStoreOffsets} turns into a
 * {@code TaskCorruptedException} (the task's state wiped, the changelog restored in full).
 *
 * <p>25 to 40 s on two shared cores (the broker's start, 200k records, three JVMs), under the
 * minute that would have put it behind a Maven profile: it runs with the module's other tests.
 * The {@link Timeout} turns a hang into a failure. {@code -Dskipstore.seed=S} replays
 * the keys and the moment of the kill.
 */
class KafkaClusterTest {

    static final int RECORDS = 200_000;
    static final int KEYS = 30_000;
    static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void killedWithoutClosingItResumesFromTheStoresOffsetsWithExactCountsAndRestoresWhenItsStateIsGone()
            throws Exception {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        // per input partition, a multiple of the child's progress step: 65% to 85% of a partition's
        // share, well past the first flush of its store. A commit writes each key once, so over few
        // keys a memtable fills with the commits, not the records: with 3 000 keys one run had not
        // flushed partition 0's store after 75 k records (offset 0 at the restart); over 30 000,
        // three runs had flushed both past 50 k.
        int killAt = (RECORDS / PARTITIONS * 65 / 100 + random.nextInt(RECORDS / PARTITIONS * 20 / 100))
                / CountingApp.PROGRESS_EVERY * CountingApp.PROGRESS_EVERY;
        System.out.println("KafkaClusterTest seed=" + seed + " killAt=" + killAt);
        long t0 = System.nanoTime();
        KafkaClusterTestKit cluster = broker(dir.resolve("broker"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            String bootstrap = cluster.bootstrapServers();
            admin.createTopics(List.of(new NewTopic(CountingApp.INPUT, PARTITIONS, (short) 1),
                    new NewTopic(CountingApp.OUTPUT, PARTITIONS, (short) 1))).all().get();
            Topics topics = new Topics(bootstrap);
            Map<String, Long> expected = topics.produce(CountingApp.INPUT, RECORDS, KEYS, random);
            long t1 = System.nanoTime();
            Path state = dir.resolve("state");

            try (AppProcess first = AppProcess.start(bootstrap, state)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    first.await(0, ("PROCESSED " + p + " " + killAt)::equals, "processing", 120);
                }
                first.kill();
            }
            long t2 = System.nanoTime();

            try (AppProcess second = AppProcess.start(bootstrap, state)) {
                second.await(0, "RUNNING"::equals, "the restart", 120);
                awaitAllConsumed(admin);
                assertThat(topics.lastCounts(CountingApp.OUTPUT)).as("the output's counts").isEqualTo(expected);
                assertThat(second.dump()).as("the store's counts").isEqualTo(expected);
                Map<Integer, Long> starts = second.restoreStarts();
                Map<Integer, Long> restored = second.restored();
                long changelog = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    // the changelog as it was when the restore began: up to the restore's end
                    changelog += topics.committedRecords(CountingApp.CHANGELOG, p, 0, restoreEnd(second, p));
                }
                long total = restored.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf("  killed with %d records of each partition processed at least; the restart "
                        + "restored %d records from offsets %s (the changelog held %d committed records then)%n",
                        killAt, total, starts, changelog);
                assertThat(starts.values()).as("each restore starts at the store's committed offset, past 0")
                        .allSatisfy(start -> assertThat(start).isPositive());
                assertThat(total).as("records restored after the kill: only those past the store's offsets")
                        .isLessThan(changelog);
                for (var e : restored.entrySet()) {
                    int p = e.getKey();
                    assertThat(e.getValue()).as("partition %d: restored what the changelog holds past the "
                            + "store's offset", p).isEqualTo(topics.committedRecords(CountingApp.CHANGELOG, p,
                            starts.get(p), restoreEnd(second, p)));
                }
                second.stop();
            }
            long t3 = System.nanoTime();

            deleteTree(state);
            Map<String, Long> outputBefore = topics.lastCounts(CountingApp.OUTPUT);
            try (AppProcess third = AppProcess.start(bootstrap, state)) {
                for (int p = 0; p < PARTITIONS; p++) { // RUNNING may come before the restores end
                    String restoredLine = "RESTORED " + CountingApp.CHANGELOG + " " + p + " ";
                    third.await(0, line -> line.startsWith(restoredLine), "the restore of partition " + p, 120);
                }
                Map<Integer, Long> restored = third.restored();
                long total = 0;
                long changelog = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    long live = topics.committedRecords(CountingApp.CHANGELOG, p, 0, Long.MAX_VALUE);
                    assertThat(restored.getOrDefault(p, 0L)).as("partition %d: a full restore", p).isEqualTo(live);
                    total += restored.getOrDefault(p, 0L);
                    changelog += live;
                }
                System.out.printf("  on a deleted state directory it restored %d records (the changelog's "
                        + "committed records: %d)%n", total, changelog);
                assertThat(third.dump()).as("the restored store's counts").isEqualTo(expected);
                third.stop();
            }
            assertThat(topics.lastCounts(CountingApp.OUTPUT)).as("the output after the restore")
                    .isEqualTo(outputBefore);
            long t4 = System.nanoTime();
            System.out.printf("  broker and input %.1f s, run and kill %.1f s, restart %.1f s, full restore %.1f s%n",
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9);
        } finally {
            cluster.close();
        }
    }

    /** One KRaft node, broker and controller, with the internal topics at one replica and one partition. */
    private static KafkaClusterTestKit broker(Path base) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(base).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The end offset of the changelog partition's restore, from its RESTORE line (0: none). */
    private static long restoreEnd(AppProcess app, int partition) {
        for (String line : app.lines()) {
            String[] f = line.split(" ");
            if (f[0].equals("RESTORE") && Integer.parseInt(f[2]) == partition) {
                return Long.parseLong(f[4]);
            }
        }
        return 0;
    }

    /** Waits until the application's committed input offsets reach the input's end. */
    private static void awaitAllConsumed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        for (int p = 0; p < PARTITIONS; p++) {
            specs.put(new TopicPartition(CountingApp.INPUT, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(CountingApp.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
            if (ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() == e.getValue())) {
                return;
            }
            assertThat(System.nanoTime()).as("all input consumed; committed %s of %s", committed, ends)
                    .isLessThan(deadline);
            Thread.sleep(100); // polling the group's offsets, not timing anything
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (Stream<Path> paths = java.nio.file.Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
