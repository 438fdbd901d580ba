package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The log's current segment for {@link LogWriter}: a preallocated file ({@link Preallocator})
 * mapped read-write whole, the records stored into the mapping behind {@link #position()}.
 *
 * <p>A store into the mapping is no system call: the bytes are in the page cache when
 * {@link #append} returns, which a process crash does not lose. A group that is forced at once
 * is {@link #write}n with pwrite(2) instead: fdatasync of pages dirtied through a mapping cost
 * twice as much as of pages written with pwrite (measured: 310 against 150 us a one-record
 * commit on this project's disk), since writeback must also write-protect the mapping's page
 * table entries; the mapping saves a system call (about 1.5 us) where no force follows. {@link #force} is
 * fdatasync(2) of the file, which on Linux writes back the pages dirtied through a shared
 * mapping as well as those written with write(2) (both are the file's page cache), and since the
 * file was forced at its full size before, it has no size or block allocation to commit.
 *
 * <p>A store cannot report an I/O error: when the device cannot take a dirty page, the kernel
 * reports it at writeback, to the next fdatasync (which fails); when a page cannot be read in
 * (the file was cut beneath the mapping, a failing device), the store gets SIGBUS, which the
 * JDK turns into an {@link InternalError} for the thread that stored: {@link LogWriter}
 * catches it and gives up the log.
 *
 * <p>{@link #seal} ends a segment for good: forced, unmapped, cut to {@link #position()} (the
 * reader takes a zero tail only in the newest segment for a torn one) and forced again.
 * {@link #close} unmaps, cuts without forcing and closes: a clean close leaves no zeros, and a
 * machine crash after it may leave them, which in the newest segment is a torn tail.
 */
final class SegmentFile {

    final Path path;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment map;
    private long position;

    private SegmentFile(Path path, FileChannel channel, Arena arena, MemorySegment map, long position) {
        this.path = path;
        this.channel = channel;
        this.arena = arena;
        this.map = map;
        this.position = position;
    }

    /** Maps the whole of segment {@code path}, whose first {@code position} bytes are written. */
    static SegmentFile open(LogFiles.Opener opener, Path path, long position) throws IOException {
        FileChannel ch = LogFiles.openWrite(opener, path);
        Arena arena = Arena.ofShared(); // writes, forces and the close may come from different threads
        try {
            long size = ch.size();
            if (size < position) {
                throw new IOException(path + " is " + size + " bytes, shorter than its " + position + " written");
            }
            return new SegmentFile(path, ch, arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), position);
        } catch (IOException | RuntimeException e) {
            arena.close();
            ch.close();
            throw e;
        }
    }

    /** Cuts segment {@code path}, not mapped, to {@code length} and forces the cut. */
    static void cut(LogFiles.Opener opener, Path path, long length) throws IOException {
        try (FileChannel ch = LogFiles.openWrite(opener, path)) {
            ch.truncate(length);
            ch.force(false);
        }
    }

    long position() {
        return position;
    }

    /** The bytes the file can take in all. */
    long size() {
        return map.byteSize();
    }

    /** Stores {@code bytes} at {@link #position()} and moves past them; {@link InternalError} on SIGBUS. */
    void append(MemorySegment bytes) {
        MemorySegment.copy(bytes, 0, map, position, bytes.byteSize());
        position += bytes.byteSize();
    }

    /** Writes {@code bytes} at {@link #position()} with pwrite(2) and moves past them. */
    void write(java.nio.ByteBuffer bytes) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
        position = at;
    }

    void force() throws IOException {
        channel.force(false);
    }

    /** Forces, unmaps, cuts the file to {@link #position()}, forces the cut and closes. */
    void seal() throws IOException {
        try {
            channel.force(false);
        } finally {
            arena.close();
        }
        try {
            channel.truncate(position);
            channel.force(false);
        } finally {
            channel.close();
        }
    }

    /** Unmaps, cuts the file to {@link #position()} and closes, without forcing. */
    void close() throws IOException {
        try {
            if (arena.scope().isAlive()) {
                arena.close();
                channel.truncate(position);
            }
        } finally {
            channel.close();
        }
    }
}
