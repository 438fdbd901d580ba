package org.skipstore.pagestore;

/**
 * How durable a {@link Skipstore} write is when it returns, and so what a crash can lose. Set
 * for the database ({@link SkipstoreBuilder#durability}); {@link Skipstore#write(WriteBatch,
 * WriteDurability)} may ask SYNC, GROUP or NO_SYNC for one write of a logged database.
 *
 * <p>In the durable modes (SYNC, GROUP) no reader sees a write before it is durable. In every
 * mode a write is atomic (a batch survives whole or not at all) and, once it returned, seen by
 * every later read of any thread.
 */
public enum WriteDurability {
    /**
     * Each write is appended to the log and forced (fdatasync) on its own before it returns:
     * the lowest latency for one writer. A crash of the process or the machine loses no write
     * that returned.
     */
    SYNC,
    /**
     * Concurrent writers share one force: the first to arrive (the leader) appends every queued
     * write to the log with one write, forces once and applies them all, while the others wait
     * for it (RocksDB's write groups). What a crash can lose is as with SYNC; writers that come
     * together commit faster together.
     */
    GROUP,
    /**
     * Each write is handed to the operating system (written to the log file) but not forced.
     * A crash of the process loses nothing that returned; a crash of the machine (power, kernel)
     * loses the writes after the last force: a flush, a {@link Skipstore#sync()} or a clean close.
     * What survives is always a prefix of the writes, never a gap.
     */
    NO_SYNC,
    /**
     * No log at all: writes live in memtables until a flush writes them into the store.
     * Durability comes from {@link Skipstore#checkpoint(java.util.Map)}, which flushes every
     * memtable and commits the store with the given commit metadata atomically (Kafka Streams
     * does this, its changelog topic being the log), and from a clean close, which flushes. A
     * crash loses the writes after the last checkpoint or automatic flush. An automatic flush of a
     * full memtable may make writes after the last checkpoint durable too, with the checkpoint's
     * metadata unchanged: the store then holds at least what its metadata says, never less.
     */
    NO_LOG
}
