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
 * directory) share it as they open, first come, first served, and give their share back when they
 * close; another instance has a budget of its own.
 */
class MemoryBudgetTest {

    private static final long MIB = 1 << 20;
    private static final int M = SkipstoreStoreConfig.MEMTABLES;

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
                SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, String.valueOf(10 * M * MIB)));
        SkipstoreKeyValueStore store = (SkipstoreKeyValueStore) SkipstoreStores.persistentKeyValueStore("counts").get();
        store.init(context, store);
        opened.add(store);
        return store;
    }

    private long reserved(String app) {
        return MemoryBudget.reservedBytes(dir.resolve(app).toAbsolutePath());
    }

    @Test
    void theStoresOfAnInstanceShareItsBudgetAsTheyOpen() {
        // a budget of 10 MiB of memtables (times M, the memtables a store holds at once), 4 MiB asked
        SkipstoreKeyValueStore first = open("app", 0);
        SkipstoreKeyValueStore second = open("app", 1);
        SkipstoreKeyValueStore third = open("app", 2);
        assertThat(first.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(second.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(third.config().memtableBytes()).as("what is left").isEqualTo(2 * MIB);
        assertThat(reserved("app")).isEqualTo(10 * M * MIB);

        // the engine opened with the smaller memtable: it takes batches of up to half of it
        assertThatThrownBy(() -> third.put(Fixture.key("k"), new byte[(int) (1.5 * MIB)]))
                .isInstanceOf(ProcessorStateException.class).hasMessageContaining("half a memtable");
        first.put(Fixture.key("k"), new byte[(int) (1.5 * MIB)]);

        // nothing left: the smallest memtable, past the budget
        SkipstoreKeyValueStore fourth = open("app", 3);
        assertThat(fourth.config().memtableBytes()).isEqualTo(SkipstoreStoreConfig.MIN_MEMTABLE_BYTES);
        assertThat(reserved("app")).isEqualTo(11 * M * MIB);

        // another instance has a budget of its own
        assertThat(open("other-app", 0).config().memtableBytes()).isEqualTo(4 * MIB);

        // a store that closes gives its share back, and the next one opening takes it
        first.close();
        assertThat(reserved("app")).isEqualTo(7 * M * MIB);
        assertThat(open("app", 4).config().memtableBytes()).isEqualTo(3 * MIB);
        first.close(); // twice: gives nothing back again
        assertThat(reserved("app")).isEqualTo(10 * M * MIB);

        // a store opened again (Kafka Streams revives tasks) reserves again what it gave back
        second.close();
        second.init(new TestContext(dir.resolve("app").resolve("0_1")).configs(Map.of(
                SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 4 * MIB,
                SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, 10 * M * MIB)), second);
        assertThat(second.config().memtableBytes()).isEqualTo(4 * MIB);
        assertThat(reserved("app")).isEqualTo(10 * M * MIB);

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
        assertThat(reserved("app")).isEqualTo(4 * M * MIB);
    }
}
