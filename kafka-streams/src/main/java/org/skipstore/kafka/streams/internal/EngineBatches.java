package org.skipstore.kafka.streams.internal;

import java.util.Map;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteBatch;

/**
 * Writes a run of puts and deletes (a commit's buffer) to the engine in as few
 * {@link WriteBatch}es as its limit allows: one, unless the run is larger than a batch may be
 * (the store's bound on the batch's native buffer; the engine takes up to half a memtable). Each
 * batch is atomic in the engine; the store makes the run atomic
 * to its readers by holding its lock until {@link #finish}, whose commit metadata (the changelog
 * offsets) rides in the last batch. Add, then {@link #finish}; then again, with the same buffer
 * (a store keeps one: a batch's buffer is native memory, dear to make per commit).
 */
public final class EngineBatches {

    /**
     * What an operation may take in the engine's estimate of a batch beyond its key and value:
     * twice its generous allowance for a memtable node (WriteBatch's NODE_OVERHEAD, 128 bytes), so
     * that a batch this cuts is never refused.
     */
    static final int OP_ALLOWANCE = 256;

    private final Skipstore db;
    private final long budget;
    private final WriteBatch batch;
    /** Metadata for the next batch written, until one is written (the store's format); else empty. */
    private Map<String, byte[]> first;
    private int written;

    /** Batches for {@code db}, each at most {@code maxBatchBytes} by the engine's estimate. */
    public EngineBatches(Skipstore db, long maxBatchBytes) {
        this(db, maxBatchBytes, Map.of());
    }

    /**
     * Batches as {@link #EngineBatches(Skipstore, long)}, the first of which sets commit {@code
     * metadata} (the store's format: before any of the run's data, so never flushed after it).
     * A run that fails before its first batch is written leaves it to the next run's first.
     */
    public EngineBatches(Skipstore db, long maxBatchBytes, Map<String, byte[]> firstMetadata) {
        this.db = db;
        this.budget = maxBatchBytes;
        // its encoding fits the engine's estimate, so the buffer never grows (but for an operation alone past it)
        this.batch = new WriteBatch((int) Math.min(maxBatchBytes, Integer.MAX_VALUE - 16));
        this.first = Map.copyOf(firstMetadata);
        first.forEach(batch::putMetadata);
    }

    /** A put of {@code value}, or a delete when it is null (as a changelog record). */
    public void write(byte[] key, byte[] value) {
        if (value == null) {
            delete(key);
        } else {
            put(key, value);
        }
    }

    public void put(byte[] key, byte[] value) {
        roomFor(key.length + (long) value.length);
        batch.put(key, value);
    }

    public void delete(byte[] key) {
        roomFor(key.length);
        batch.delete(key);
    }

    /** Writes what is left; returns the batches written in all. */
    public int finish() {
        return finish(Map.of());
    }

    /**
     * Writes what is left with commit {@code metadata} in the last batch; returns the batches
     * written since the last finish. On a failure the batch is emptied too, ready for the next run.
     */
    public int finish(Map<String, byte[]> metadata) {
        try {
            metadata.forEach(batch::putMetadata);
            write();
            return written;
        } finally {
            discard();
        }
    }

    /** Drops what was added since the last finish and not written (after a failure mid-run). */
    public void discard() {
        batch.clear();
        first.forEach(batch::putMetadata);
        written = 0;
    }

    private void roomFor(long bytes) {
        if (!batch.isEmpty() && batch.byteSize() + (long) (batch.count() + 1) * OP_ALLOWANCE + bytes > budget) {
            write();
        }
    }

    private void write() {
        if (!batch.isEmpty()) {
            db.write(batch);
            first = Map.of();
            batch.clear();
            written++;
        }
    }
}
