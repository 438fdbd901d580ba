package org.skipstore.kafka.streams;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.skipstore.core.SkipstoreException;
import org.skipstore.kafka.streams.internal.CommittedOffsets;
import org.skipstore.kafka.streams.internal.EngineBatches;
import org.skipstore.kafka.streams.internal.Failures;
import org.skipstore.kafka.streams.internal.MemoryBudget;
import org.skipstore.kafka.streams.internal.ValueFormat;
import org.skipstore.pagestore.Skipstore;

/**
 * The engine of an open store and what its opening decided: the options it opened with (after the
 * memory budget), the offsets it had committed, the format of its values, and its share of the
 * budget.
 *
 * <h2>Protocol</h2>
 * {@link #open}: the store's settings from its own config and the application's ({@link
 * SkipstoreStreamsConfig}), a share of the instance's budget ({@link MemoryBudget}; the instance is
 * the parent of the task's state directory, {@code <state.dir>/<application.id>}), the engine in
 * {@code <task state dir>/<name>}, the committed offsets from its commit metadata, and the check
 * of the store's value format against the one recorded there ({@link ValueFormat}). A failure on
 * the way closes what was opened and gives the share back. {@link #batches}: the store's writes
 * record its format in their first batch written until the engine holds it. {@link #close}: the
 * engine, then the share, whatever the engine's close throws.
 */
record StoreEngine(Skipstore db, SkipstoreStoreConfig config, CommittedOffsets offsets, ValueFormat format,
                   MemoryBudget.Share share) {

    private static final System.Logger LOG = System.getLogger(StoreEngine.class.getName());

    /**
     * Opens store {@code name}'s engine.
     *
     * @param explicit the store's own options, or null to take the application's
     * @param format the format of the store's values
     * @throws ConfigException when a {@code skipstore.*} property is invalid
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the engine cannot open, or
     *         holds values of the other format
     */
    static StoreEngine open(String name, SkipstoreStoreConfig explicit, ValueFormat format, StateStoreContext context) {
        SkipstoreStreamsConfig.Settings settings = SkipstoreStreamsConfig.settings(name, explicit, context.appConfigs());
        Path taskDir = context.stateDir().toPath().toAbsolutePath().normalize();
        Path dir = taskDir.resolve(name);
        long asked = settings.config().memtableBytes();
        MemoryBudget.Share share = settings.budgetBytes() == 0 ? MemoryBudget.Share.unbounded(asked)
                : MemoryBudget.reserve(name, instance(taskDir), settings.budgetBytes(), asked,
                        SkipstoreStoreConfig::memoryBytes, SkipstoreStoreConfig.MIN_MEMTABLE_BYTES);
        SkipstoreStoreConfig config = settings.config().toBuilder().memtableBytes(share.memtableBytes()).build();
        Skipstore db = null;
        try {
            db = config.engine().open(dir);
            Map<String, byte[]> metadata = db.metadata();
            format.check(name, dir, metadata);
            return new StoreEngine(db, config, CommittedOffsets.from(metadata), format, share);
        } catch (RuntimeException e) {
            closeAfterFailure(name, db);
            share.close();
            throw e instanceof SkipstoreException s ? Failures.of(name, "opening " + dir, s) : e;
        }
    }

    /** The Kafka Streams instance a task's state directory belongs to: its parent. */
    private static Path instance(Path taskDir) {
        Path parent = taskDir.getParent();
        return parent == null ? taskDir : parent;
    }

    private static void closeAfterFailure(String name, Skipstore db) {
        if (db != null) {
            try {
                db.close();
            } catch (SkipstoreException e) {
                LOG.log(System.Logger.Level.WARNING, "store " + name + ": closing after a failed open failed", e);
            }
        }
    }

    /**
     * The batches of the store's writes (its commits, its restore batches), each within
     * {@link #batchBytes}; one, which the store keeps while the engine is open. Until
     * the engine holds the store's format, the first batch written records it: a write that fails
     * before its first batch is written leaves the format to the next write.
     */
    EngineBatches batches() {
        Map<String, byte[]> first = ValueFormat.isRecordedIn(db.metadata()) ? Map.of() : format.metadata();
        return new EngineBatches(db, batchBytes(config.memtableBytes()), first);
    }

    /**
     * A batch's bytes at most: a sixteenth of a memtable (1 MiB of the default 16), at least
     * 64 KiB. A batch's native buffer stays with the store, on top of its memtables, and
     * the engine would take up to half a memtable; smaller batches cost a commit of a few
     * thousand writes nothing measurable, and keep the store within its memory budget. An
     * operation larger than that (a value up to half a memtable) still goes, in a batch alone.
     */
    static long batchBytes(long memtableBytes) {
        return Math.min(memtableBytes / 2, Math.max(64 << 10, memtableBytes / 16));
    }

    /** Closes the engine and gives the budget's share back. */
    void close() {
        try {
            db.close();
        } finally {
            share.close();
        }
    }
}
