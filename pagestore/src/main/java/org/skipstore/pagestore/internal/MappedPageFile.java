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

    private MappedPageFile(Path path, int pageSize, FileChannel channel, StoreLock lock, long pageCount)
            throws IOException {
        super(pageSize);
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        mapUpTo(pageCount);
    }

    /**
     * Maps the first {@code pageCount} pages (a capacity) of the file open in {@code channel}; a
     * shorter file is grown to it. The file owns the channel and the lock (null for a file no
     * other open can reach, as a store being created under the name's lock) from then on, also
     * when this method throws.
     */
    static MappedPageFile open(Path path, FileChannel channel, StoreLock lock, int pageSize, long pageCount)
            throws IOException {
        try {
            if (!Chunks.isCapacity(pageCount)) {
                throw new IllegalArgumentException("not a page count of the chunk scheme: " + pageCount);
            }
            long bytes = pageCount << Integer.numberOfTrailingZeros(pageSize);
            if (channel.size() < bytes) {
                zeroFill(channel, channel.size(), bytes, pageSize);
                channel.force(true);
            }
            return new MappedPageFile(path, pageSize, channel, lock, pageCount);
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

    /** Writes zeros over {@code [from, to)}, so that the disk blocks exist before they are mapped. */
    private static void zeroFill(FileChannel channel, long from, long to, int pageSize) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(Math.max(pageSize, 1 << 20));
        long pos = from;
        while (pos < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - pos));
            pos += channel.write(zeros, pos);
        }
    }

    private void mapUpTo(long pages) throws IOException {
        // Read-only: blocks are written through the channel, never stored into the mapping, and
        // every segment a reader gets from it is read-only with no copy of its own.
        extendTo(pages, (offset, bytes) -> channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes, arena));
    }

    public Path path() {
        return path;
    }

    /** Bytes of the file on disk (at least {@link #pageCount()} pages). */
    public long fileSize() throws IOException {
        return channel.size();
    }

    @Override
    public void write(long page, MemorySegment src) throws IOException {
        long pages = src.byteSize() >> pageShift;
        if (page < 0 || page + pages > pageCount() || (src.byteSize() & (pageSize - 1)) != 0) {
            throw new IndexOutOfBoundsException(src.byteSize() + " bytes at page " + page + " of a file of " + pageCount());
        }
        ByteBuffer b = src.asByteBuffer();
        long pos = page << pageShift;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
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

    @Override
    public synchronized void grow(long newPageCount) throws IOException {
        if (!Chunks.isCapacity(newPageCount) || newPageCount <= pageCount()) {
            throw new IllegalArgumentException("cannot grow " + pageCount() + " pages to " + newPageCount);
        }
        long from = pageCount() << pageShift;
        long to = newPageCount << pageShift;
        if (channel.size() < to) {
            // Sparse: blocks are written through the file before any state uses them, never
            // stored into the mapping, so an unallocated page cannot fault (no SIGBUS); a full disk
            // shows as a failed write at commit instead. Writing the zeros cost as much as the
            // data: 286 of 290 MB written by a 1 M sequential fill, 40 % of its time.
            try {
                channel.write(ByteBuffer.allocate(1), to - 1);
            } catch (IOException e) {
                channel.truncate(Math.max(from, 0)); // give back what the failed growth took
                throw new StoreFailure(Problem.NO_SPACE, "cannot grow " + path + " to " + to + " bytes: " + e.getMessage(), e);
            }
            channel.force(true);
        }
        mapUpTo(newPageCount);
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
