package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.skipstore.core.Entry;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.WriteTransaction;
import org.skipstore.pagestore.internal.CommitMetadata;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * Moves sealed memtables into the store, oldest first, on a thread of its own.
 *
 * <h2>One flush ({@link #flush})</h2>
 * A flush takes every sealed memtable waiting (one when the flusher keeps up; up to
 * {@code maxSealed} when it falls behind), so that a partition their keys share is copied,
 * merged and written once for all of them: the cost of a flush is mostly the partitions it
 * rewrites, and with random keys almost every partition takes a key from each memtable.
 * <ol>
 *   <li>One store write transaction: for each memtable, oldest first, every key in key order
 *       with its newest version, a put or, for a tombstone, a delete (a newer memtable's
 *       version of a key replaces an older one's; the store keeps no tombstones and one version
 *       a key: older versions that open snapshots still read stay in the memtables and the
 *       store state those snapshots hold). Commit metadata {@link #FLUSHED}: the newest
 *       memtable's {@link Layer#lastWholeSequence}; the metadata its batches set
 *       ({@link Layer#metadata}) and that of the checkpoints it satisfies, each after the memtable
 *       that completes it. Without a log, a memtable that ends inside a batch has a copy of it
 *       ({@link Layer#splitBatch}), written whole after its entries, and when it is the newest,
 *       {@link #FLUSHED} is that batch's sequence. ({@link Point#FLUSH_WRITTEN})</li>
 *   <li>Commit, durable whatever the write mode ({@link Point#FLUSH_COMMITTED}).</li>
 *   <li>A read state on the store's new state without the memtables ({@link Layers#retire};
 *       {@link Point#FLUSH_PUBLISHED}); each is freed once its last reader leaves.</li>
 *   <li>Delete the log segments wholly at or below the flushed sequence ({@link Point#LOG_TRIMMED}).</li>
 * </ol>
 * A crash anywhere recovers the same writes: before step 2 the log still has them all; after
 * it, replay starts above the flushed sequence, and segments left undeleted are skipped.
 *
 * <h2>Checkpoints</h2>
 * A checkpoint seals the active memtable (between two write groups) and asks for every write
 * up to its sequence to be flushed, with its metadata in the commit that completes that: the
 * metadata is never durable before the writes it describes. With nothing left to flush it
 * commits the metadata alone.
 *
 * <p>A flush that fails stops the engine's writes ({@link Layers#stop}): the memtables would
 * pile up, and what reached the store is whatever its own commit left, which recovery handles.
 * When the flusher ends (a failure, or the close) it fails every queued checkpoint, and a
 * checkpoint asked for later fails at once ({@link #request}).
 */
final class Flusher implements Runnable {

    /** Commit metadata: the last log sequence the store holds, 8 bytes big-endian. */
    static final String FLUSHED = "skipstore.engine.flushed";

    /** A checkpoint asked for: its writes up to {@code sequence} flushed, then {@code metadata} committed. */
    record Checkpoint(long sequence, Map<String, byte[]> metadata, CompletableFuture<Void> done) {
    }

    private final PageStore store;
    private final Layers layers;
    private final LogWriter log;
    private final Point.Hook hook;
    private final ConcurrentLinkedQueue<Checkpoint> checkpoints = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    /** Why the flusher ended (its failure, or the close); null while it runs. Set before it fails the queued checkpoints. */
    private volatile Throwable ended;
    private volatile long flushedSequence;
    private final LongAdder flushes = new LongAdder();
    private final LongAdder flushedEntries = new LongAdder();
    private final LongAdder flushNanos = new LongAdder();

    Flusher(PageStore store, Layers layers, LogWriter log, Point.Hook hook, long flushedSequence) {
        this.store = store;
        this.layers = layers;
        this.log = log;
        this.hook = hook;
        this.flushedSequence = flushedSequence;
    }

    @Override
    public void run() {
        Throwable why = null;
        try {
            while (!stopping) {
                List<Layer> sealed = layers.awaitSealed(TimeUnit.MILLISECONDS.toNanos(50));
                if (!sealed.isEmpty()) {
                    flush(sealed);
                } else if (!checkpoints.isEmpty()) {
                    commitMetadata();
                }
            }
        } catch (InterruptedException e) {
            // close: stopping is set
        } catch (IOException | RuntimeException | Error e) {
            why = e;
            layers.stop(e);
        } finally {
            ended = why != null ? why : new StoreFailure(Problem.CLOSED, "the database closed before the flush");
            failCheckpoints(ended);
        }
    }

    /** Flushes sealed memtable {@code l}, the oldest (steps 1-4). */
    void flush(Layer l) throws IOException {
        flush(List.of(l));
    }

    /** Flushes sealed memtables {@code ls}, the oldest ones, oldest first (steps 1-4). */
    void flush(List<Layer> ls) throws IOException {
        long start = System.nanoTime();
        FlushEvent event = new FlushEvent();
        event.begin();
        long[] counts = new long[2]; // entries, tombstones
        Layer newest = ls.getLast();
        long seq = newest.splitBatch == null ? newest.lastWholeSequence : newest.lastSequence;
        List<Checkpoint> done = satisfied(seq);
        try (WriteTransaction t = store.write()) {
            boolean[] written = new boolean[done.size()];
            for (Layer l : ls) { // step 1
                write(t, l, counts);
                putCheckpoints(t, done, written, l.splitBatch == null ? l.lastWholeSequence : l.lastSequence);
            }
            t.putMetadata(FLUSHED, Sequences.bytes(seq));
            hook.at(Point.FLUSH_WRITTEN);
            t.commit(); // step 2
        }
        flushedSequence = seq;
        hook.at(Point.FLUSH_COMMITTED);
        layers.retire(ls, new StoreView(store.read(), seq)); // step 3
        hook.at(Point.FLUSH_PUBLISHED);
        int deleted = log == null ? 0 : log.deleteThrough(seq); // step 4
        hook.at(Point.LOG_TRIMMED);
        flushes.increment(); // counted before the checkpoints return: their callers read the stats next
        flushedEntries.add(counts[0]);
        flushNanos.add(System.nanoTime() - start);
        if (event.shouldCommit()) {
            event.memtable = newest.id;
            event.memtables = ls.size();
            event.entries = counts[0];
            event.tombstones = counts[1];
            event.memtableBytes = ls.stream().mapToLong(l -> l.table.memoryUsage()).sum();
            event.flushedSequence = seq;
            event.segmentsDeleted = deleted;
            event.commit();
        }
        complete(done);
    }

    /** Step 1 for memtable {@code l}: its keys' newest versions, then its split batch; counts into {@code counts}. */
    private static void write(WriteTransaction t, Layer l, long[] counts) throws IOException {
        for (Entry e : l.table) {
            if (e.isTombstone()) {
                t.delete(e.key());
                counts[1]++;
            } else {
                t.put(e.key(), e.value());
            }
            counts[0]++;
        }
        l.metadata.forEach(t::putMetadata); // its whole batches'
        if (l.splitBatch != null) { // no log: the rest of the batch, over its first part (later operations win)
            BatchFormat.decode(l.splitBatch, new BatchFormat.Ops<IOException>() {
                @Override
                public void put(MemorySegment key, MemorySegment value) {
                    t.put(key, value);
                }

                @Override
                public void delete(MemorySegment key) {
                    t.delete(key);
                }

                @Override
                public void metadata(MemorySegment name, MemorySegment value) throws StoreFailure {
                    String n = CommitMetadata.nameOf(name);
                    if (n == null) {
                        throw new StoreFailure(Problem.CORRUPT, "a split batch sets metadata whose name is no metadata name");
                    }
                    t.putMetadata(n, value.toArray(ValueLayout.JAVA_BYTE));
                }
            });
        }
    }

    /** A checkpoint with nothing left to flush: its metadata, committed alone. */
    private void commitMetadata() throws IOException {
        long seq = flushedSequence;
        List<Checkpoint> done = satisfied(seq);
        if (done.isEmpty()) {
            return;
        }
        try (WriteTransaction t = store.write()) {
            t.putMetadata(FLUSHED, Sequences.bytes(seq));
            putCheckpoints(t, done, new boolean[done.size()], seq);
            t.commit();
        }
        layers.replaceStore(new StoreView(store.read(), seq));
        complete(done);
    }

    /**
     * The metadata of the checkpoints in {@code done} that writes up to {@code through} satisfy and
     * that are not {@code written} yet, in request order (a later checkpoint's value wins). A flush
     * puts them right after the memtable that completes them, so that a batch's metadata after the
     * checkpoint, in a newer memtable of the same flush, wins over the checkpoint's.
     */
    private static void putCheckpoints(WriteTransaction t, List<Checkpoint> done, boolean[] written, long through) {
        for (int i = 0; i < done.size(); i++) {
            if (!written[i] && done.get(i).sequence() <= through) {
                done.get(i).metadata().forEach(t::putMetadata);
                written[i] = true;
            }
        }
    }

    /** The queued checkpoints that a commit holding writes up to {@code seq} satisfies, in order. */
    private List<Checkpoint> satisfied(long seq) {
        List<Checkpoint> out = new ArrayList<>();
        for (Checkpoint c : checkpoints) {
            if (c.sequence() <= seq) {
                out.add(c);
            }
        }
        return out;
    }

    private void complete(List<Checkpoint> done) {
        for (Checkpoint c : done) {
            checkpoints.remove(c);
            c.done().complete(null);
        }
    }

    private void failCheckpoints(Throwable e) {
        for (Checkpoint c; (c = checkpoints.poll()) != null; ) {
            c.done().completeExceptionally(e);
        }
    }

    /** Queues a checkpoint; the flusher thread completes it, or it fails at once when that thread has ended. */
    void request(Checkpoint c) {
        checkpoints.add(c);
        Throwable e = ended;
        if (e != null) {
            // the flusher ended before it could see c (its failure may come just after the seal
            // that c waits for): nobody else will complete it. Queued first, then read: either
            // this sees ended or the flusher's last failCheckpoints sees c.
            failCheckpoints(e);
        }
        layers.wake();
    }

    void stop() {
        stopping = true;
        layers.wake();
    }

    long flushedSequence() {
        return flushedSequence;
    }

    long flushes() {
        return flushes.sum();
    }

    long flushedEntries() {
        return flushedEntries.sum();
    }

    long flushNanos() {
        return flushNanos.sum();
    }
}
