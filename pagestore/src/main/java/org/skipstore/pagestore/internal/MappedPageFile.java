package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * A {@link PageFile} on a memory-mapped file, in the manner of Lucene's
 * {@code MemorySegmentIndexInput}: one mapping per {@linkplain Chunks chunk}, all in one shared
 * {@link Arena} that {@link #close()} closes, so that a thread still reading a closed file gets
 * {@link IllegalStateException} and never a crash. Growth maps a new chunk and never remaps an old
 * one: segments handed out stay valid while the file lives.
 *
 * <p>It holds the store's {@link StoreLock} for as long as it is open and releases it last, after
 * the mapping and the channel: never a moment when another open could write what this one maps.
 */
public final class MappedPageFile extends ChunkedPageFile {

    private final Path path;
    private final FileChannel channel;
    /** The store's hold ({@link StoreLock}); null for a file being created under its name's. */
    private final StoreLock lock;
    private final Arena arena = Arena.ofShared();

    private MappedPageFile(Path path, int pageSize, FileChannel channel, StoreLock lock) {
        super(pageSize);
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Maps the first {@code pageCount} pages (a capacity) of the file open in {@code channel},
     * which may be shorter: its {@link #length()} is what it holds, and the rest of the mapping
     * waits for writes. The file owns the channel and the lock (null for a file no other open can
     * reach, as a store being created under the name's lock) from then on, also when this method
     * throws.
     */
    static MappedPageFile open(Path path, FileChannel channel, StoreLock lock, int pageSize, long pageCount)
            throws IOException {
        try {
            if (!Chunks.isCapacity(pageCount)) {
                throw new IllegalArgumentException("not a page count of the chunk scheme: " + pageCount);
            }
            MappedPageFile file = new MappedPageFile(path, pageSize, channel, lock);
            file.lengthAtLeast(Math.min(pageCount, channel.size() >> file.pageShift));
            file.grow(pageCount);
            return file;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
            throw e;
        }
    }

    /** Opens {@code path} for reading and writing, creating it when {@code create}. */
    static FileChannel channel(Path path, boolean create) throws IOException {
        try {
            return create
                    ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            throw e;
        } catch (java.nio.file.FileSystemException e) { // permission denied, immutable, read-only file system
            throw notWritable(path + " cannot be opened for reading and writing", e);
        }
    }

    /** {@link Problem#NOT_WRITABLE}: {@code what}, and the file system's reason. */
    static StoreFailure notWritable(String what, java.nio.file.FileSystemException e) {
        return new StoreFailure(Problem.NOT_WRITABLE, what + " ("
                + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()) + ")", e);
    }

    private void mapUpTo(long pages) throws IOException {
        // Read-only: blocks are written through the channel, never stored into the mapping, and
        // every segment a reader gets from it is read-only with no copy of its own.
        extendTo(pages, (offset, bytes) -> channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes, arena));
    }

    public Path path() {
        return path;
    }

    /** Bytes of the file on disk (at least {@link #length()} pages). */
    public long fileSize() throws IOException {
        return channel.size();
    }

    /** Synchronized with {@link #grow}, which lengthens the file for a moment (see there). */
    @Override
    public synchronized void write(long page, MemorySegment src) throws IOException {
        long pages = src.byteSize() >> pageShift;
        if (page < 0 || page + pages > pageCount() || (src.byteSize() & (pageSize - 1)) != 0) {
            throw new IndexOutOfBoundsException(src.byteSize() + " bytes at page " + page + " of a file of " + pageCount());
        }
        ByteBuffer b = src.asByteBuffer();
        long pos = page << pageShift;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
        lengthAtLeast(page + pages);
    }

    /** Bytes gathered into one write ({@link #write(long, List)}). */
    public static final int GATHER_BYTES = 1 << 20;
    /** The buffer those writes are gathered in; made at the first. */
    private MemorySegment gather;

    /**
     * Copies the parts into one buffer and writes it with one {@code pwrite} per
     * {@link #GATHER_BYTES}: a write call costs a few microseconds whatever its size here (112 k
     * blocks of a flush took 300-500 ms one by one), a copy of the same bytes far less.
     */
    @Override
    public synchronized void write(long page, List<MemorySegment> parts) throws IOException {
        if (gather == null) {
            gather = arena.allocate(GATHER_BYTES, pageSize);
        }
        long at = page;
        long filled = 0;
        for (MemorySegment part : parts) {
            if (filled + part.byteSize() > GATHER_BYTES) {
                if (filled > 0) {
                    write(at, gather.asSlice(0, filled));
                    at += filled >> pageShift;
                    filled = 0;
                }
                if (part.byteSize() > GATHER_BYTES) {
                    write(at, part);
                    at += part.byteSize() >> pageShift;
                    continue;
                }
            }
            MemorySegment.copy(part, 0, gather, filled, part.byteSize());
            filled += part.byteSize();
        }
        if (filled > 0) {
            write(at, gather.asSlice(0, filled));
        }
    }

    /**
     * Maps the chunks up to {@code newPageCount} and leaves the file's length as it was. Mapping
     * past the end of a file lengthens it ({@link FileChannel#map} does, for a channel open for
     * writing), so the length is cut back at once: the file holds what was written, and a page of
     * the mapping past its end is never read (no state uses one before it is written). A crash
     * between the two leaves a longer file, which open accepts. Under this object's lock, so no
     * write that lengthens the file runs in between.
     */
    @Override
    public synchronized void grow(long newPageCount) throws IOException {
        if (!Chunks.isCapacity(newPageCount) || newPageCount <= pageCount()) {
            throw new IllegalArgumentException("cannot grow " + pageCount() + " pages to " + newPageCount);
        }
        long size = channel.size();
        try {
            mapUpTo(newPageCount);
        } catch (IOException e) { // a file size limit, or no address space
            throw new StoreFailure(Problem.NO_SPACE, "cannot grow " + path + ": mapping it up to "
                    + (newPageCount << pageShift) + " bytes failed: " + e.getMessage(), e);
        } finally {
            if (channel.size() > size) {
                channel.truncate(size);
            }
        }
    }

    /**
     * fdatasync(2): every dirty page of the file written back, then one barrier (on ext4 a journal
     * commit when the file's metadata needs one, else a disk cache flush). Not msync of the
     * written ranges: each msync is a barrier of its own, so a commit of k scattered blocks would
     * pay k of them, and the ranges would also have to cover every block that earlier unforced
     * commits wrote (measured in {@code ForceBenchmark}; see the notes).
     */
    @Override
    public void force() throws IOException {
        channel.force(false);
    }

    /**
     * Unmaps the file, closes it and releases its lock. Also after the channel was closed under us
     * (a thread interrupted in a write or force closes a {@link FileChannel} for every thread; the
     * pager is poisoned then, the mappings must still go, and the lock, on a file of its own,
     * was held all along).
     */
    @Override
    public synchronized void close() throws IOException {
        if (!arena.scope().isAlive()) {
            return;
        }
        try {
            arena.close();
        } finally {
            try {
                channel.close();
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        }
    }
}
