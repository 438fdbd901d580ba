package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * Reads one segment ({@link LogFormat}) for {@link LogReader}: checks its header, hands each valid
 * record above {@code afterSequence} to the sink, and says where the valid part ends and why.
 *
 * <p>The segment is mapped read-only for the scan; a payload handed to the sink is a read-only
 * slice of the mapping, unmapped when the scan ends (a sink that keeps it gets
 * {@link IllegalStateException}, never stale bytes).
 *
 * <p><b>Header.</b> In order: shorter than a header; magic; version (a newer one is
 * {@link Problem#VERSION}, whatever else the header holds, since its layout may differ); CRC;
 * database ({@link Problem#FOREIGN}); first sequence against the name. A bad header in the
 * newest segment with nothing but zeros after it (or a file shorter than a header) is a crash right
 * after the segment was created: torn, no record lost. Anything else is {@link Problem#CORRUPT}.
 *
 * <p><b>Records.</b> Each must check (length inside the file, CRC) and carry the next sequence.
 * At the first that does not check, the rest of the segment is searched byte by byte for a record
 * that checks with a sequence at or above the one the bad record should have had: when there is
 * one, later records were written after the bad one, so it is damage ({@link Problem#CORRUPT});
 * when there is none and the segment is the newest, it is the crash's torn tail (zeros
 * included), dropped. In any other segment the writer forced every byte before it moved on
 * ({@link LogWriter}), so a bad record there is damage too. A record that checks but carries
 * the wrong sequence is damage wherever it is.
 */
final class SegmentScan {

    /**
     * What a scan found: the valid part {@code [0, validLength)} holding {@code records} records
     * from the segment's first sequence up to {@code nextSequence - 1}, {@code replayed} of them
     * handed to the sink; {@code tornBytes} after it dropped as a torn tail; or the {@code problem}
     * (null when none) that ends the valid part, described in {@code message}.
     */
    record Result(long size, long validLength, long nextSequence, long records, long replayed, long tornBytes,
            Problem problem, String message) {

        boolean tornHeader() {
            return problem == null && validLength < LogFormat.HEADER_BYTES;
        }
    }

    private final Path path;
    private final long first;
    private final boolean newest;
    private final long afterSequence;
    private final LogReader.RecordSink sink;
    private MemorySegment file;
    private long size;

    private SegmentScan(Path path, long first, boolean newest, long afterSequence, LogReader.RecordSink sink) {
        this.path = path;
        this.first = first;
        this.newest = newest;
        this.afterSequence = afterSequence;
        this.sink = sink;
    }

    /**
     * Scans the segment at {@code path} whose name says {@code first}; {@link Problem#FOREIGN}
     * and {@link Problem#VERSION} are thrown (no tolerant mode sets another database's file
     * aside), every other problem is in the result.
     */
    static Result scan(Path path, long first, long databaseId, boolean newest, long afterSequence,
            LogReader.RecordSink sink) throws IOException {
        SegmentScan s = new SegmentScan(path, first, newest, afterSequence, sink);
        try (FileChannel ch = LogFiles.openRead(path); Arena arena = Arena.ofConfined()) {
            s.size = ch.size();
            s.file = s.size == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, s.size, arena);
            Result bad = s.checkHeader(databaseId);
            return bad != null ? bad : s.records();
        }
    }

    private Result checkHeader(long databaseId) throws StoreFailure {
        long h = LogFormat.HEADER_BYTES;
        if (size < h) {
            return newest ? torn(0) : damage(0, first, 0, "is " + size + " bytes, shorter than a segment header");
        }
        MemorySegment header = file.asSlice(0, h);
        checkIdentity(path, header, databaseId);
        boolean magic = LogFormat.magic(header) == LogFormat.MAGIC;
        boolean crc = LogFormat.headerCrcMatches(header);
        if (!magic || !crc || LogFormat.version(header) != LogFormat.FORMAT_VERSION) {
            if (newest && zerosFrom(h)) {
                return torn(0);
            }
            return damage(0, first, 0, !magic ? "does not start with a log segment's magic"
                    : !crc ? "has a header that fails its CRC" : "has format version " + LogFormat.version(header));
        }
        if (LogFormat.firstSequence(header) != first) {
            return damage(0, first, 0, "says its first sequence is " + LogFormat.firstSequence(header)
                    + ", its name " + first);
        }
        return null;
    }

    /**
     * Throws {@link Problem#VERSION} when {@code header} has the magic and a newer format version
     * (whatever else it holds: its layout may differ), {@link Problem#FOREIGN} when it is a valid
     * header of another database; any other fault is the scan's to judge.
     */
    static void checkIdentity(Path path, MemorySegment header, long databaseId) throws StoreFailure {
        if (LogFormat.magic(header) != LogFormat.MAGIC) {
            return;
        }
        int version = LogFormat.version(header);
        if (version > LogFormat.FORMAT_VERSION) {
            throw new StoreFailure(Problem.VERSION, path + " is a log segment of format version " + version
                    + "; this code reads version " + LogFormat.FORMAT_VERSION);
        }
        if (version == LogFormat.FORMAT_VERSION && LogFormat.headerCrcMatches(header)
                && LogFormat.databaseId(header) != databaseId) {
            throw new StoreFailure(Problem.FOREIGN, path + " belongs to database " + LogFormat.databaseId(header)
                    + ", not " + databaseId);
        }
    }

    /** {@link #checkIdentity(Path, MemorySegment, long)} of the segment at {@code path}; nothing when shorter than a header. */
    static void checkIdentity(Path path, long databaseId) throws IOException {
        try (FileChannel ch = LogFiles.openRead(path)) {
            ByteBuffer b = ByteBuffer.allocate((int) LogFormat.HEADER_BYTES);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // a short read of a regular file: read on
            }
            if (!b.hasRemaining()) {
                checkIdentity(path, MemorySegment.ofArray(b.array()), databaseId);
            }
        }
    }

    private Result records() throws IOException {
        long at = LogFormat.HEADER_BYTES;
        long next = first;
        long replayed = 0;
        while (at < size) {
            long bytes = LogFormat.checkedRecordBytes(file, at, size);
            if (bytes < 0) {
                if (newest && zerosFrom(at)) { // a preallocated segment's unwritten rest: the end, no search
                    return new Result(size, at, next, next - first, replayed, size - at, null, null);
                }
                long later = findValidRecord(at + 1, next);
                if (later >= 0) {
                    return damage(at, next, replayed, "has a damaged record at offset " + at + " (sequence " + next
                            + " expected) followed by a valid one, sequence " + LogFormat.recordSequence(file, later)
                            + " at offset " + later);
                }
                if (!newest) {
                    return damage(at, next, replayed, "has a damaged or incomplete record at offset " + at
                            + " (sequence " + next + " expected), and it is not the newest segment");
                }
                return new Result(size, at, next, next - first, replayed, size - at, null, null);
            }
            long sequence = LogFormat.recordSequence(file, at);
            if (sequence != next) {
                return damage(at, next, replayed, "has a record of sequence " + sequence + " at offset " + at
                        + " where sequence " + next + " belongs");
            }
            if (sequence > afterSequence) {
                long payload = at + LogFormat.RECORD_BYTES;
                sink.record(sequence, file.asSlice(payload, bytes - LogFormat.RECORD_BYTES).asReadOnly());
                replayed++;
            }
            next++;
            at += bytes;
        }
        return new Result(size, at, next, next - first, replayed, 0, null, null);
    }

    /** The offset of the first record at or after {@code from} that checks with a sequence >= {@code min}, or -1. */
    private long findValidRecord(long from, long min) {
        for (long at = from; at + LogFormat.RECORD_BYTES <= size; at++) {
            if (LogFormat.recordSequence(file, at) >= min && LogFormat.checkedRecordBytes(file, at, size) > 0) {
                return at;
            }
        }
        return -1;
    }

    /** Whether every byte from {@code from} to the end is zero; 8 at a time (a preallocated tail is most of a segment). */
    private boolean zerosFrom(long from) {
        long at = from;
        for (; at < size && (at & 7) != 0; at++) {
            if (file.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) != 0) {
                return false;
            }
        }
        for (; at + Long.BYTES <= size; at += Long.BYTES) {
            if (file.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at) != 0) {
                return false;
            }
        }
        for (; at < size; at++) {
            if (file.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) != 0) {
                return false;
            }
        }
        return true;
    }

    private Result torn(long validLength) {
        return new Result(size, validLength, first, 0, 0, size - validLength, null, null);
    }

    private Result damage(long at, long next, long replayed, String what) {
        return new Result(size, at, next, next - first, replayed, 0, Problem.CORRUPT, path + " " + what);
    }
}
