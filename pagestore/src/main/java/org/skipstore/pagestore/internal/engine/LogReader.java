package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * Replays the log at open: every valid record above the store's flushed sequence, in order.
 *
 * <p><b>Order and continuity.</b> Segments are read in the order of the first sequence their
 * names give ({@link LogFiles#list}); each is scanned whole ({@link SegmentScan}: header, records,
 * torn tail), records at or below {@code afterSequence} checked but not handed on. Between
 * segments the sequences must continue. A segment that starts before the sequence the one before it
 * reached is damage. One that starts later leaves a gap, which is damage (a missing segment) when
 * records above {@code afterSequence} fall into it, and fine when the store holds them all: so
 * are the old segments a crash in {@link LogWriter#deleteThrough} left, and the gap
 * {@link LogWriter#resume} leaves when the store reached the disk before an unforced log did.
 *
 * <p><b>Problems.</b> Damage ({@link Problem#CORRUPT}, message naming the file and offset)
 * stops the replay with an exception, unless {@code openAtLastConsistentPoint}: then the replay
 * ends at the last good record before it, and {@link Replay#dropped()} says in words what was
 * left behind. The engine then calls {@link #setAside}, which renames every later segment to
 * {@code <name>.dropped} and copies the cut-off bytes of the segment that holds the good point
 * to {@code <name>.tail-<offset>.dropped} (nothing is deleted), and {@link LogWriter#resume}
 * cuts that segment there. A segment of another database ({@link Problem#FOREIGN}) or of a
 * newer format ({@link Problem#VERSION}) stops the replay in both modes: nothing about it is a
 * crash's or damage's to tolerate. Every segment's header is checked for that before anything is
 * replayed, so such a file fails the open wherever its name puts it (after a gap, after damage).
 */
public final class LogReader {

    private LogReader() {
    }

    /** Receives the replayed records. */
    @FunctionalInterface
    public interface RecordSink {
        /** One record; {@code payload} is a read-only view, valid only during the call. */
        void record(long sequence, MemorySegment payload) throws IOException;
    }

    /**
     * What a replay found.
     *
     * @param lastSequence the last valid record's sequence, or {@code afterSequence} when that is higher or there is none
     * @param newestSegment the newest segment kept (to be cut and appended to), null when none
     * @param newestValidLength its valid bytes (below a header's size: a torn header, nothing valid)
     * @param recordsReplayed records handed to the sink
     * @param bytesDropped bytes the log no longer holds: the torn tail and what the tolerant mode left behind
     * @param dropped what the tolerant mode left behind, in words; empty otherwise
     * @param newestLastSequence the sequence of the newest segment's last valid record (its first
     *        sequence minus one when it has none; {@code lastSequence} when there is no segment)
     */
    public record Replay(long lastSequence, Path newestSegment, long newestValidLength, long recordsReplayed,
            long bytesDropped, List<String> dropped, long newestLastSequence) {

        public Replay {
            dropped = List.copyOf(dropped);
        }
    }

    /**
     * Replays the log in {@code dir} of database {@code databaseId}: hands every valid record with
     * a sequence above {@code afterSequence} to {@code sink}, in order.
     *
     * @param openAtLastConsistentPoint on damage, stop at the last good record before it instead of throwing
     * @throws StoreFailure {@link Problem#CORRUPT} on damage (unless tolerated),
     *         {@link Problem#FOREIGN}, {@link Problem#VERSION}
     */
    public static Replay replay(Path dir, long databaseId, long afterSequence, RecordSink sink,
            boolean openAtLastConsistentPoint) throws IOException {
        NavigableMap<Long, Path> segments = LogFiles.list(dir);
        for (Path p : segments.values()) { // first: no segment is replayed or set aside past another database's
            SegmentScan.checkIdentity(p, databaseId);
        }
        long last = afterSequence;
        long next = Long.MIN_VALUE; // the sequence the chain reached; MIN_VALUE before the first segment
        Path newest = null;
        long newestValid = 0;
        long newestLast = afterSequence;
        long replayed = 0;
        long dropped = 0;
        List<String> droppedWords = new ArrayList<>();
        for (Map.Entry<Long, Path> e : segments.entrySet()) {
            long first = e.getKey();
            Path path = e.getValue();
            SegmentScan.Result r;
            String gap = gap(next, first, afterSequence);
            if (gap != null) {
                r = new SegmentScan.Result(LogFiles.size(path), 0, first, 0, 0, 0, Problem.CORRUPT, path + " " + gap);
            } else {
                r = SegmentScan.scan(path, first, databaseId, first == segments.lastKey(), afterSequence, sink);
            }
            replayed += r.replayed();
            if (r.problem() != null && !openAtLastConsistentPoint) {
                throw new StoreFailure(r.problem(), r.message());
            }
            if (r.validLength() >= LogFormat.HEADER_BYTES || r.tornHeader()) {
                newest = path;
                newestValid = r.validLength();
                newestLast = r.nextSequence() - 1;
                last = Math.max(last, newestLast);
                next = r.nextSequence();
            }
            dropped += r.tornBytes();
            if (r.problem() != null) {
                dropped += r.size() - r.validLength();
                droppedWords.add(r.message() + (r.validLength() >= LogFormat.HEADER_BYTES
                        ? ": its records from offset " + r.validLength() + " on are dropped"
                        : ": the whole segment is dropped"));
                for (Path later : segments.tailMap(first, false).values()) {
                    dropped += LogFiles.size(later);
                    droppedWords.add(later + " follows the damage: dropped whole");
                }
                break;
            }
        }
        return new Replay(last, newest, newestValid, replayed, dropped, droppedWords, newestLast);
    }

    /**
     * Why a segment starting at {@code first} cannot follow a chain that reached {@code next}
     * ({@link Long#MIN_VALUE}: none yet), or null when it can.
     */
    private static String gap(long next, long first, long afterSequence) {
        if (next != Long.MIN_VALUE && first < next) {
            return "starts at sequence " + first + ", but the segments before it reach " + (next - 1);
        }
        long from = next == Long.MIN_VALUE ? afterSequence + 1 : Math.max(next, afterSequence + 1);
        if (first > from) {
            return "starts at sequence " + first + ": records " + from + ".." + (first - 1) + " are missing";
        }
        return null;
    }

    /**
     * Sets aside what a tolerant {@code replay} of {@code dir} left behind: every segment after its
     * newest one becomes {@code <name>.dropped} (every segment, when it kept none), newest first;
     * the bytes of its newest segment past its valid length are copied to
     * {@code <name>.tail-<valid length>.dropped} and forced, so that {@link LogWriter#resume} may cut
     * them. A name taken already gets a number after it. Then the directory is forced. Returns
     * how many files it wrote or renamed.
     */
    public static int setAside(Path dir, Replay replay) throws IOException {
        NavigableMap<Long, Path> segments = LogFiles.list(dir);
        long kept = replay.newestSegment() == null ? -1
                : LogFormat.parseSegmentName(replay.newestSegment().getFileName().toString());
        if (kept >= 0 && !LogFiles.segment(dir, kept).equals(replay.newestSegment())) {
            throw new IllegalArgumentException(replay.newestSegment() + " is not a segment of " + dir);
        }
        int count = 0;
        for (Path later : segments.tailMap(kept, false).descendingMap().values()) {
            Files.move(later, free(dir, later.getFileName() + ".dropped"), StandardCopyOption.ATOMIC_MOVE);
            count++;
        }
        if (kept >= 0 && segments.containsKey(kept)) {
            count += copyTail(dir, LogFiles.segment(dir, kept), replay.newestValidLength());
        }
        if (count > 0) {
            LogFiles.forceDirectory(dir);
        }
        return count;
    }

    /** Copies the bytes of {@code segment} from {@code from} on to a file of their own; 1 when there were any. */
    private static int copyTail(Path dir, Path segment, long from) throws IOException {
        try (FileChannel in = LogFiles.openRead(segment)) {
            long size = in.size();
            if (size <= from) {
                return 0;
            }
            Path tail = free(dir, segment.getFileName() + ".tail-" + from + ".dropped");
            try (FileChannel out = LogFiles.create(LogFiles.DEFAULT, tail, LogFiles.permissions(segment))) {
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 20, size - from));
                long at = from;
                while (at < size) {
                    b.clear().limit((int) Math.min(b.capacity(), size - at));
                    int n = in.read(b, at);
                    if (n < 0) {
                        break;
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        out.write(b, at - from + b.position());
                    }
                    at += n;
                }
                out.force(false);
            }
            return 1;
        }
    }

    /** {@code name} in {@code dir}, or {@code name.1}, {@code name.2}... when it is taken. */
    private static Path free(Path dir, String name) {
        Path p = dir.resolve(name);
        for (int i = 1; Files.exists(p, LinkOption.NOFOLLOW_LINKS); i++) {
            p = dir.resolve(name + "." + i);
        }
        return p;
    }
}
