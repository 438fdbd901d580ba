package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.kafka.streams.internal.MemoryBudget;

/**
 * {@code skipstore.memory.budget.bytes}: the stores of one instance (one application state
 * directory) share it as they open, first come, first served, each charged what it holds with its
 * memtables ({@link SkipstoreStoreConfig#memoryBytes()}), and give their share back when they
 * close; another instance has a budget of its own.
 */
class MemoryBudgetTest {

    private static final long MIB = 1 << 20;
    /** Room for two stores with 4 MiB memtables and one with 2 MiB ones. */
    private static final long BUDGET = 2 * bytes(4 * MIB) + bytes(2 * MIB);

    @TempDir
    Path dir;
    private final List<SkipstoreKeyValueStore> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(SkipstoreKeyValueStore::close);
    }

    /** Store "counts" of task 0_{@code task} of the instance whose application directory is {@code app}. */
    private SkipstoreKeyValueStore open(String app, int task) {
        Path taskDir = dir.resolve(app).resolve("0_" + task);
        TestContext context = new TestContext(taskDir, new TaskId(0, task)).configs(Map.of(
                SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 4 * MIB,
                SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, String.valueOf(BUDGET)));
        SkipstoreKeyValueStore store = (SkipstoreKeyValueStore) SkipstoreStores.persistentKeyValueStore("counts").get();
        store.init(context, store);
        opened.add(store);
        return store;
    }

    /** What a store with memtables of {@code memtable} holds, and is charged. */
    private static long bytes(long memtable) {
        return SkipstoreStoreConfig.memoryBytes(memtable);
    }

    private long reserved(String app) {
        return MemoryBudget.reservedBytes(dir.resolve(app).toAbsolutePath());
    }

    @Test
    void theStoresOfAnInstanceShareItsBudgetAsTheyOpen() {
        // 4 MiB memtables asked
        SkipstoreKeyValueStore first = open("app", 0);
        SkipstoreKeyValueStore second = open("app", 1);
        SkipstoreKeyValueStore third = open("app", 2);
        assertThat(first.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(second.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(third.config().memtableBytes()).as("what is left").isEqualTo(2 * MIB);
        assertThat(first.config().memoryBytes()).isEqualTo(bytes(4 * MIB))
                .as("three memtables, the engine's buffers and the batch's").isGreaterThan(3 * 4 * MIB + MIB);
        assertThat(reserved("app")).isEqualTo(BUDGET);

        // the engine opened with the smaller memtable: it takes batches of up to half of it
        assertThatThrownBy(() -> third.put(Fixture.key("k"), new byte[(int) (1.5 * MIB)]))
                .isInstanceOf(ProcessorStateException.class).hasMessageContaining("half a memtable");
        first.put(Fixture.key("k"), new byte[(int) (1.5 * MIB)]);

        // nothing left: the smallest memtable, past the budget
        SkipstoreKeyValueStore fourth = open("app", 3);
        assertThat(fourth.config().memtableBytes()).isEqualTo(SkipstoreStoreConfig.MIN_MEMTABLE_BYTES);
        assertThat(reserved("app")).isEqualTo(BUDGET + bytes(MIB));

        // another instance has a budget of its own
        assertThat(open("other-app", 0).config().memtableBytes()).isEqualTo(4 * MIB);

        // a store that closes gives its share back, and the next one opening takes it
        first.close();
        assertThat(reserved("app")).isEqualTo(bytes(4 * MIB) + bytes(2 * MIB) + bytes(MIB));
        long left = BUDGET - reserved("app");
        long fifth = open("app", 4).config().memtableBytes();
        assertThat(bytes(fifth)).isLessThanOrEqualTo(left);
        assertThat(bytes(fifth + 1)).as("the largest memtables that fit").isGreaterThan(left);
        first.close(); // twice: gives nothing back again
        assertThat(reserved("app")).isEqualTo(BUDGET + bytes(MIB) - bytes(4 * MIB) + bytes(fifth));

        // a store opened again (Kafka Streams revives tasks) reserves again what it gave back
        second.close();
        second.init(new TestContext(dir.resolve("app").resolve("0_1")).configs(Map.of(
                SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 4 * MIB,
                SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, BUDGET)), second);
        assertThat(second.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(reserved("app")).isEqualTo(BUDGET + bytes(MIB) - bytes(4 * MIB) + bytes(fifth));

        opened.forEach(SkipstoreKeyValueStore::close);
        assertThat(reserved("app")).isZero();
        assertThat(reserved("other-app")).isZero();
    }

    @Test
    void aStoreThatFailsToOpenGivesItsShareBack() throws Exception {
        open("app", 0);
        Path taskDir = dir.resolve("app").resolve("0_1");
        Files.createDirectories(taskDir);
        Files.writeString(taskDir.resolve("counts"), "a file where the store's directory would be");
        assertThatThrownBy(() -> open("app", 1)).isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("counts");
        assertThat(reserved("app")).isEqualTo(bytes(4 * MIB));
    }
}
