package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * Appends groups of records ({@link LogRecords}) to the log's newest segment ({@link LogFormat}).
 *
 * <p><b>Write.</b> A group goes to the file in one positional write (repeated until the kernel has
 * taken every byte), with no buffering in user space: once {@link #write} returns, a process crash
 * loses nothing of it; a machine crash may, until {@link #force}. A group continues the sequences
 * exactly ({@link IllegalStateException} otherwise) and never splits across segments.
 *
 * <p><b>Roll.</b> Before a group, a segment of {@code segmentBytes} or more that holds a record
 * is closed and a new one started, named after the group's first sequence. The old segment is
 * forced first (and the directory, when its name is not yet durable), so that only the newest
 * segment can ever end in a torn record: the reader calls a bad record in any other segment
 * damage. That costs one fdatasync per segment, also in NO_SYNC. A segment is never rolled
 * empty, so two segments never claim the same first sequence.
 *
 * <p><b>Force.</b> {@link #force} is fdatasync(2) of the current segment: its records, its header
 * and its size. A segment's name lives in the directory, which fdatasync does not cover, so the
 * first force after a segment was created ({@link #create}, a roll, {@link #resume}) also fsyncs
 * the directory; until then a machine crash may lose the whole new segment, which is what an
 * unforced log may lose anyway.
 *
 * <p><b>Delete.</b> {@link #deleteThrough} removes the oldest segments whose records the store
 * holds, oldest first (a crash in between leaves a suffix, which the reader accepts), never
 * the current one, then fsyncs the directory.
 *
 * <p><b>Failure.</b> An I/O error in a write or a roll leaves the writer poisoned
 * ({@link Problem#FAILED_WRITE}): what reached the file is unknown, so it never writes again; a
 * failed force likewise ({@link Problem#FAILED_FORCE}: no retry that assumes the data reached the
 * disk). Every later write or force throws a {@link StoreFailure} with the first cause. Reopen:
 * the reader finds what is valid. A thread interrupted in a write closes the channel
 * ({@link java.nio.channels.ClosedByInterruptException}) and poisons the writer too.
 *
 * <p><b>Threads.</b> One thread at a time calls {@link #write}, {@link #force} and {@link #close}
 * (the engine's commit leader; the writer does not lock them). {@link #deleteThrough} may run on
 * another thread at the same time (the flush): it takes the segment list under its lock and
 * never touches the current segment. The counters may be read from any thread.
 */
public final class LogWriter implements AutoCloseable {

    private final Path dir;
    private final long databaseId;
    private final long segmentBytes;
    private final Set<PosixFilePermission> permissions;
    private final LogFiles.Opener opener;
    /** First sequences of the live segments, ascending; the last is the current one. Guarded by itself. */
    private final List<Long> segments = new ArrayList<>();
    /** Serializes {@link #deleteThrough} calls. */
    private final Object deletions = new Object();

    // The current segment: the writing thread's alone.
    private FileChannel channel;
    private long position;
    private long segmentRecords;
    /** A segment was created since the directory was last forced. */
    private boolean directoryDirty;

    private volatile Path current;
    private volatile long lastSequence;
    private volatile long bytesWritten;
    private volatile StoreFailure failure;
    private volatile boolean closed;

    private LogWriter(Path dir, long databaseId, long segmentBytes, Set<PosixFilePermission> permissions,
            LogFiles.Opener opener) {
        if (segmentBytes <= 0) {
            throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
        }
        this.dir = dir;
        this.databaseId = databaseId;
        this.segmentBytes = segmentBytes;
        this.permissions = permissions == null ? null : Set.copyOf(permissions);
        this.opener = opener;
    }

    /**
     * Starts a log in {@code dir}, which holds no segment yet, with a segment whose first record
     * will have sequence {@code firstSequence}. Its name is made durable by the first force.
     *
     * @param filePermissions the segments' permissions; null for the file system's default
     * @throws IllegalStateException when {@code dir} holds segments already: replay and resume them
     */
    public static LogWriter create(Path dir, long databaseId, long firstSequence, long segmentBytes,
            Set<PosixFilePermission> filePermissions) throws IOException {
        return create(dir, databaseId, firstSequence, segmentBytes, filePermissions, LogFiles.DEFAULT);
    }

    static LogWriter create(Path dir, long databaseId, long firstSequence, long segmentBytes,
            Set<PosixFilePermission> filePermissions, LogFiles.Opener opener) throws IOException {
        if (firstSequence < 0 || firstSequence == Long.MAX_VALUE) {
            throw new IllegalArgumentException("not a record sequence: " + firstSequence);
        }
        NavigableMap<Long, Path> existing = LogFiles.list(dir);
        if (!existing.isEmpty()) {
            throw new IllegalStateException(dir + " holds log segments already (" + existing.firstEntry().getValue()
                    .getFileName() + " and " + (existing.size() - 1) + " more): replay and resume them");
        }
        LogWriter w = new LogWriter(dir, databaseId, segmentBytes, filePermissions, opener);
        w.startSegment(firstSequence);
        w.lastSequence = firstSequence - 1;
        return w;
    }

    /**
     * Continues the log after {@code replay} (of this {@code dir} and database): the newest
     * segment is cut to its valid length (its torn tail dropped, and forced so) and appended to;
     * when there is none, a new one starts after {@link LogReader.Replay#lastSequence()}. When the
     * replay's last sequence lies above the newest segment's last record (the store holds records
     * that an unforced log lost), a new segment starts there, after a gap the reader accepts
     * because the store holds what it lacks.
     *
     * @throws IllegalStateException when segments after the replay's newest one are still there
     *         (a tolerant replay's: call {@link LogReader#setAside} first)
     */
    public static LogWriter resume(Path dir, long databaseId, LogReader.Replay replay, long segmentBytes,
            Set<PosixFilePermission> filePermissions) throws IOException {
        return resume(dir, databaseId, replay, segmentBytes, filePermissions, LogFiles.DEFAULT);
    }

    static LogWriter resume(Path dir, long databaseId, LogReader.Replay replay, long segmentBytes,
            Set<PosixFilePermission> filePermissions, LogFiles.Opener opener) throws IOException {
        Path newest = replay.newestSegment();
        if (newest == null) {
            return create(dir, databaseId, replay.lastSequence() + 1, segmentBytes, filePermissions, opener);
        }
        long first = LogFormat.parseSegmentName(newest.getFileName().toString());
        NavigableMap<Long, Path> existing = LogFiles.list(dir);
        if (first < 0 || !LogFiles.segment(dir, first).equals(newest)) {
            throw new IllegalArgumentException(newest + " is not a segment of " + dir);
        }
        if (existing.isEmpty() || existing.lastKey() != first) {
            throw new IllegalStateException("the replay's newest segment " + newest.getFileName() + " is "
                    + (existing.containsKey(first) ? "followed by others: set them aside first" : "gone"));
        }
        LogWriter w = new LogWriter(dir, databaseId, segmentBytes, filePermissions, opener);
        w.segments.addAll(existing.keySet());
        w.lastSequence = replay.lastSequence();
        try {
            if (replay.newestValidLength() < LogFormat.HEADER_BYTES) {
                // a torn header (a crash right after the segment was made): no record in it
                Files.delete(newest);
                w.segments.removeLast();
                w.startSegment(replay.lastSequence() + 1);
                return w;
            }
            w.channel = LogFiles.openWrite(opener, newest);
            w.current = newest;
            long size = w.channel.size();
            if (size < replay.newestValidLength()) {
                throw new StoreFailure(Problem.CORRUPT, newest + " is " + size + " bytes, shorter than the "
                        + replay.newestValidLength() + " its replay found valid: it changed since");
            }
            if (size > replay.newestValidLength()) {
                w.channel.truncate(replay.newestValidLength());
                w.channel.force(false); // the cut before anything is appended after it
            }
            w.position = replay.newestValidLength();
            w.segmentRecords = replay.newestLastSequence() - first + 1;
            if (replay.newestLastSequence() != replay.lastSequence()) {
                w.roll(replay.lastSequence() + 1);
            }
            return w;
        } catch (IOException | RuntimeException e) {
            w.closeChannel(e);
            throw e;
        }
    }

    /**
     * Appends {@code records} (at least one) in one write: the group's first sequence must be the
     * one after {@link #lastSequence()}.
     */
    public void write(LogRecords records) throws IOException {
        checkUsable();
        if (records.count() == 0) {
            throw new IllegalArgumentException("an empty group");
        }
        if (records.firstSequence() != lastSequence + 1) {
            throw new IllegalStateException("the group starts at sequence " + records.firstSequence()
                    + ", the log continues at " + (lastSequence + 1));
        }
        long at = position;
        try {
            if (segmentRecords > 0 && position >= segmentBytes) {
                roll(records.firstSequence());
                at = position;
            }
            ByteBuffer b = records.buffer();
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
        } catch (IOException e) {
            throw poison(Problem.FAILED_WRITE, "writing records " + records.firstSequence() + ".."
                    + records.lastSequence() + " to " + current + " at offset " + at, e);
        }
        position = at;
        segmentRecords += records.count();
        lastSequence = records.lastSequence();
        bytesWritten += records.bytes();
    }

    /** fdatasync of the current segment, and fsync of the directory after a new segment's creation. */
    public void force() throws IOException {
        checkUsable();
        try {
            channel.force(false);
            if (directoryDirty) {
                LogFiles.forceDirectory(dir);
                directoryDirty = false;
            }
        } catch (IOException e) {
            throw poison(Problem.FAILED_FORCE, "forcing " + current, e);
        }
    }

    /**
     * Deletes every segment whose records are all at or below {@code flushedSequence} (the next
     * segment starts at or below {@code flushedSequence + 1}), oldest first, never the current
     * one, then fsyncs the directory. Returns how many it deleted.
     */
    public int deleteThrough(long flushedSequence) throws IOException {
        synchronized (deletions) {
            int deleted = 0;
            try {
                while (true) {
                    long victim;
                    synchronized (segments) {
                        if (segments.size() < 2 || segments.get(1) > flushedSequence + 1) {
                            break;
                        }
                        victim = segments.getFirst();
                    }
                    Files.deleteIfExists(LogFiles.segment(dir, victim));
                    synchronized (segments) {
                        segments.removeFirst();
                    }
                    deleted++;
                }
            } finally {
                if (deleted > 0) {
                    LogFiles.forceDirectory(dir);
                }
            }
            return deleted;
        }
    }

    /** The sequence of the last record written (the one before the first, before any). */
    public long lastSequence() {
        return lastSequence;
    }

    /** Live segments, the current one included. */
    public long segmentCount() {
        synchronized (segments) {
            return segments.size();
        }
    }

    /** Bytes this writer wrote, headers included (for write amplification). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** The segment the next group goes to (unless it rolls). */
    public Path currentSegment() {
        return current;
    }

    /** Closes the current segment without forcing it (force first for a durable close). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            channel.close();
        }
    }

    /** Forces and closes the current segment and starts one whose first record is {@code first}. */
    private void roll(long first) throws IOException {
        channel.force(false);
        if (directoryDirty) {
            LogFiles.forceDirectory(dir); // the old segment's own name, before a newer one can be
            directoryDirty = false;
        }
        channel.close();
        startSegment(first);
    }

    /** Creates the segment whose first record is {@code first} and writes its header. */
    private void startSegment(long first) throws IOException {
        Path path = LogFiles.segment(dir, first);
        FileChannel ch = LogFiles.create(opener, path, permissions);
        try {
            MemorySegment header = MemorySegment.ofArray(new byte[(int) LogFormat.HEADER_BYTES]);
            LogFormat.writeHeader(header, databaseId, first, System.currentTimeMillis());
            ByteBuffer b = header.asByteBuffer();
            long at = 0;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        current = path;
        position = LogFormat.HEADER_BYTES;
        segmentRecords = 0;
        directoryDirty = true;
        bytesWritten += LogFormat.HEADER_BYTES;
        synchronized (segments) {
            segments.add(first);
        }
    }

    private void checkUsable() throws StoreFailure {
        StoreFailure f = failure;
        if (f != null) {
            throw new StoreFailure(f.problem(), "the log refuses writes since an earlier failure: "
                    + f.getMessage(), f.getCause());
        }
        if (closed) {
            throw new StoreFailure(Problem.CLOSED, "the log writer of " + dir + " is closed");
        }
    }

    private StoreFailure poison(Problem problem, String what, IOException cause) {
        StoreFailure f = new StoreFailure(problem, "the log failed " + what + ": " + cause, cause);
        failure = f;
        return f;
    }

    private void closeChannel(Throwable cause) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
