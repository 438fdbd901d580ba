package org.skipstore.kafka.streams;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The properties of Kafka Streams' own config that Skipstore stores read, all named {@code
 * skipstore.*}: put them beside the application's other properties, as RocksDB's {@code
 * rocksdb.config.setter}. Each store reads them from {@code context.appConfigs()} in its {@code
 * init}.
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><th>property</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@value #MEMTABLE_BYTES_CONFIG}</td><td>a memtable's memory, at least 1 MiB</td>
 *       <td>{@link SkipstoreStoreConfig#DEFAULT_MEMTABLE_BYTES}, 16 MiB</td></tr>
 *   <tr><td>{@value #PAGE_SIZE_CONFIG}</td><td>the page size of a store created, a power of two
 *       from 512 to 65536</td><td>512</td></tr>
 *   <tr><td>{@value #MEMORY_BUDGET_BYTES_CONFIG}</td><td>the memtable memory of all the Skipstore
 *       stores of one Kafka Streams instance, at least 3 MiB</td><td>none: no bound</td></tr>
 *   <tr><td>{@value #CONFIG_SETTER_CLASS_CONFIG}</td><td>a {@link SkipstoreConfigSetter} (its class
 *       or class name)</td><td>none</td></tr>
 * </table>
 *
 * <h2>Which options a store opens with</h2>
 * A store made with a {@link SkipstoreStoreConfig} of its own starts from it and ignores the
 * first two properties; any other starts from {@link SkipstoreStoreConfig#defaults()} with the
 * properties set over it. The config setter, if any, then gets the store's name and a builder
 * holding that, and what it sets wins. Last the budget may shrink the memtable.
 *
 * <h2>The memory budget</h2>
 * The budget bounds the native memory of the stores ({@link SkipstoreStoreConfig#memoryBytes()}):
 * a store holds at most {@link SkipstoreStoreConfig#MEMTABLES} memtables at once (3 by default:
 * the one taking writes and two sealed), its engine's buffers (2.5 MiB: a flush writes
 * blocks ahead of its commit rather than holding more) and the buffer of its batches (a
 * sixteenth of a memtable) with a copy for each sealed memtable that a seal split a batch across:
 * with 16 MiB memtables, 53.5 MiB. The stores of one instance are those
 * under one application state directory ({@code <state.dir>/<application.id>}, which one
 * instance holds at a time), and they share the budget first come, first served: a store opening
 * reserves what it holds with the memtables asked for if what the open stores have left of the
 * budget has room, else with the largest memtables that fit; where not even the engine's smallest
 * fit (1 MiB memtables, about 5.7 MiB reserved), it opens with the smallest anyway and logs a
 * warning that the instance is over its budget, rather than failing a task after a rebalance. A
 * store that closes gives its reservation back. So size it as the most key-value stores an
 * instance may hold (tasks times stores, after a rebalance too) times what one holds. The pages
 * are the mapped file (page cache, which the kernel reclaims), outside the budget.
 *
 * <h2>Invalid values</h2>
 * A value of the wrong type or out of range, a setter class that is missing, is no {@link
 * SkipstoreConfigSetter} or cannot be made, and an option the setter sets that the engine refuses,
 * fail the store's {@code init} with a {@link ConfigException} naming the property and the store.
 * A {@code skipstore.*} property not listed here is logged as a warning (a typo would be ignored).
 */
public final class SkipstoreStreamsConfig {

    /** The prefix of every Skipstore property. */
    public static final String PREFIX = "skipstore.";
    /** A memtable's memory, in bytes (a long). */
    public static final String MEMTABLE_BYTES_CONFIG = "skipstore.memtable.bytes";
    /** The page size of a store created, in bytes (an int). */
    public static final String PAGE_SIZE_CONFIG = "skipstore.page.size";
    /** The memtable memory of all the Skipstore stores of one Kafka Streams instance, in bytes (a long). */
    public static final String MEMORY_BUDGET_BYTES_CONFIG = "skipstore.memory.budget.bytes";
    /** A {@link SkipstoreConfigSetter}: its {@code Class}, or its class name. */
    public static final String CONFIG_SETTER_CLASS_CONFIG = "skipstore.config.setter";

    private static final Set<String> KNOWN =
            Set.of(MEMTABLE_BYTES_CONFIG, PAGE_SIZE_CONFIG, MEMORY_BUDGET_BYTES_CONFIG, CONFIG_SETTER_CLASS_CONFIG);
    private static final System.Logger LOG = System.getLogger(SkipstoreStreamsConfig.class.getName());

    private SkipstoreStreamsConfig() {
    }

    /**
     * What a store opens with: its options before the budget, and the instance's budget in bytes
     * (0: none).
     */
    record Settings(SkipstoreStoreConfig config, long budgetBytes) {
    }

    /**
     * The settings of store {@code store}, given its own config ({@code explicit}, or null) and
     * the application's.
     *
     * @throws ConfigException naming the property whose value is invalid
     */
    static Settings settings(String store, SkipstoreStoreConfig explicit, Map<String, Object> app) {
        Long memtable = parse(store, app, MEMTABLE_BYTES_CONFIG, ConfigDef.Type.LONG);
        Integer pageSize = parse(store, app, PAGE_SIZE_CONFIG, ConfigDef.Type.INT);
        Long budget = parse(store, app, MEMORY_BUDGET_BYTES_CONFIG, ConfigDef.Type.LONG);
        Class<?> setter = parse(store, app, CONFIG_SETTER_CLASS_CONFIG, ConfigDef.Type.CLASS);
        for (String key : app.keySet()) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key)) {
                LOG.log(System.Logger.Level.WARNING, "Skipstore store " + store + ": unknown property " + key
                        + " ignored (known: " + KNOWN + ")");
            }
        }

        SkipstoreStoreConfig.Builder fromProperties = SkipstoreStoreConfig.builder();
        if (memtable != null) {
            check(store, MEMTABLE_BYTES_CONFIG, memtable, () -> fromProperties.memtableBytes(memtable));
        }
        if (pageSize != null) {
            check(store, PAGE_SIZE_CONFIG, pageSize, () -> fromProperties.pageSize(pageSize));
        }
        long least = SkipstoreStoreConfig.memoryBytes(SkipstoreStoreConfig.MIN_MEMTABLE_BYTES);
        if (budget != null && budget < least) {
            throw invalid(store, MEMORY_BUDGET_BYTES_CONFIG, budget, "below " + least
                    + " bytes, what one store with the smallest memtables holds");
        }
        SkipstoreStoreConfig.Builder config = explicit != null ? explicit.toBuilder() : fromProperties;
        if (setter != null) {
            apply(store, setter, config, app);
        }
        return new Settings(config.build(), budget == null ? 0 : budget);
    }

    /** The property's value as {@code type}, or null when it is not set. */
    @SuppressWarnings("unchecked")
    private static <T> T parse(String store, Map<String, Object> app, String name, ConfigDef.Type type) {
        Object value = app.get(name);
        if (value == null) {
            return null;
        }
        try {
            return (T) ConfigDef.parseType(name, value, type);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (Skipstore store " + store + ")");
        }
    }

    /** Runs {@code set}, a builder's setter, turning its refusal into one naming the property. */
    private static void check(String store, String name, Object value, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw invalid(store, name, value, e.getMessage());
        }
    }

    private static void apply(String store, Class<?> setterClass, SkipstoreStoreConfig.Builder config,
                              Map<String, Object> app) {
        String name = setterClass.getName();
        if (!SkipstoreConfigSetter.class.isAssignableFrom(setterClass)) {
            throw invalid(store, CONFIG_SETTER_CLASS_CONFIG, name, "not a " + SkipstoreConfigSetter.class.getName());
        }
        SkipstoreConfigSetter setter;
        try {
            setter = (SkipstoreConfigSetter) setterClass.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw invalid(store, CONFIG_SETTER_CLASS_CONFIG, name, "cannot be made by its public no-argument constructor: " + e);
        }
        try {
            setter.setConfig(store, config, Collections.unmodifiableMap(app));
        } catch (IllegalArgumentException e) {
            throw invalid(store, CONFIG_SETTER_CLASS_CONFIG, name, "it set an option the engine refuses: " + e.getMessage());
        }
    }

    private static ConfigException invalid(String store, String name, Object value, String why) {
        return new ConfigException(name, value, why + " (Skipstore store " + store + ")");
    }
}
