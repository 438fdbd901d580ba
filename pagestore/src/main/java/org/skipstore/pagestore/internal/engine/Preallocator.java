package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepares the log's next segment file before it is needed, for {@link LogWriter}: a file of
 * the segment's full size, filled with zeros written for real and forced, so that the records
 * later stored into it through a mapping change no block allocation and no file size, and
 * fdatasync(2) of them has only data to write.
 *
 * <p><b>Why real zeros.</b> A sparse file ({@code setLength}) would allocate its blocks at the
 * first store into each hole, which is metadata for every force again, and a store into a
 * mapped hole on a full disk kills the process with SIGBUS instead of failing a write.
 *
 * <p><b>Protocol.</b> {@link #prepare} starts filling the spare {@value #SPARE} on the
 * preallocator's one daemon thread ("skipstore-log-prealloc") unless it is under way or ready;
 * {@link #take} WAITS for it (rather than filling a second file at the same time, which would
 * only share the disk's bandwidth with the one under way), grows it when a segment must be
 * larger, renames it to the segment's name and starts the next spare. The spare's name is not
 * a segment's ({@link LogFiles#list} never reads it), so a crash leaves at worst a stray spare,
 * which {@link #deleteLeftovers} removes at the writer's create and resume. A failed fill is
 * kept and thrown by the {@link #take} that needed it.
 *
 * <p><b>Threads.</b> {@link #prepare}, {@link #take} and {@link #close} are the writing thread's
 * (one at a time); the fill runs on the preallocator's thread. {@link #preallocatedBytes} may
 * be read from any thread.
 */
final class Preallocator implements AutoCloseable {

    /** The spare's name: never a segment's. */
    static final String SPARE = "log-spare.tmp";
    private static final int CHUNK = 1 << 20;

    private final Path spare;
    private final long bytes;
    private final Set<PosixFilePermission> permissions;
    private final LogFiles.Opener opener;
    private final ExecutorService thread;
    private final AtomicLong preallocated = new AtomicLong();
    /** The spare's fill under way or done (its size), null when none was started. */
    private Future<Long> pending;

    Preallocator(Path dir, long bytes, Set<PosixFilePermission> permissions, LogFiles.Opener opener) {
        this.spare = dir.resolve(SPARE);
        this.bytes = bytes;
        this.permissions = permissions;
        this.opener = opener;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skipstore-log-prealloc");
            t.setDaemon(true);
            return t;
        });
    }

    /** Deletes the spares a crash left in {@code dir}: {@value #SPARE}, never a segment. */
    static void deleteLeftovers(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(SPARE));
    }

    /** Starts filling the spare in the background unless it is under way or ready. */
    void prepare() {
        if (pending == null) {
            pending = thread.submit(() -> {
                try (FileChannel ch = LogFiles.create(opener, spare, permissions)) {
                    fill(ch, 0, bytes);
                    return bytes;
                }
            });
        }
    }

    /**
     * Makes {@code segment} (which must not exist) a forced, zero-filled file of at least
     * {@code minBytes}: the spare, waited for (started now when it was not), grown when smaller,
     * renamed. Returns the segment's size. The next spare is started by {@link #prepare} when the
     * writer is half way through the segment: not at once, since its zeros, written and forced
     * while the writer forces its records, slow those forces down (a database that is opened,
     * written a little and closed never pays for a spare).
     */
    long take(Path segment, long minBytes) throws IOException {
        prepare();
        Future<Long> f = pending;
        pending = null;
        long size;
        try {
            size = f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw (IOException) new InterruptedIOException("interrupted waiting for " + spare).initCause(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("preparing " + spare + " failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new IOException("preparing " + spare + " was cancelled", e);
        }
        if (size < minBytes) {
            extend(spare, size, minBytes);
            size = minBytes;
        }
        if (Files.exists(segment, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException(segment + " exists already");
        }
        Files.move(spare, segment, StandardCopyOption.ATOMIC_MOVE);
        return size; // the next spare: once the segment is half written (LogWriter.write), not now
    }

    /** Writes zeros into {@code [from, to)} of the existing file {@code path} and forces it. */
    void extend(Path path, long from, long to) throws IOException {
        try (FileChannel ch = LogFiles.openWrite(opener, path)) {
            fill(ch, from, to);
        }
    }

    /** Writes zeros into {@code [from, to)} of {@code ch} and forces it. */
    private void fill(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(1, to - from)));
        long at = from;
        while (at < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
            while (zeros.hasRemaining()) {
                at += ch.write(zeros, at);
            }
        }
        ch.force(false);
        preallocated.addAndGet(to - from);
    }

    /** Zero bytes written so far (for write amplification). */
    long preallocatedBytes() {
        return preallocated.get();
    }

    /** Stops the thread (a fill under way is interrupted) and deletes the spare. */
    @Override
    public void close() throws IOException {
        if (pending != null) {
            pending.cancel(true);
        }
        thread.shutdownNow();
        try {
            // the fill holds the spare open: an interrupted write closes its channel at once
            thread.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(spare);
    }
}
