package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file channel that fails on purpose, for the writer's {@link LogFiles.Opener} seams: after
 * {@code writes} positional writes succeed, the next one writes a few of its bytes (as a write cut
 * short by an I/O error may) and throws; after {@code forces} forces, the next one throws; after
 * {@code truncates} truncations, the next one throws. The budgets are shared by every channel one
 * {@link #opener} opens. Mapping is the real file's: a store into a mapping has no error to inject.
 */
final class FaultyChannel extends FileChannel {

    static final String INJECTED = "injected I/O error";

    private final FileChannel delegate;
    private final AtomicInteger writes;
    private final AtomicInteger forces;
    private final AtomicInteger truncates;

    private FaultyChannel(FileChannel delegate, AtomicInteger writes, AtomicInteger forces, AtomicInteger truncates) {
        this.delegate = delegate;
        this.writes = writes;
        this.forces = forces;
        this.truncates = truncates;
    }

    /** An opener whose channels fail after {@code writes} writes or {@code forces} forces (-1: never). */
    static LogFiles.Opener opener(int writes, int forces) {
        return opener(writes, forces, -1);
    }

    /** An opener whose channels fail after {@code writes} writes, {@code forces} forces or {@code truncates} truncations. */
    static LogFiles.Opener opener(int writes, int forces, int truncates) {
        AtomicInteger w = new AtomicInteger(writes);
        AtomicInteger f = new AtomicInteger(forces);
        AtomicInteger t = new AtomicInteger(truncates);
        return (Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes) ->
                new FaultyChannel(FileChannel.open(path, options, attributes), w, f, t);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (writes.getAndDecrement() == 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + Math.min(part.remaining(), 7));
            delegate.write(part, position);
            throw new IOException(INJECTED + " (write)");
        }
        return delegate.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (forces.getAndDecrement() == 0) {
            throw new IOException(INJECTED + " (force)");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new UnsupportedOperationException("the log writes at positions");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("the log writes at positions");
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (truncates.getAndDecrement() == 0) {
            throw new IOException(INJECTED + " (truncate)");
        }
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public MemorySegment map(MapMode mode, long offset, long size, Arena arena) throws IOException {
        return delegate.map(mode, offset, size, arena);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
