package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.skipstore.core.ConcurrentSkipList;

/**
 * One memtable of the engine, active or sealed, with what the engine knows of it: the log
 * sequences it holds, the memtable sequence up to which it is final, and how many read states
 * use it.
 *
 * <h2>Sequences</h2>
 * Two numberings meet here. The engine's <em>log sequence</em> numbers batches (one per log
 * record); the memtable stamps each version with its own sequence ({@code Entry.sequence()}).
 * The commit leader applies batches one at a time, in log order, so the memtable's order is the
 * log's, and a read bounded by a memtable sequence ({@code snapshotAt}) sees a prefix of the log.
 *
 * <h2>Lifetime</h2>
 * {@link #refs} counts the read states that list the layer. A read state takes its reference
 * when it is made and gives it back when it is retired and its last reader has left; the layer's
 * memory is freed when the count reaches zero, so no reader ever reads a closed memtable.
 */
final class Layer {

    final ConcurrentSkipList table;
    /** A number for messages and events: the order in which the engine made its layers. */
    final long id;
    private final AtomicInteger refs = new AtomicInteger();

    /**
     * The last log sequence whose batch lies wholly in this layer or an older one: what a flush
     * of this layer may record as flushed. A batch split by a memtable switch counts in the newer
     * layer, so replay after a crash starts at it and applies it whole. Written by the commit
     * leader before the layer is sealed; read by the flusher after (the seal's publication
     * orders them). Without a log, see {@link #splitBatch}.
     */
    long lastWholeSequence;
    /** The last log sequence with an operation in this layer (a split batch counts in both). */
    long lastSequence;
    /**
     * Without a log: a copy of batch {@link #lastSequence} when this layer holds only its first
     * part, else null. No replay would apply the rest after a crash, so the flush of this layer
     * writes the batch whole ({@link Flusher}) and records {@link #lastSequence}: the store never
     * holds part of a batch. Written by the commit leader before the layer is sealed ({@link #keepSplit}).
     */
    MemorySegment splitBatch;
    /**
     * Where {@link #splitBatch} lives, freed with the memtable: an automatic arena's memory would
     * wait for a collection of the old generation, where a long-lived layer ends (a restore that
     * seals a memtable every few seconds left megabytes waiting).
     */
    private Arena splitArena;
    /**
     * The commit metadata that the layer's whole batches set ({@code WriteBatch.putMetadata}),
     * newest value a name, as an immutable map the commit leader replaces after each batch that
     * sets some: what a flush of the layer commits with its data. Readers of the active layer take
     * it from the {@link Published} state (the leader changes it before it publishes); a sealed
     * layer's is final once its seal is published. A batch split by a seal counts in the newer
     * layer (without a log, the older one's flush applies it from {@link #splitBatch}).
     */
    Map<String, byte[]> metadata = Map.of();
    /** The keys written into the layer: a point read skips the layer when its key is not in it. */
    final KeyFilter keys;
    /** Set when the layer stops taking writes: the memtable sequence everything it holds is at or below. */
    long finalBound = -1;

    Layer(ConcurrentSkipList table, long id, long lastWholeSequence) {
        this.table = table;
        this.keys = new KeyFilter(table.maxMemoryBytes());
        this.id = id;
        this.lastWholeSequence = lastWholeSequence;
        this.lastSequence = lastWholeSequence;
    }

    /**
     * Whether the layer holds any write: a version (deletes too: {@code isEmpty()} counts live
     * keys only) or commit metadata (a batch may set metadata alone). A checkpoint must flush such
     * a layer, or its sequence would never be flushed.
     */
    boolean holdsWrites() {
        return table.versionCount() > 0 || !metadata.isEmpty();
    }

    void ref() {
        refs.incrementAndGet();
    }

    /** Keeps a copy of {@code batch}, split by this layer's seal: its {@link #splitBatch}. */
    void keepSplit(MemorySegment batch) {
        splitArena = Arena.ofShared(); // the flusher reads it, and may free it
        splitBatch = splitArena.allocate(batch.byteSize()).copyFrom(batch);
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            table.close();
            if (splitArena != null) { // only the flusher read it, before the layer left the read states
                splitArena.close();
            }
        }
    }

    int refs() {
        return refs.get();
    }

    @Override
    public String toString() {
        return "memtable " + id + " (log sequences to " + lastSequence + ", " + table.size() + " keys)";
    }
}
