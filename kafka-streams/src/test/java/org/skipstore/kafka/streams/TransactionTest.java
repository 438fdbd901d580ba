package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.kafka.streams.Fixture.drain;
import static org.skipstore.kafka.streams.Fixture.key;
import static org.skipstore.kafka.streams.Fixture.string;
import static org.skipstore.kafka.streams.Fixture.value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The store's transactions: writes buffered until a commit, read by the store itself, lost on a
 * close without a commit, applied at once by a commit; and the changelog offsets each commit
 * makes durable with them (KIP-1035).
 */
class TransactionTest extends StoreTestBase {

    static final TopicPartition CHANGELOG_0 = new TopicPartition("app-store-changelog", 0);
    static final TopicPartition CHANGELOG_1 = new TopicPartition("app-store-changelog", 1);

    @Test
    void uncommittedWritesAreReadByTheStoreAndNotAsCommitted() {
        ReadOnlyKeyValueStore<Bytes, byte[]> committed = store.readOnly(IsolationLevel.READ_COMMITTED);
        store.put(key("a"), value("1"));
        store.commit(Map.of());
        store.put(key("b"), value("2"));
        store.delete(key("a"));

        assertThat(store.get(key("a"))).isNull();
        assertThat(string(store.get(key("b")))).isEqualTo("2");
        assertThat(drain(store.all())).containsExactly("b=2");
        assertThat(store.readOnly(IsolationLevel.READ_UNCOMMITTED)).isSameAs(store);

        assertThat(string(committed.get(key("a")))).isEqualTo("1");
        assertThat(committed.get(key("b"))).isNull();
        assertThat(drain(committed.all())).containsExactly("a=1");
        assertThat(committed.approximateNumEntries()).isEqualTo(1);

        store.commit(Map.of());
        assertThat(committed.get(key("a"))).isNull();
        assertThat(drain(committed.reverseAll())).containsExactly("b=2");
    }

    @Test
    void aCloseWithoutACommitLosesTheUncommittedWritesOnly() {
        store.put(key("a"), value("1"));
        store.put(key("b"), value("2"));
        store.commit(Map.of(CHANGELOG_0, 2L));
        store.put(key("c"), value("3"));
        store.delete(key("a"));
        store.put(key("b"), value("two"));
        reopen();
        assertThat(drain(store.all())).containsExactly("a=1", "b=2");
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(2L);
    }

    @Test
    void aClosedStoreOpensAgainAtItsLastCommit() {
        store.put(key("a"), value("1"));
        store.commit(Map.of(CHANGELOG_0, 1L));
        store.put(key("b"), value("2"));
        store.close();
        store.init(context, store); // Kafka Streams revives a task's stores so
        assertThat(store.isOpen()).isTrue();
        assertThat(drain(store.all())).containsExactly("a=1");
        assertThat(store.approximateNumUncommittedBytes()).isZero();
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(1L);
    }

    @Test
    void uncommittedBytesGrowWithWritesAndEndAtACommit() {
        assertThat(store.approximateNumUncommittedBytes()).isZero();
        store.put(key("key"), new byte[1000]);
        long one = store.approximateNumUncommittedBytes();
        assertThat(one).isGreaterThanOrEqualTo(1003);
        store.put(key("key"), new byte[10]);
        assertThat(store.approximateNumUncommittedBytes()).isEqualTo(one - 990);
        store.delete(key("other"));
        assertThat(store.approximateNumUncommittedBytes()).isGreaterThan(one - 990);
        store.commit(Map.of());
        assertThat(store.approximateNumUncommittedBytes()).isZero();
    }

