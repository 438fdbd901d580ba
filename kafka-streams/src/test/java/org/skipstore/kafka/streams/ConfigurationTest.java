package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code skipstore.*} properties of Kafka Streams' config ({@link SkipstoreStreamsConfig}):
 * they override the defaults but not a store's own {@link SkipstoreStoreConfig}, the config setter
 * gets each store's name and has the last word, and an invalid value fails {@code init} with a
 * {@link ConfigException} naming the property. The memory budget is {@link MemoryBudgetTest}'s.
 */
class ConfigurationTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** What the setters below were called with: store name, memtable bytes the builder held, a property. */
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clearCalls() {
        CALLS.clear();
    }

    /** Gives store "big" a 3 MiB memtable and leaves the others as they are. */
    public static class Setter implements SkipstoreConfigSetter {
        @Override
        public void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs) {
            CALLS.add(storeName + " " + config.build().memtableBytes() + " " + appConfigs.get("application.id"));
            if (storeName.equals("big")) {
                config.memtableBytes(3 * MIB);
            }
        }
    }

    /** Sets a page size the engine refuses. */
    public static class BadPageSetter implements SkipstoreConfigSetter {
        @Override
        public void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs) {
            config.pageSize(3000);
        }
    }

    /** Has no public no-argument constructor. */
    public static class NoConstructorSetter implements SkipstoreConfigSetter {
        public NoConstructorSetter(int unused) {
        }

        @Override
        public void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs) {
        }
    }

    private SkipstoreKeyValueStore open(String name, Map<String, Object> configs) {
        return open(SkipstoreStores.persistentKeyValueStore(name), configs);
    }

    private SkipstoreKeyValueStore open(org.apache.kafka.streams.state.KeyValueBytesStoreSupplier supplier,
                                        Map<String, Object> configs) {
        SkipstoreKeyValueStore store = (SkipstoreKeyValueStore) supplier.get();
        store.init(new TestContext(dir).configs(configs), store);
        return store;
    }

    @Test
    void withNoPropertiesAStoreOpensWithTheDefaults() {
        SkipstoreKeyValueStore store = open("store", Map.of());
        try {
            assertThat(store.config().memtableBytes()).isEqualTo(SkipstoreStoreConfig.DEFAULT_MEMTABLE_BYTES);
            assertThat(store.config().pageSize()).isEqualTo(SkipstoreStoreConfig.defaults().pageSize());
        } finally {
            store.close();
        }
    }

    @Test
    void thePropertiesOverrideTheDefaultsAndReachTheEngine() {
        // as a properties file gives them (strings) or code does (numbers)
        SkipstoreKeyValueStore store = open("store", Map.of(SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, "4194304",
                SkipstoreStreamsConfig.PAGE_SIZE_CONFIG, 4096));
        try {
            assertThat(store.config().memtableBytes()).isEqualTo(4 * MIB);
            assertThat(store.config().pageSize()).isEqualTo(4096);
            // the engine takes a batch of up to half a memtable: 2 MiB here, 8 MiB by default
            assertThatThrownBy(() -> store.put(Fixture.key("k"), new byte[3 << 20]))
                    .isInstanceOf(ProcessorStateException.class).hasMessageContaining("half a memtable");
        } finally {
            store.close();
        }
        SkipstoreKeyValueStore byDefault = open("other", Map.of());
        try {
            byDefault.put(Fixture.key("k"), new byte[3 << 20]);
        } finally {
            byDefault.close();
        }
    }

    @Test
    void aStoresOwnConfigWinsOverTheProperties() {
        SkipstoreStoreConfig own = SkipstoreStoreConfig.builder().memtableBytes(2 * MIB).pageSize(2048).build();
        SkipstoreKeyValueStore store = open(SkipstoreStores.persistentKeyValueStore("store", own),
                Map.of(SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 8 * MIB, SkipstoreStreamsConfig.PAGE_SIZE_CONFIG, 4096));
        try {
            assertThat(store.config().memtableBytes()).isEqualTo(2 * MIB);
            assertThat(store.config().pageSize()).isEqualTo(2048);
        } finally {
            store.close();
        }
    }

    /** The setter named by its class or its class name, as a properties file names it. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theConfigSetterGetsEachStoresNameAndHasTheLastWord(boolean byClass) {
        Map<String, Object> configs = Map.of("application.id", "app",
                SkipstoreStreamsConfig.MEMTABLE_BYTES_CONFIG, 8 * MIB,
                SkipstoreStreamsConfig.CONFIG_SETTER_CLASS_CONFIG, byClass ? Setter.class : Setter.class.getName());
        SkipstoreKeyValueStore big = open("big", configs);
        SkipstoreKeyValueStore small = open("small", configs);
        SkipstoreKeyValueStore own = open(SkipstoreStores.persistentKeyValueStore("own",
                SkipstoreStoreConfig.builder().memtableBytes(2 * MIB).build()), configs);
        try {
            assertThat(big.config().memtableBytes()).isEqualTo(3 * MIB);
            assertThat(small.config().memtableBytes()).isEqualTo(8 * MIB);
            assertThat(own.config().memtableBytes()).isEqualTo(2 * MIB);
            // each store made its own setter and called it once, with what it would use otherwise
            assertThat(CALLS).containsExactly("big " + 8 * MIB + " app", "small " + 8 * MIB + " app",
                    "own " + 2 * MIB + " app");
        } finally {
            big.close();
            small.close();
            own.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "skipstore.memtable.bytes=lots|Not a number",
        "skipstore.memtable.bytes=1000|below 1 MiB",
        "skipstore.page.size=4k|Not a number",
        "skipstore.page.size=1000|not a power of two",
        "skipstore.memory.budget.bytes=-5|below 5963776 bytes",
        "skipstore.memory.budget.bytes=2097152|below 5963776 bytes",
        "skipstore.config.setter=org.example.NoSuchSetter|Class org.example.NoSuchSetter could not be found",
        "skipstore.config.setter=java.lang.String|not a org.skipstore.kafka.streams.SkipstoreConfigSetter",
        "skipstore.config.setter=org.skipstore.kafka.streams.ConfigurationTest$NoConstructorSetter|public no-argument constructor",
        "skipstore.config.setter=org.skipstore.kafka.streams.ConfigurationTest$BadPageSetter|it set an option the engine refuses: pageSize 3000",
    })
    void anInvalidValueFailsInitNamingTheProperty(String testCase) {
        String property = testCase.substring(0, testCase.indexOf('='));
        String value = testCase.substring(testCase.indexOf('=') + 1, testCase.indexOf('|'));
        String why = testCase.substring(testCase.indexOf('|') + 1);
        Map<String, Object> configs = new HashMap<>(Map.of(property, value));
        if (!property.equals(SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG)) {
            configs.put(SkipstoreStreamsConfig.MEMORY_BUDGET_BYTES_CONFIG, 64 * MIB);
        }
        SkipstoreKeyValueStore store = (SkipstoreKeyValueStore) SkipstoreStores.persistentKeyValueStore("store").get();
        assertThatThrownBy(() -> store.init(new TestContext(dir).configs(configs), store))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("configuration " + property)
                .hasMessageContaining(why)
                .hasMessageContaining("Skipstore store store");
        assertThat(store.isOpen()).isFalse();
        assertThat(Files.exists(dir.resolve("store"))).as("no engine was opened").isFalse();
        assertThat(org.skipstore.kafka.streams.internal.MemoryBudget.reservedBytes(dir.toAbsolutePath().getParent()))
                .as("no budget was taken").isZero();
    }
}
