package org.skipstore.pagestore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.Chunks;
import org.skipstore.pagestore.internal.MemoryPageFile;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.WriteTxn;
import org.skipstore.pagestore.internal.bskip.Levels;
import org.skipstore.pagestore.internal.bskip.Tree;

/**
 * Options for opening a {@link PageStore}, from {@link PageStore#builder()}:
 *
 * <pre>{@code
 * PageStore store = PageStore.builder().durability(Durability.NO_SYNC).maxSize(1L << 30).open(path);
 * }</pre>
 */
public final class PageStoreBuilder {
    private int pageSize;
    private Durability durability = Durability.SYNC;
    private int promotion = PageStore.DEFAULT_PROMOTION;
    private long preallocate;
    private long maxSize = Long.MAX_VALUE;
    private boolean create = true;
    private Long seed;
    private boolean checkedSegments;
    private long writeBufferPool = PageStore.DEFAULT_WRITE_BUFFER_POOL;
    private long transactionBuffers = PageStore.DEFAULT_TRANSACTION_BUFFERS;

    PageStoreBuilder() {
    }

    /**
     * Bytes per page, a power of two from 512 to 1 MiB; default {@value PageStore#DEFAULT_PAGE_SIZE}
     * for a new store, and the store's own for an existing one.
     */
    public PageStoreBuilder pageSize(int bytes) {
        this.pageSize = bytes;
        return this;
    }

    /** What a commit promises about a crash; default {@link Durability#SYNC}. */
    public PageStoreBuilder durability(Durability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * The promotion probability {@code 1/b} of the B-skip-list, fixed when the store is
     * created: a partition holds about {@code b} nodes. Default {@value PageStore#DEFAULT_PROMOTION}.
     */
    public PageStoreBuilder promotion(int b) {
        if (b < 2 || b > 0xFFFF) {
            throw new IllegalArgumentException("promotion probability 1/" + b + ": b must be 2..65535");
        }
        this.promotion = b;
        return this;
    }

    /** Grows the file to at least this many bytes at open (written, so the space is there). */
    public PageStoreBuilder preallocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative preallocation " + bytes);
        }
        this.preallocate = bytes;
        return this;
    }

