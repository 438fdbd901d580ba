package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.EngineStats;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.WriteDurability;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The engine: memtables in front of the page store, a write-ahead log beside them, a flusher
 * behind. The public {@code Skipstore} is a thin layer over it that checks arguments and
 * translates failures; this class owns the parts and their lifecycle.
 *
 * <pre>
 *  writers ─► CommitPipeline ─► Writes: sequence, LogWriter (write, force), memtable, publish
 *                                          │ full: Layers.seal (stall while maxSealed wait)
 *                                          ▼
 *  readers ─► Layers.acquire ─► ReadState {active, sealed..., StoreView}    Flusher ─► PageStore
 *                                                        ▲                     │ commit, retire,
 *                                                        └─────────────────────┘ trim the log
 * </pre>
 * Files, all inside the directory: the store ({@value #STORE_FILE} and its lock file, which is
 * the database's lock) and the log segments ({@link LogFormat}). Open ({@link Recovery}) takes
 * the store's lock first, so nothing reads the log of a database open elsewhere.
 */
public final class Engine implements AutoCloseable {

    /** The store's file name in the directory. */
    public static final String STORE_FILE = "store.skp";
    /** The store's write buffer pool ({@code PageStoreBuilder#writeBufferPoolBytes}): 1 MiB. */
    public static final long STORE_WRITE_BUFFER_POOL = 1L << 20;

    /**
     * The write buffers a flush holds at most ({@code PageStoreBuilder#transactionBufferBytes}):
     * half the pool, so that a flush takes its buffers from the pool and reuses them, and its
     * memory is the pool's whatever the size of the store. Unbounded, a flush held a buffer per
     * partition it rewrote until its commit: with keys spread over a large store, most of them.
     */
    public static final long FLUSH_BUFFER_BYTES = STORE_WRITE_BUFFER_POOL / 2;

    final Path dir;
    final EngineOptions options;
    final PageStore store;
    final LogWriter log;
    final Layers layers;
    final Writes writes;
    final Flusher flusher;
    final Stalls stalls;
    final long databaseId;
    final Recovery.Report recovery;
    private final CommitPipeline pipeline;
    private final Thread flushThread;
    private volatile boolean closed;

    Engine(Path dir, EngineOptions options, PageStore store, LogWriter log, Layers layers, Writes writes,
           Flusher flusher, Stalls stalls, long databaseId, Recovery.Report recovery) {
        this.dir = dir;
        this.options = options;
        this.store = store;
        this.log = log;
        this.layers = layers;
        this.writes = writes;
        this.flusher = flusher;
        this.stalls = stalls;
        this.databaseId = databaseId;
        this.recovery = recovery;
        this.pipeline = new CommitPipeline(writes, options.maxGroupBytes());
        this.flushThread = Thread.ofPlatform().daemon().name("skipstore-flush " + dir.getFileName())
                .start(flusher);
    }

    /** Opens (or creates) the database in {@code dir}: see {@link Recovery}. */
    public static Engine open(Path dir, EngineOptions options, Point.Hook hook) throws IOException {
        return Recovery.open(dir, options, hook);
    }

    /**
     * The engine's memtables ({@link Layers}): each new one with the engine's settings and the
     * prefix its keys are likely to share as the hint: that of the memtable it replaces
     * ({@code ConcurrentSkipList.Builder#keysLike}), or for the first {@code keyPrefix}
     * (the store's).
     */
    static Function<ConcurrentSkipList, ConcurrentSkipList> memtables(EngineOptions o, byte[] keyPrefix) {
        return previous -> {
            ConcurrentSkipList.Builder b = ConcurrentSkipList.builder().maxMemoryBytes(o.memtableBytes())
                    .shards(o.memtableShards()).whenFull(ConcurrentSkipList.WhenFull.REFUSE);
            return (previous == null ? b.sharedKeyPrefix(keyPrefix) : b.keysLike(previous)).build();
        };
    }

    // ---- writes --------------------------------------------------------------------------------

    /**
     * Commits one encoded batch ({@link BatchFormat}); returns its log sequence once it is as
     * durable as {@code durability} says and visible to every later read.
     */
    public long write(MemorySegment batch, long memtableBytes, WriteDurability durability) throws IOException {
        checkOpen();
        boolean logged = log != null;
        CommitPipeline.Ticket t = new CommitPipeline.Ticket(batch, memtableBytes,
                logged && durability == WriteDurability.SYNC, logged && durability != WriteDurability.NO_SYNC);
        pipeline.commit(t);
        return t.sequence;
    }

    /** Runs {@code action} alone between two write groups, on the leader's thread. */
    private void exclusive(Writes.Action action) throws IOException {
        pipeline.commit(new CommitPipeline.Ticket(action, 0, true, false));
    }

    /**
     * Flushes every write so far into the store and commits it with {@code metadata}, atomically
     * with the last of those writes (see {@link Flusher}); returns when it is durable.
     */
    public void checkpoint(Map<String, byte[]> metadata) throws IOException {
        checkOpen();
        long[] target = new long[1];
        exclusive(() -> {
            Layer a = layers.active();
            if (a.holdsWrites()) {
                layers.seal();
                layers.publish(writes.sequence());
            }
            target[0] = writes.sequence();
        });
        CompletableFuture<Void> done = new CompletableFuture<>();
        flusher.request(new Flusher.Checkpoint(target[0], Map.copyOf(metadata), done));
        await(done);
    }

    /** Forces the log: every write that returned is durable after this. */
    public void sync() throws IOException {
        checkOpen();
        if (log != null) {
            exclusive(log::force); // between groups: the leader owns the log's channel
        }
    }

    private static void await(CompletableFuture<Void> done) throws IOException {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreFailure(Problem.IO, "interrupted while waiting for a flush", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new StoreFailure(io instanceof StoreFailure f ? f.problem() : Problem.IO,
                        "the flush failed: " + io.getMessage(), io);
            }
            throw new StoreFailure(Problem.FAILED_WRITE, "the flush failed: " + c, c);
        }
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** The newest value of {@code key} (a native segment: the store reads native keys), copied; null when absent. */
    public byte[] get(MemorySegment key) {
        Published p = layers.acquire();
        try {
            return Lookup.get(p, key);
        } finally {
            p.state().release();
        }
    }

    public int maxKeyBytes() {
        return store.maxKeyBytes();
    }

    public long maxValueBytes() {
        return store.maxValueBytes();
    }

    /** A consistent view of everything published now, until it is closed. */
    public View view() {
        return new View(layers.acquire(), layers);
    }

    /**
     * The commit metadata as of everything published: the store's (its last flush or checkpoint),
     * then what the batches of the sealed memtables set, oldest first, then the active one's: a
     * map of the caller's own, whose arrays are the engine's (callers that hand them out copy them).
     */
    public SortedMap<String, byte[]> metadata() {
        Published p = layers.acquire();
        try {
            SortedMap<String, byte[]> m = new TreeMap<>(p.state().store.metadata);
            for (Layer l : p.state().sealed.reversed()) {
                m.putAll(l.metadata);
            }
            m.putAll(p.activeMetadata());
            return m;
        } finally {
            p.state().release();
        }
    }

    /** What the engine holds and did since it opened; never waits (not for a flush either). */
    public EngineStats stats() {
        Published p = layers.peek();
        return new EngineStats(p.sequence(), flusher.flushedSequence(), p.state().sealed.size(), layers.memoryBytes(),
                layers.peakBytes(), flusher.flushes(), flusher.flushedEntries(), flusher.flushNanos(), stalls.count(),
                stalls.nanos(), stalls.slowdowns(), stalls.slowdownNanos(), log == null ? 0 : log.bytesWritten(), log == null ? 0 : log.segmentCount(),
                pipeline.meanGroupSize(), storeFileBytes(), recovery.recordsReplayed(), recovery.nanos(),
                recovery.dropped());
    }

    /** The store file's size, read from the file system: the store's own figure waits for its writer, a flush. */
    private long storeFileBytes() {
        try {
            return java.nio.file.Files.size(dir.resolve(STORE_FILE));
        } catch (IOException e) {
            return -1;
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    private void checkOpen() throws StoreFailure {
        if (closed) {
            throw new StoreFailure(Problem.CLOSED, "the database is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the database: later writes fail CLOSED; queued ones finish first. In NO_LOG mode
     * every memtable is flushed first (a clean close loses nothing); otherwise the log is forced
     * and the memtables are replayed at the next open. Open views and cursors fail CLOSED.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            if (log == null) {
                checkpoint(Map.of());
            }
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        try {
            exclusive(() -> {
                writes.markClosed();
                if (log != null) {
                    log.force();
                }
            });
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        flusher.stop();
        try {
            flushThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        layers.close();
        store.close();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Tests only: stops as a killed process would, with no flush, no force and no trim (what was
     * written to files stays, as the kernel keeps it), releasing the files so that the database
     * can be opened again in this process.
     */
    public void crash() throws IOException {
        closed = true;
        layers.stop(new StoreFailure(Problem.CLOSED, "crashed"));
        flusher.stop();
        try {
            flushThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (log != null) {
            log.close();
        }
        layers.close();
        store.close();
    }

    /** Copies the value of entry {@code e} (a memtable's). */
    static byte[] value(Entry e) {
        return e.value().toArray(ValueLayout.JAVA_BYTE);
    }
}
