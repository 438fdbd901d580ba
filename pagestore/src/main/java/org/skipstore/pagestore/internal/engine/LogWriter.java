package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
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
 * <p><b>Segments are preallocated and mapped.</b> A segment file is made at its full size,
 * zeros written for real and forced, before it is needed ({@link Preallocator}, on a background
 * thread, as a spare no reader takes for a segment), and the current one is mapped read-write
 * ({@link SegmentFile}), so that a force is fdatasync(2) of data alone: the size and blocks were
 * committed with the preallocation.
 *
 * <p><b>Write.</b> A group is copied into the mapping behind the last one (no system call), or
 * written there with pwrite(2) when a force follows at once (cheaper to force: {@link SegmentFile});
 * once {@link #write} returns a process crash loses nothing of it, a machine crash may until
 * {@link #force}. A group continues the sequences exactly ({@link IllegalStateException}
 * otherwise) and never splits across segments. The rest of the segment is zeros, which the
 * reader takes for the newest segment's torn tail.
 *
 * <p><b>Roll.</b> A group that does not fit the rest of a segment that holds a record goes to a
 * new one, named after its first sequence, of {@code segmentBytes} (or the group's size). The old
 * one is forced, unmapped, cut to its written length and forced again (two fdatasyncs a segment,
 * also in NO_SYNC), so that only the newest segment can end in a torn record or zeros: the reader
 * calls a bad record in any other damage. A segment is never rolled empty (a group too large for
 * an empty segment grows it in place), so no two segments claim one first sequence.
 *
 * <p><b>Force.</b> {@link #force} is fdatasync(2) of the current segment (on Linux it writes
 * back pages dirtied through the mapping too); the first after a segment was made also fsyncs
 * the directory, which holds its name: until then a machine crash may lose the new segment,
 * which is what an unforced log may lose anyway.
 *
 * <p><b>Resume.</b> The newest segment is cut to its valid length and a preallocated one started
 * (a roll at open). Leftover spares are deleted at create and resume.
 *
 * <p><b>Delete.</b> {@link #deleteThrough} removes the oldest segments whose records the store
 * holds, oldest first (a crash in between leaves a suffix, which the reader accepts), never
 * the current one, then fsyncs the directory.
 *
 * <p><b>Failure.</b> An I/O error in a write, a preallocation, a roll (its force, cut or rename)
 * or the wait for the spare poisons the writer ({@link Problem#FAILED_WRITE}): what reached the
 * file is unknown, so it never writes again; a failed force likewise ({@link Problem#FAILED_FORCE}:
 * no retry that assumes the data reached the disk). A store into the mapping fails no other way
 * than by SIGBUS (a page the kernel cannot provide), the JDK's {@link InternalError}, which
 * poisons the writer too. Later writes and forces throw a {@link StoreFailure} with the first
 * cause; a reopen's reader finds what is valid.
 *
 * <p><b>Threads.</b> One thread at a time calls {@link #write}, {@link #force} and {@link #close}
 * (the engine's commit leader; no lock); the spare is filled on the writer's daemon thread
 * "skipstore-log-prealloc". {@link #deleteThrough} may run at the same time on another (the
 * flush): it takes the segment list under its lock and never touches the current segment.
 *
 * <p>Just past 400 lines on purpose: create, resume, write, roll, force and delete share the
 * current segment's state; the file work itself is in SegmentFile, Preallocator and LogFiles.
 */
public final class LogWriter implements AutoCloseable {

    private final Path dir;
    private final long databaseId;
    private final long segmentBytes;
    private final LogFiles.Opener opener;
    private final Preallocator preallocator;
    /** First sequences of the live segments, ascending; the last is the current one. Guarded by itself. */
    private final List<Long> segments = new ArrayList<>();
    /** Serializes {@link #deleteThrough} calls. */
    private final Object deletions = new Object();

    // The current segment: the writing thread's alone.
    private SegmentFile file;
    private long segmentRecords;
    /** A segment was created since the directory was last forced. */
    private boolean directoryDirty;

    private volatile Path current;
    private volatile long lastSequence;
    private volatile long bytesWritten;
    private volatile StoreFailure failure;
    private volatile boolean closed;

    private LogWriter(Path dir, long databaseId, long segmentBytes, Set<PosixFilePermission> permissions,
            LogFiles.Opener opener, LogFiles.Opener spareOpener) {
        if (segmentBytes <= 0) {
            throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
        }
        this.dir = dir;
        this.databaseId = databaseId;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
        this.preallocator = new Preallocator(dir, Math.max(segmentBytes, LogFormat.HEADER_BYTES),
                permissions == null ? null : Set.copyOf(permissions), spareOpener);
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
        return create(dir, databaseId, firstSequence, segmentBytes, filePermissions, LogFiles.DEFAULT,
                LogFiles.DEFAULT);
    }

    /** {@link #create} with segments opened through {@code opener}, preallocations through {@code spareOpener}. */
    static LogWriter create(Path dir, long databaseId, long firstSequence, long segmentBytes,
            Set<PosixFilePermission> filePermissions, LogFiles.Opener opener, LogFiles.Opener spareOpener)
            throws IOException {
        if (firstSequence < 0 || firstSequence == Long.MAX_VALUE) {
            throw new IllegalArgumentException("not a record sequence: " + firstSequence);
        }
        NavigableMap<Long, Path> existing = LogFiles.list(dir);
        if (!existing.isEmpty()) {
            throw new IllegalStateException(dir + " holds log segments already (" + existing.firstEntry().getValue()
                    .getFileName() + " and " + (existing.size() - 1) + " more): replay and resume them");
        }
        Preallocator.deleteLeftovers(dir);
        LogWriter w = new LogWriter(dir, databaseId, segmentBytes, filePermissions, opener, spareOpener);
        try {
            w.startSegment(firstSequence, 0);
        } catch (IOException | RuntimeException e) {
            w.closeAfter(e);
            throw e;
        }
        w.lastSequence = firstSequence - 1;
        return w;
    }

    /**
     * Continues the log after {@code replay} (of this {@code dir} and database): the newest
     * segment is cut to its valid length (its torn tail or zeros dropped, and forced so) and a
     * new, preallocated one starts after {@link LogReader.Replay#lastSequence()} (the newest is
     * not appended to: it is no preallocated file any more, and the bytes a tolerant replay set
     * aside stay a prefix of what they were). When the replay's last sequence lies above the
     * newest segment's last record (the store holds records that an unforced log lost), the new
     * segment starts after a gap the reader accepts because the store holds what it lacks. A
     * newest segment without records whose name the new one would take is deleted first.
     *
     * @throws IllegalStateException when segments after the replay's newest one are still there
     *         (a tolerant replay's: call {@link LogReader#setAside} first)
     */
    public static LogWriter resume(Path dir, long databaseId, LogReader.Replay replay, long segmentBytes,
            Set<PosixFilePermission> filePermissions) throws IOException {
        return resume(dir, databaseId, replay, segmentBytes, filePermissions, LogFiles.DEFAULT, LogFiles.DEFAULT);
    }

    /** {@link #resume} through the tests' seam (see {@code create}). */
    static LogWriter resume(Path dir, long databaseId, LogReader.Replay replay, long segmentBytes,
            Set<PosixFilePermission> filePermissions, LogFiles.Opener opener, LogFiles.Opener spareOpener)
            throws IOException {
        Path newest = replay.newestSegment();
        if (newest == null) {
            return create(dir, databaseId, replay.lastSequence() + 1, segmentBytes, filePermissions, opener,
                    spareOpener);
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
        Preallocator.deleteLeftovers(dir);
        LogWriter w = new LogWriter(dir, databaseId, segmentBytes, filePermissions, opener, spareOpener);
        w.segments.addAll(existing.keySet());
        w.lastSequence = replay.lastSequence();
        try {
            long valid = replay.newestValidLength();
            if (valid < LogFormat.HEADER_BYTES
                    || replay.newestLastSequence() < first && replay.lastSequence() + 1 == first) {
                // a torn header (a crash right after the segment was made), or a header alone whose
                // name the next segment takes: no record in it, made again
                Files.delete(newest);
                w.segments.removeLast();
            } else {
                long size = LogFiles.size(newest);
                if (size < valid) {
                    throw new StoreFailure(Problem.CORRUPT, newest + " is " + size + " bytes, shorter than the "
                            + valid + " its replay found valid: it changed since");
                }
                if (size > valid) {
                    SegmentFile.cut(opener, newest, valid);
                }
            }
            LogFiles.forceDirectory(dir); // the cut or deleted segment's name, before a newer one can be
            w.startSegment(replay.lastSequence() + 1, 0);
            return w;
        } catch (IOException | RuntimeException e) {
            w.closeAfter(e);
            throw e;
        }
    }

    /** Appends {@code records} (at least one, continuing {@link #lastSequence()}) into the mapping. */
    public void write(LogRecords records) throws IOException {
        write(records, false);
    }

    /**
     * Appends {@code records} (at least one, continuing {@link #lastSequence()}): into the mapping,
     * or with pwrite(2) when a {@link #force} follows, whose fdatasync is then twice as fast (see
     * {@link SegmentFile}).
     */
    public void write(LogRecords records, boolean forceFollows) throws IOException {
        checkUsable();
        if (records.count() == 0) {
            throw new IllegalArgumentException("an empty group");
        }
        if (records.firstSequence() != lastSequence + 1) {
            throw new IllegalStateException("the group starts at sequence " + records.firstSequence()
                    + ", the log continues at " + (lastSequence + 1));
        }
        long bytes = records.bytes();
        try {
            if (file.position() + bytes > file.size()) {
                if (segmentRecords > 0) {
                    roll(records.firstSequence(), bytes);
                } else {
                    grow(bytes);
                }
            }
            if (forceFollows) {
                file.write(records.buffer());
            } else {
                file.append(records.framed());
            }
        } catch (IOException | InternalError e) {
            throw poison(Problem.FAILED_WRITE, "writing records " + records.firstSequence() + ".."
                    + records.lastSequence() + " to " + current + " at offset " + file.position(), e);
        }
        segmentRecords += records.count();
        lastSequence = records.lastSequence();
        bytesWritten += bytes;
        if (file.position() > file.size() / 2) {
            preallocator.prepare(); // the next segment's spare, in the background (once)
        }
    }

    /** fdatasync of the current segment, and fsync of the directory after a new segment's creation. */
    public void force() throws IOException {
        checkUsable();
        try {
            file.force();
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

    /** Bytes of records and headers this writer wrote, the zeros of preallocation not included. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Zero bytes written to preallocate segments, also in the background (for write amplification). */
    public long preallocatedBytes() {
        return preallocator.preallocatedBytes();
    }

    /** The segment the next group goes to (unless it rolls). */
    public Path currentSegment() {
        return current;
    }

    /**
     * Closes the current segment without forcing it (force first for a durable close), cut to its
     * records; stops the preallocation and deletes the spare.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (file != null) {
                file.close();
            }
        } finally {
            preallocator.close();
        }
    }

    /**
     * Seals the current segment (forced, cut to its records, forced) and starts one whose first
     * record is {@code first}, with room for {@code groupBytes} after its header.
     */
    private void roll(long first, long groupBytes) throws IOException {
        file.seal();
        if (directoryDirty) {
            LogFiles.forceDirectory(dir); // the old segment's own name, before a newer one can be
            directoryDirty = false;
        }
        startSegment(first, groupBytes);
    }

    /** Makes the segment whose first record is {@code first} from the spare, maps it and stores its header. */
    private void startSegment(long first, long groupBytes) throws IOException {
        Path path = LogFiles.segment(dir, first);
        preallocator.take(path, LogFormat.HEADER_BYTES + groupBytes);
        directoryDirty = true;
        synchronized (segments) {
            segments.add(first);
        }
        file = SegmentFile.open(opener, path, 0);
        current = path;
        MemorySegment header = MemorySegment.ofArray(new byte[(int) LogFormat.HEADER_BYTES]);
        LogFormat.writeHeader(header, databaseId, first, System.currentTimeMillis());
        file.append(header);
        segmentRecords = 0;
        bytesWritten += LogFormat.HEADER_BYTES;
    }

    /** Grows the current segment, which holds no record, with zeros to take {@code groupBytes} more. */
    private void grow(long groupBytes) throws IOException {
        long position = file.position();
        file.close(); // cut to the header, extended at once
        preallocator.extend(current, position, position + groupBytes);
        file = SegmentFile.open(opener, current, position);
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

    private StoreFailure poison(Problem problem, String what, Throwable cause) {
        StoreFailure f = new StoreFailure(problem, "the log failed " + what + ": " + cause, cause);
        failure = f;
        return f;
    }

    private void closeAfter(Throwable cause) {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
