package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.skipstore.core.InsertResult;
import org.skipstore.core.MemtableFullException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.CommitMetadata;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The commit leader's work for one group ({@link CommitPipeline.Committer}): sequences, the log,
 * the force, the memtable, the publication, in that order.
 *
 * <ol>
 *   <li>Give each batch the next log sequence, frame them all ({@link LogRecords}) and write
 *       them with one write; force when a ticket asks ({@link Point#LOG_WRITTEN},
 *       {@link Point#LOG_FORCED}). A failure here stops every later write: what reached the
 *       file is unknown, and a later write must not be logged after a gap.</li>
 *   <li>Apply the batches in sequence order to the active memtable ({@link #apply}); when one
 *       does not fit, seal it and go on in a new one ({@link Layers#seal}: this is where
 *       writers stall when flushes fall behind).</li>
 *   <li>Publish ({@link Point#APPLIED}, {@link Layers#publish}): readers see the group whole,
 *       and only now, after the force: no reader sees a write before it is durable.</li>
 * </ol>
 * Exclusive actions (a checkpoint's seal, the close) ride the same queue as {@link Action}s, so
 * they fall between two groups.
 */
final class Writes implements CommitPipeline.Committer {

    /** Work that runs alone, between groups, on the leader's thread. */
    interface Action {
        void run() throws IOException;
    }

    private final Layers layers;
    private final LogWriter log;
    private final Point.Hook hook;
    private final LogRecords records = new LogRecords();
    /** The last log sequence given out. */
    private long sequence;
    /** Set by the close action: later groups fail with CLOSED. */
    private boolean closed;
    private final Applier applier = new Applier();

    Writes(Layers layers, LogWriter log, Point.Hook hook, long sequence) {
        this.layers = layers;
        this.log = log;
        this.hook = hook;
        this.sequence = sequence;
    }

    long sequence() {
        return sequence;
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public void commit(List<CommitPipeline.Ticket> group) throws IOException {
        if (closed) {
            throw new StoreFailure(Problem.CLOSED, "the database is closed");
        }
        layers.checkRunning();
        if (group.size() == 1 && group.getFirst().work instanceof Action a) {
            a.run();
            return;
        }
        layers.slowDown();
        long first = sequence + 1;
        try {
            if (log != null) { // step 1
                records.clear();
                boolean force = false;
                long s = first;
                for (CommitPipeline.Ticket t : group) {
                    records.add(s++, (MemorySegment) t.work);
                    force |= t.force;
                }
                log.write(records, force);
                hook.at(Point.LOG_WRITTEN);
                if (force) {
                    log.force();
                }
                hook.at(Point.LOG_FORCED);
            }
            long s = first;
            for (CommitPipeline.Ticket t : group) { // step 2
                t.sequence = s;
                apply((MemorySegment) t.work, s++);
            }
            sequence = s - 1;
            hook.at(Point.APPLIED);
        } catch (IOException | RuntimeException | Error e) {
            layers.stop(e);
            throw e;
        }
        layers.publish(sequence); // step 3
    }

    /**
     * Applies batch {@code seq} to the active memtable, sealing it when an operation does not
     * fit (a batch split there counts whole in the newer memtable: {@link Layer#lastWholeSequence};
     * without a log the older one keeps a copy of it, {@link Layer#splitBatch}).
     * Replay calls it too, one record at a time.
     */
    void apply(MemorySegment batch, long seq) throws IOException {
        applier.batch = batch;
        applier.seq = seq;
        applier.applied = 0;
        applier.metadata.clear();
        BatchFormat.decode(batch, applier);
        Layer l = layers.active();
        l.lastSequence = seq;
        l.lastWholeSequence = seq;
        if (!applier.metadata.isEmpty()) { // the batch is whole here: its metadata joins the layer's
            Map<String, byte[]> m = new HashMap<>(l.metadata);
            m.putAll(applier.metadata);
            l.metadata = Map.copyOf(m);
        }
    }

    /** For replay: the next sequence after records applied outside a group. */
    void advanceTo(long seq) {
        sequence = Math.max(sequence, seq);
    }

    /** The batch operations, into the active memtable. */
    private final class Applier implements BatchFormat.Ops<IOException> {
        /** The batch, and its sequence. */
        MemorySegment batch;
        long seq;
        /** Its operations in the active memtable so far. */
        int applied;
        /** The metadata it sets, in order: the layer's once the whole batch is applied. */
        final Map<String, byte[]> metadata = new LinkedHashMap<>();

        @Override
        public void metadata(MemorySegment name, MemorySegment value) throws StoreFailure {
            String n = CommitMetadata.nameOf(name);
            if (n == null) {
                throw new StoreFailure(Problem.CORRUPT, "batch " + seq + " sets metadata whose name is no metadata name");
            }
            metadata.put(n, value.toArray(ValueLayout.JAVA_BYTE));
        }

        @Override
        public void put(MemorySegment key, MemorySegment value) throws IOException {
            for (int tries = 0; ; tries++) {
                Layer l = layers.active();
                InsertResult r = l.table.put(key, value);
                if (r == InsertResult.INSERTED) {
                    l.keys.add(KeyFilter.hash(key));
                    applied++;
                    return;
                }
                full(r, tries);
            }
        }

        @Override
        public void delete(MemorySegment key) throws IOException {
            for (int tries = 0; ; tries++) {
                try {
                    Layer l = layers.active();
                    l.table.delete(key);
                    l.keys.add(KeyFilter.hash(key)); // a tombstone answers a read too
                    applied++;
                    return;
                } catch (MemtableFullException e) {
                    full(e.result(), tries);
                }
            }
        }

        /** The active memtable refused an operation: seal it (once; a fresh one that refuses is a bug). */
        private void full(InsertResult r, int tries) throws IOException {
            if (tries > 0) {
                throw new StoreFailure(Problem.MEMTABLE_FULL, "a new memtable refused an operation of batch " + seq
                        + " (" + r + "): the batch is larger than a memtable");
            }
            if (applied > 0) {
                Layer l = layers.active();
                l.lastSequence = seq; // it holds part of the batch, which is whole only in the next one
                if (log == null) { // nothing would replay the rest: its flush writes the batch whole
                    l.keepSplit(batch);
                }
            }
            applied = 0;
            layers.seal();
        }
    }
}
