package org.skipstore.kafka.streams;

import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.skipstore.core.SkipstoreException;
import org.skipstore.kafka.streams.internal.CommittedOffsets;
import org.skipstore.kafka.streams.internal.Failures;
import org.skipstore.kafka.streams.internal.MemoryBudget;
import org.skipstore.pagestore.Skipstore;

/**
 * The engine of an open store and what its opening decided: the options it opened with (after the
 * memory budget), the offsets it had committed, and its share of the budget.
 *
 * <h2>Protocol</h2>
 * {@link #open}: the store's settings from its own config and the application's ({@link
 * SkipstoreStreamsConfig}), a share of the instance's budget ({@link MemoryBudget}; the instance is
 * the parent of the task's state directory, {@code <state.dir>/<application.id>}), the engine in
 * {@code <task state dir>/<name>}, and the committed offsets from its commit metadata. A failure on
 * the way closes what was opened and gives the share back. {@link #close}: the engine, then the
 * share, whatever the engine's close throws.
 */
record StoreEngine(Skipstore db, SkipstoreStoreConfig config, CommittedOffsets offsets, MemoryBudget.Share share) {

    private static final System.Logger LOG = System.getLogger(StoreEngine.class.getName());

    /**
     * Opens store {@code name}'s engine.
     *
     * @param explicit the store's own options, or null to take the application's
     * @throws ConfigException when a {@code skipstore.*} property is invalid
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the engine cannot open
     */
    static StoreEngine open(String name, SkipstoreStoreConfig explicit, StateStoreContext context) {
        SkipstoreStreamsConfig.Settings settings = SkipstoreStreamsConfig.settings(name, explicit, context.appConfigs());
        Path taskDir = context.stateDir().toPath().toAbsolutePath().normalize();
        Path dir = taskDir.resolve(name);
        long asked = settings.config().memtableBytes();
        MemoryBudget.Share share = settings.budgetBytes() == 0 ? MemoryBudget.Share.unbounded(asked)
                : MemoryBudget.reserve(name, instance(taskDir), settings.budgetBytes(), asked,
                        SkipstoreStoreConfig.MEMTABLES, SkipstoreStoreConfig.MIN_MEMTABLE_BYTES);
        SkipstoreStoreConfig config = settings.config().toBuilder().memtableBytes(share.memtableBytes()).build();
        Skipstore db = null;
        try {
            db = config.engine().open(dir);
            return new StoreEngine(db, config, CommittedOffsets.from(db.metadata()), share);
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

    /** Closes the engine and gives the budget's share back. */
    void close() {
        try {
            db.close();
        } finally {
            share.close();
        }
    }
}
