package org.skipstore.kafka.streams;

import java.util.Map;

/**
 * Sets a Skipstore store's options in code, as {@code RocksDBConfigSetter} does RocksDB's: name
 * the class in Kafka Streams' config under {@link SkipstoreStreamsConfig#CONFIG_SETTER_CLASS_CONFIG}
 * ({@code skipstore.config.setter}, a class name or a {@code Class}), and every Skipstore store of
 * the application makes one (public no-argument constructor) when it opens and calls it once.
 *
 * <pre>{@code
 * public class BigCounts implements SkipstoreConfigSetter {
 *     public void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs) {
 *         if (storeName.equals("counts")) {
 *             config.memtableBytes(64 << 20);
 *         }
 *     }
 * }
 * props.put(SkipstoreStreamsConfig.CONFIG_SETTER_CLASS_CONFIG, BigCounts.class);
 * }</pre>
 */
@FunctionalInterface
public interface SkipstoreConfigSetter {

    /**
     * Sets the options of store {@code storeName}. {@code config} holds what the store would
     * use without the setter (its {@link SkipstoreStoreConfig} if it was given one, else the
     * defaults with the {@code skipstore.*} properties); what this sets wins, then the memory
     * budget may make the memtable smaller ({@link SkipstoreStreamsConfig#MEMORY_BUDGET_BYTES_CONFIG}).
     * An option the builder refuses fails the store's {@code init} with a {@code ConfigException}
     * that names this setter.
     *
     * @param appConfigs the application's Kafka Streams config, as the store's context has it
     */
    void setConfig(String storeName, SkipstoreStoreConfig.Builder config, Map<String, Object> appConfigs);
}