    @Test
    void aCommitLargerThanAnEngineBatchIsWholeToReadersAndAfterAReopen() throws Exception {
        // 1 MiB memtables take batches of up to 512 KiB: this commit goes in several
        int n = 600;
        for (int i = 0; i < n; i++) {
            store.put(key(String.format("k%04d", i)), new byte[2000]);
        }
        ReadOnlyKeyValueStore<Bytes, byte[]> committed = store.readOnly(IsolationLevel.READ_COMMITTED);
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<List<Integer>> seen = CompletableFuture.supplyAsync(() -> {
            List<Integer> counts = new ArrayList<>();
            while (!done.get()) {
                try (KeyValueIterator<Bytes, byte[]> it = committed.all()) {
                    int c = 0;
                    for (; it.hasNext(); it.next()) {
                        c++;
                    }
                    counts.add(c);
                }
            }
            return counts;
        });
        store.commit(Map.of(CHANGELOG_0, 600L));
        done.set(true);
        assertThat(seen.get()).allMatch(c -> c == 0 || c == n);
        reopen();
        assertThat(store.approximateNumEntries()).isEqualTo(n);
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(600L);
    }

    @Test
    void committedOffsetsAreSetClearedAndKeptAcrossReopens() {
        assertThat(store.managesOffsets()).isTrue();
        assertThat(store.committedOffset(CHANGELOG_0)).isNull();
        store.commit(Map.of(CHANGELOG_0, 5L));
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(5L);
        assertThat(store.committedOffset(CHANGELOG_1)).isNull();
        store.commit(Map.of(CHANGELOG_0, 7L, CHANGELOG_1, 3L));
        reopen();
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(7L);
        assertThat(store.committedOffset(CHANGELOG_1)).isEqualTo(3L);

        Map<TopicPartition, Long> clearOne = new HashMap<>();
        clearOne.put(CHANGELOG_1, null);
        store.commit(clearOne);
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(7L);
        assertThat(store.committedOffset(CHANGELOG_1)).isNull();
        reopen();
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(7L);
        assertThat(store.committedOffset(CHANGELOG_1)).isNull();

        store.commit(Map.of());
        assertThat(store.committedOffset(CHANGELOG_0)).isNull();
        reopen();
        assertThat(store.committedOffset(CHANGELOG_0)).isNull();
    }

    @Test
    void offsetsAndDataOfACommitAreDurableTogether() {
        store.put(key("a"), value("1"));
        store.commit(Map.of(CHANGELOG_0, 10L));
        store.put(key("b"), value("2"));
        store.commit(Map.of(CHANGELOG_0, 11L));
        store.put(key("c"), value("3"));
        reopen();
        assertThat(drain(store.all())).containsExactly("a=1", "b=2");
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(11L);
    }

    @Test
    void restoredRecordsAreCommittedWithTheirOffset() {
        context.restore(List.of(KeyValue.pair(value("a"), value("1")), KeyValue.pair(value("b"), value("2"))));
        context.restore(List.of(KeyValue.pair(value("a"), null)));
        store.commit(Map.of(CHANGELOG_0, 3L));
        reopen();
        assertThat(drain(store.all())).containsExactly("b=2");
        assertThat(store.committedOffset(CHANGELOG_0)).isEqualTo(3L);
    }

    @Test
    void offsetsPastTheMetadataLimitFailTheCommitBeforeItWritesAnything() {
        store.put(key("a"), value("1"));
        Map<TopicPartition, Long> many = new HashMap<>();
        for (int p = 0; p < 1000; p++) {
            many.put(new TopicPartition("a-global-store-topic", p), 1L);
        }
        assertThatThrownBy(() -> store.commit(many)).isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("changelog offsets");
        assertThat(store.readOnly(IsolationLevel.READ_COMMITTED).get(key("a"))).isNull();
        assertThat(string(store.get(key("a")))).isEqualTo("1");
        store.commit(Map.of(CHANGELOG_0, 1L));
        assertThat(string(store.readOnly(IsolationLevel.READ_COMMITTED).get(key("a")))).isEqualTo("1");
    }

    @Test
    void aValueTheEngineCannotTakeFailsItsPut() {
        // a 1 MiB memtable takes values up to about half of it
        assertThatThrownBy(() -> store.put(key("big"), new byte[600 << 10]))
                .isInstanceOf(ProcessorStateException.class).hasMessageContaining("values up to");
        assertThatThrownBy(() -> store.putAll(List.of(KeyValue.pair(key("small"), value("x")),
                KeyValue.pair(key("big"), new byte[600 << 10])))).isInstanceOf(ProcessorStateException.class);
        assertThat(store.get(key("small"))).isNull();
        store.commit(Map.of());
    }

