package org.skipstore.pagestore;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import org.skipstore.pagestore.internal.MappedPageFile;
import org.skipstore.pagestore.internal.engine.Engine;
import org.skipstore.pagestore.internal.engine.EngineOptions;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * Options for opening a {@link Skipstore}; {@link #open(Path)} opens it.
 *
 * <pre>{@code
 * try (Skipstore db = Skipstore.builder().durability(WriteDurability.GROUP).memtableBytes(64 << 20).open(dir)) { ... }
 * }</pre>
 */
public final class SkipstoreBuilder {

    /** The default memtable size: 64 MiB. */
    public static final long DEFAULT_MEMTABLE_BYTES = 64L << 20;
    /** The default number of sealed memtables that may wait for a flush before writers stall. */
    public static final int DEFAULT_MAX_SEALED = 2;
    /** The default log segment size: 64 MiB. */
    public static final long DEFAULT_LOG_SEGMENT_BYTES = 64L << 20;

    private long memtableBytes = DEFAULT_MEMTABLE_BYTES;
    private int maxSealed = DEFAULT_MAX_SEALED;
    private WriteDurability durability = WriteDurability.GROUP;
    private long logSegmentBytes = DEFAULT_LOG_SEGMENT_BYTES;
    private Set<PosixFilePermission> filePermissions = PosixFilePermissions.fromString("rw-------");
    private boolean openAtLastConsistentPoint;
    private int pageSize = PageStore.DEFAULT_PAGE_SIZE;
    private boolean createIfMissing = true;
    private int memtableShards = Math.min(8, Runtime.getRuntime().availableProcessors());
    private Point.Hook hook = Point.Hook.NONE;

    SkipstoreBuilder() {
    }

    /**
     * A memtable's memory (default 64 MiB, at least 1 MiB); a full one is sealed and flushed
     * while a new one takes the writes. At most {@code 1 + maxSealedMemtables} exist at once.
     */
    public SkipstoreBuilder memtableBytes(long bytes) {
        if (bytes < (1 << 20)) {
            throw new IllegalArgumentException("memtableBytes " + bytes + " is below 1 MiB");
        }
        this.memtableBytes = bytes;
        return this;
    }

    /** Sealed memtables that may wait for a flush (default 2, 1 to 16); one more and writers wait. */
    public SkipstoreBuilder maxSealedMemtables(int n) {
        if (n < 1 || n > 16) {
            throw new IllegalArgumentException("maxSealedMemtables " + n + " is not in [1, 16]");
        }
        this.maxSealed = n;
        return this;
    }

    /** The database's durability (default {@link WriteDurability#GROUP}). */
    public SkipstoreBuilder durability(WriteDurability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /** A log segment's size before the next starts (default 64 MiB, at least 64 KiB). */
    public SkipstoreBuilder logSegmentBytes(long bytes) {
        if (bytes < (64 << 10)) {
            throw new IllegalArgumentException("logSegmentBytes " + bytes + " is below 64 KiB");
        }
        this.logSegmentBytes = bytes;
        return this;
    }

    /**
     * The permissions of the files the database creates (default {@code rw-------}, as LMDB's
     * {@code mode}); a directory it creates gets them plus search where they allow reading.
     */
    public SkipstoreBuilder filePermissions(Set<PosixFilePermission> permissions) {
        Objects.requireNonNull(permissions, "permissions");
        if (!permissions.contains(PosixFilePermission.OWNER_READ) || !permissions.contains(PosixFilePermission.OWNER_WRITE)) {
            throw new IllegalArgumentException("the owner must be able to read and write: " + permissions);
        }
        this.filePermissions = Set.copyOf(permissions);
        return this;
    }

    /** {@link #filePermissions(Set)} as {@code ls} shows them, for example {@code "rw-r-----"}. */
    public SkipstoreBuilder filePermissions(String permissions) {
        return filePermissions(PosixFilePermissions.fromString(permissions));
    }

    /**
     * Whether a log damaged other than at its tail (a crash's torn last record is always dropped)
     * opens at its last consistent point, setting the damaged segments aside as
     * {@code *.dropped} files and saying what was dropped ({@link Skipstore#stats()}, the
     * {@code System.Logger}), instead of failing with {@code CORRUPT} (the default).
     */
    public SkipstoreBuilder openAtLastConsistentPoint(boolean open) {
        this.openAtLastConsistentPoint = open;
        return this;
    }

    /** The store's page size when it is created (see {@link PageStoreBuilder#pageSize}); an existing one keeps its own. */
    public SkipstoreBuilder pageSize(int bytes) {
        if (Integer.bitCount(bytes) != 1 || bytes < 512 || bytes > 65536) {
            throw new IllegalArgumentException("pageSize " + bytes + " is not a power of two in [512, 65536]");
        }
        this.pageSize = bytes;
        return this;
    }

    /** Whether to create the directory and the database when missing (default true). */
    public SkipstoreBuilder createIfMissing(boolean create) {
        this.createIfMissing = create;
        return this;
    }

    /** Arena shards of each memtable (default: the processors, at most 8). */
    public SkipstoreBuilder memtableShards(int shards) {
        if (shards < 1 || shards > 64) {
            throw new IllegalArgumentException("memtableShards " + shards + " is not in [1, 64]");
        }
        this.memtableShards = shards;
        return this;
    }

    /** Tests: a hook called at each {@link Point} of the write and flush paths. */
    SkipstoreBuilder hook(Point.Hook hook) {
        this.hook = Objects.requireNonNull(hook, "hook");
        return this;
    }

    /**
     * About the most native memory a database opened with these options holds, outside the page
     * cache of its files: its memtables ({@code 1 + maxSealedMemtables} of {@link #memtableBytes}),
     * its store's pool of write buffers (1 MiB), within which a flush stays whatever the size of
     * the store (it writes blocks ahead of its commit past half of it: see
     * {@link PageStoreBuilder#transactionBufferBytes}), the buffer its store's file gathers
     * writes in (1 MiB), and 512 KiB for the small ones (a flush's scratch, key buffers, the
     * alignment of the memtables' chunks: 0.2 MiB in all in a restore of a million keys). Not
     * counted: the caller's own
     * {@link WriteBatch}es; with {@link WriteDurability#NO_LOG}, a copy of the batch that a seal
     * splits across two memtables, kept with the older until its flush (up to
     * {@code maxSealedMemtables} of them); and a buffer of its own for each value larger than the
     * pool while it is flushed.
     */
    public long memoryBytes() {
        return (1L + maxSealed) * memtableBytes + Engine.STORE_WRITE_BUFFER_POOL + MappedPageFile.GATHER_BYTES
                + (512 << 10);
    }

    /** Opens the database in directory {@code dir}. */
    public Skipstore open(Path dir) {
        Objects.requireNonNull(dir, "dir");
        EngineOptions o = options();
        return Skipstore.open(dir, o, hook);
    }

    EngineOptions options() {
        return new EngineOptions(memtableBytes, maxSealed, durability, logSegmentBytes, filePermissions,
                openAtLastConsistentPoint, pageSize, createIfMissing, memtableShards);
    }
}
