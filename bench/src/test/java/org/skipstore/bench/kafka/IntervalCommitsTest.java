package org.skipstore.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.junit.jupiter.api.Test;

/** The commit interval the benchmark gives TopologyTestDriver: which commits reach the store, and with which offsets. */
class IntervalCommitsTest {

    private static final TopicPartition LOG = new TopicPartition("log", 0);

    /** A supplier of stores that record the offsets of each commit they get and answer every other call with a default. */
    private static KeyValueBytesStoreSupplier recording(List<Map<TopicPartition, Long>> commits, boolean timestamped) {
        Class<?>[] types = timestamped ? new Class<?>[] {KeyValueStore.class, TimestampedBytesStore.class}
                : new Class<?>[] {KeyValueStore.class};
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> store = (KeyValueStore<Bytes, byte[]>) Proxy.newProxyInstance(
                IntervalCommitsTest.class.getClassLoader(), types, (proxy, method, args) -> switch (method.getName()) {
                    case "commit" -> {
                        @SuppressWarnings("unchecked")
                        Map<TopicPartition, Long> offsets = (Map<TopicPartition, Long>) args[0];
                        commits.add(offsets);
                        yield null;
                    }
                    case "isOpen" -> true;
                    case "name" -> "s";
                    default -> null;
                });
        return (KeyValueBytesStoreSupplier) Proxy.newProxyInstance(IntervalCommitsTest.class.getClassLoader(),
                new Class<?>[] {KeyValueBytesStoreSupplier.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> store;
                    case "name" -> "s";
                    case "metricsScope" -> "test";
                    default -> null;
                });
    }

    @Test
    void everyNthCommitReachesTheStoreAndCommitNowPassesTheLastOffsetsHeldBack() {
        List<Map<TopicPartition, Long>> commits = new ArrayList<>();
        IntervalCommits interval = new IntervalCommits(recording(commits, false), 3);
        KeyValueStore<Bytes, byte[]> store = interval.get();
        for (long offset = 1; offset <= 7; offset++) {
            store.commit(Map.of(LOG, offset));
        }
        assertEquals(List.of(Map.of(LOG, 3L), Map.of(LOG, 6L)), commits);
        interval.commitNow();
        assertEquals(List.of(Map.of(LOG, 3L), Map.of(LOG, 6L), Map.of(LOG, 7L)), commits);
        interval.commitNow(); // nothing held back any more
        assertEquals(3, commits.size());
        assertEquals(3, interval.commits());
    }

    @Test
    void aCommitOnTheIntervalLeavesNothingForCommitNow() {
        List<Map<TopicPartition, Long>> commits = new ArrayList<>();
        IntervalCommits interval = new IntervalCommits(recording(commits, false), 2);
        KeyValueStore<Bytes, byte[]> store = interval.get();
        store.commit(Map.of(LOG, 1L));
        store.commit(Map.of(LOG, 2L));
        interval.commitNow();
        assertEquals(List.of(Map.of(LOG, 2L)), commits);
    }

    /** Kafka Streams builds its layers by what the store is: the wrapper must be timestamped exactly when the store is. */
    @Test
    void theWrapperIsATimestampedStoreExactlyWhenTheStoreIs() {
        assertInstanceOf(TimestampedBytesStore.class, new IntervalCommits(recording(new ArrayList<>(), true), 2).get());
        assertFalse(new IntervalCommits(recording(new ArrayList<>(), false), 2).get() instanceof TimestampedBytesStore);
        assertTrue(new IntervalCommits(recording(new ArrayList<>(), false), 2).get().isOpen());
    }
}