    /**
     * Without transactional state stores Kafka Streams may not commit a store for long (under
     * exactly-once not before the task closes): the writes go to the engine, without offsets,
     * before they pass a quarter of a memtable (the fixture's is 1 MiB), so the heap holds no more.
     */
    @Test
    void withoutTransactionalStateStoresTheWritesGoToTheEngineBeforeAQuarterOfAMemtable() {
        store.close();
        context = Fixture.context(dir).configs(Map.of()); // Kafka Streams' default: not transactional
        store = Fixture.open(context);
        ReadOnlyKeyValueStore<Bytes, byte[]> engine = store.readOnly(IsolationLevel.READ_COMMITTED);
        long most = 0;
        for (int i = 0; i < 1000; i++) {
            store.put(key(String.format("k%04d", i)), new byte[1000]);
            most = Math.max(most, store.approximateNumUncommittedBytes());
        }
        assertThat(most).isLessThanOrEqualTo((1 << 20) / 4 + 1100);
        assertThat(engine.get(key("k0000"))).as("written through before any commit").isNotNull();
        assertThat(store.committedOffset(CHANGELOG_0)).isNull();
        reopen(); // a close without a commit: what went through stays
        context.configs(Map.of());
        assertThat(store.get(key("k0000"))).isNotNull();
        assertThat(store.committedOffset(CHANGELOG_0)).isNull();
    }

    /**
     * A restore gathers its records on the heap up to a memtable's worth (the fixture's is 1 MiB),
     * four times what processing gathers, and then writes them to the engine, before any commit.
     */
    @Test
    void aRestoreGathersUpToAMemtablesWorthThenWritesThrough() {
        ReadOnlyKeyValueStore<Bytes, byte[]> engine = store.readOnly(IsolationLevel.READ_COMMITTED);
        long most = 0;
        for (int batch = 0; batch < 30; batch++) {
            List<KeyValue<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                records.add(KeyValue.pair(key(String.format("k%04d", batch * 100 + i)).get(), new byte[1000]));
            }
            context.restore(records);
            most = Math.max(most, store.approximateNumUncommittedBytes());
        }
        assertThat(most).as("gathered past a quarter of a memtable").isGreaterThan(3 * (1 << 20) / 4);
        assertThat(most).as("but no more than a memtable and a batch").isLessThanOrEqualTo((1 << 20) + 100 * 1200);
        assertThat(engine.get(key("k0000"))).as("written through before any commit").isNotNull();
        store.commit(Map.of(CHANGELOG_0, 3000L));
        assertThat(engine.approximateNumEntries()).isEqualTo(3000);
    }

    /** With them, nothing reaches the engine before a commit, however much is written. */
    @Test
    void withTransactionalStateStoresNothingReachesTheEngineBeforeACommit() {
        ReadOnlyKeyValueStore<Bytes, byte[]> engine = store.readOnly(IsolationLevel.READ_COMMITTED);
        for (int i = 0; i < 1000; i++) {
            store.put(key(String.format("k%04d", i)), new byte[1000]);
        }
        assertThat(store.approximateNumUncommittedBytes()).isGreaterThan(1_000_000);
        assertThat(engine.get(key("k0000"))).isNull();
        assertThat(engine.approximateNumEntries()).isZero();
        store.commit(Map.of(CHANGELOG_0, 1000L));
        assertThat(engine.approximateNumEntries()).isEqualTo(1000);
    }

    @Test
    void theStoreIsTransactionalWhenKafkaStreamsSaysSoAsABooleanOrAString() {
        String name = org.apache.kafka.streams.StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG;
        assertThat(SkipstoreKeyValueStore.transactional(Map.of(name, true))).isTrue();
        assertThat(SkipstoreKeyValueStore.transactional(Map.of(name, " TRUE "))).isTrue();
        assertThat(SkipstoreKeyValueStore.transactional(Map.of(name, "false"))).isFalse();
        assertThat(SkipstoreKeyValueStore.transactional(Map.of())).isFalse();
    }
}