    /**
     * The file never grows past this many bytes: a write transaction that needs more fails
     * with {@link Problem#NO_SPACE} and can only be aborted (nothing committed is lost).
     * Default: no limit. The file grows by the blocks written into it, so it stops where the
     * next block would pass the limit.
     *
     * <p>{@link #open} refuses a limit that could not hold, with an
     * {@link IllegalArgumentException} naming both sizes: below the smallest store (16 pages),
     * below the size the file has already (a file never shrinks), or below what
     * {@link #preallocate} would grow it to. Nothing is created or changed then.
     *
     * <p>Space freed by deletes is reused. In {@link Durability#NO_SYNC} (and {@code GROUP})
     * a commit's freed blocks wait for the next checkpoint; a store that reaches its limit
     * makes that checkpoint itself, so a full store still takes deletes. Blocks that open read
     * transactions still read are not reused until they close; the {@code NO_SPACE} message
     * says how much is free and how much is held.
     */
    public PageStoreBuilder maxSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maximum size " + bytes);
        }
        this.maxSize = bytes;
        return this;
    }

    /** Whether {@link #open} creates a missing file (default true). */
    public PageStoreBuilder createIfMissing(boolean create) {
        this.create = create;
        return this;
    }

    /**
     * Whether every segment a transaction hands out ({@link Transaction#get(MemorySegment)},
     * {@link Cursor#key()} and {@link Cursor#value()}, a scan's {@link Transaction.Visitor})
     * is a copy that dies with it, so that a read after its lifetime throws
     * {@link IllegalStateException} instead of showing whatever the pages hold by then:
     * a mode for tests and debugging, default false.
     *
     * <p>The copies die when the transaction closes, commits or aborts; in a write
     * transaction also at its next change (put or delete), as its views would; a scan's
     * when the scan returns (not at the end of each call, which would take an arena per
     * entry). The cost: each segment handed out is copied (a 16 MiB value too), into
     * native memory held until then (a scan holds all it visited until it returns), and a
     * transaction or scan that handed any out closes a shared arena when it ends, which
     * takes microseconds (a handshake with the JVM's threads). The {@code byte[]} point
     * reads ({@code get}, {@code keyBytes}, {@code valueBytes}) copy once, as in the default
     * mode. Without it, segments are views of the pages, readable after their lifetime but
     * perhaps showing later data ({@link Transaction}, "Segment lifetime").
     */
    public PageStoreBuilder checkedSegments(boolean checked) {
        this.checkedSegments = checked;
        return this;
    }

    /**
     * Bytes of write buffers the store keeps between transactions, for the next ones to reuse;
     * default {@value PageStore#DEFAULT_WRITE_BUFFER_POOL} (16 MiB). A transaction writes each
     * block it changes into a buffer first; what it takes past the pool is freed when it ends.
     * Small transactions are quicker from the pool; a store written in large transactions only
     * (an engine's flushes) loses little with a small pool and keeps less memory.
     */
    public PageStoreBuilder writeBufferPoolBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("writeBufferPoolBytes " + bytes + " is negative");
        }
        this.writeBufferPool = bytes;
        return this;
    }

    /**
     * Bytes of write buffers one transaction holds at most; default
     * {@value PageStore#DEFAULT_TRANSACTION_BUFFERS} (64 MiB), 0 for no bound. Past them, a change
     * first writes the blocks the transaction changed least recently to the file, ahead of its
     * commit, and gives their buffers back (as LMDB spills dirty pages); a block changed again is
     * read back. Nothing is committed early: the blocks are new ones that no committed state
     * uses, and a crash before the commit leaves the last commit as it was. Without a bound a
     * transaction that rewrites much of a large store (an engine's flush) holds a buffer per
     * block it changed until its commit.
     */
    public PageStoreBuilder transactionBufferBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("transactionBufferBytes " + bytes + " is negative");
        }
        this.transactionBuffers = bytes;
        return this;
    }

    /** The hash seed of the levels for a new store; default random. */
    public PageStoreBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Opens (or creates) the store file at {@code path}, recovering the last commit a crash
     * left whole.
     *
     * @throws SkipstoreException naming the {@link Problem}: not a store, corrupt, truncated,
     *                             another page size, locked by another open, not found (with
     *                             {@link #createIfMissing(boolean) createIfMissing(false)}), ...
     */
    public PageStore open(Path path) {
        Objects.requireNonNull(path, "path");
        if (pageSize != 0 || !Files.exists(path)) { // before a new file is made
            checkMaxSize(Chunks.MIN_PAGES * (pageSize == 0 ? PageStore.DEFAULT_PAGE_SIZE : pageSize), "the smallest store");
        }
        Pager pager;
        try {
            pager = pageSize == 0
                    ? PageFiles.openRecorded(path, PageStore.DEFAULT_PAGE_SIZE, durability, create, Pager.Hook.NONE)
                    : PageFiles.open(path, pageSize, durability, create, Pager.Hook.NONE);
        } catch (IOException | RuntimeException e) {
            throw Failures.translate(null, path.toString(), e);
        }
        return on(pager, path.toString());
    }

    /** A store in memory only, for tests and scratch data: nothing survives {@link PageStore#close()}. */
    public PageStore openInMemory() {
        int size = pageSize == 0 ? PageStore.DEFAULT_PAGE_SIZE : pageSize;
        checkMaxSize(Chunks.MIN_PAGES * size, "the smallest store");
        try {
            return on(Pager.create(new MemoryPageFile(size), durability, Pager.Hook.NONE), "(in memory)");
        } catch (IOException e) {
            throw Failures.translate(null, "(in memory)", e);
        }
    }

    /** A store on a pager the caller made (tests: fault-injecting files); closes the pager when it fails. */
    PageStore on(Pager pager, String name) {
        try {
            if (maxSize != Long.MAX_VALUE) {
                checkMaxSize(pager.file().length() * pager.pageSize(), "the file's size");
                long pages = (preallocate + pager.pageSize() - 1) / pager.pageSize();
                checkMaxSize(pages * pager.pageSize(), "the size preallocate(" + preallocate + ") grows the file to");
                pager.limitPages(maxSize / pager.pageSize());
            }
            if (preallocate > 0) {
                pager.preallocate((preallocate + pager.pageSize() - 1) / pager.pageSize());
            }
            pager.limitWriteBufferPool(writeBufferPool);
            pager.limitTransactionBuffers(transactionBuffers);
            return new PageStore(pager, levelsOf(pager), name, checkedSegments);
        } catch (IOException | RuntimeException e) {
            try {
                pager.close();
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
            throw Failures.translate(null, name, e);
        }
    }

    /** Refuses a {@link #maxSize} below {@code bytes}, which {@code what} names. */
    private void checkMaxSize(long bytes, String what) {
        if (maxSize < bytes) {
            throw new IllegalArgumentException("maxSize(" + maxSize + ") is below " + what + ", " + bytes
                    + " bytes: the limit could not hold");
        }
    }

    /** The levels of the store: from its root words, or (a new store) set now. */
    private Levels levelsOf(Pager pager) throws IOException {
        long format = pager.committed().root(Tree.ROOT_FORMAT);
        if (format == 0) {
            for (int i = 0; i <= Tree.ROOT_SEED; i++) {
                if (pager.committed().root(i) != 0) {
                    throw new SkipstoreException(Problem.CORRUPT, "the store has data but no B-skip-list format word");
                }
            }
            long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            try (WriteTxn txn = pager.begin()) {
                txn.setRoot(Tree.ROOT_FORMAT, Tree.formatWord(promotion));
                txn.setRoot(Tree.ROOT_SEED, s);
                txn.commit();
            }
            return new Levels(s, promotion);
        }
        if (format >>> 32 != Tree.FORMAT_MAGIC) {
            throw new SkipstoreException(Problem.NOT_A_STORE, "the file holds another structure than a B-skip-list");
        }
        int version = (int) (format >>> 16 & 0xFFFF);
        if (version != Tree.FORMAT_VERSION) {
            throw new SkipstoreException(Problem.VERSION, "B-skip-list format version " + version + ", this code reads "
                    + Tree.FORMAT_VERSION);
        }
        int b = (int) (format & 0xFFFF);
        if (b < 2) {
            throw new SkipstoreException(Problem.CORRUPT, "promotion probability 1/" + b + " in the format word");
        }
        return new Levels(pager.committed().root(Tree.ROOT_SEED), b);
    }
}
