package org.skipstore.pagestore.internal.engine;

import static org.skipstore.pagestore.internal.engine.LogFormat.R_CHECKED;
import static org.skipstore.pagestore.internal.engine.LogFormat.R_CRC;
import static org.skipstore.pagestore.internal.engine.LogFormat.R_LENGTH;
import static org.skipstore.pagestore.internal.engine.LogFormat.R_SEQUENCE;
import static org.skipstore.pagestore.internal.engine.LogFormat.RECORD_BYTES;
import static org.skipstore.pagestore.internal.engine.LogFormat.U32;
import static org.skipstore.pagestore.internal.engine.LogFormat.U64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One group of log records, framed as they will lie in the segment ({@link LogFormat}): each
 * {@code add} copies the payload behind its record header and sets the CRC at once, so that
 * {@link LogWriter#write} copies the whole group into the segment's mapping at once and the
 * bytes are checksummed while they are still in the cache.
 *
 * <p>The buffer is native memory (freed by the garbage collector with this object) that grows
 * by doubling and is kept across {@link #clear()}: the engine's commit leader reuses one for
 * every group. Native, because heap segments through the JDK's accessors would spoil
 * their profile for the memtable's and the store's native segments (see the store's
 * {@code NativeKeys}). The sequences of a group are consecutive
 * ({@link #add} refuses others), as the reader requires of every segment.
 *
 * <p>Not thread-safe: one thread fills it and hands it to the writer.
 */
public final class LogRecords {

    private MemorySegment view;
    /** {@link #view} as a buffer, for the CRC (its position and limit are set for each use). */
    private ByteBuffer buffer;
    private int bytes;
    private int count;
    private long first;
    private long last;
    private final CRC32C crc = new CRC32C();

    public LogRecords() {
        this(4096);
    }

    public LogRecords(int initialCapacity) {
        view = Arena.ofAuto().allocate(Math.max(initialCapacity, (int) RECORD_BYTES));
        buffer = view.asByteBuffer();
    }

    /** Appends a record of {@code payload}'s bytes with {@code sequence}. */
    public void add(long sequence, MemorySegment payload) {
        long length = payload.byteSize();
        if (length > LogFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a record holds at most " + LogFormat.MAX_PAYLOAD + " bytes: " + length);
        }
        int at = frame(sequence, (int) length);
        MemorySegment.copy(payload, 0, view, at + RECORD_BYTES, length);
        seal(at, (int) length);
    }

    /** Appends a record of {@code a[off, off + len)} with {@code sequence}. */
    public void add(long sequence, byte[] a, int off, int len) {
        if (off < 0 || len < 0 || len > a.length - off) {
            throw new IndexOutOfBoundsException("[" + off + ", " + off + "+" + len + ") of " + a.length + " bytes");
        }
        if (len > LogFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a record holds at most " + LogFormat.MAX_PAYLOAD + " bytes: " + len);
        }
        int at = frame(sequence, len);
        MemorySegment.copy(a, off, view, ValueLayout.JAVA_BYTE, at + RECORD_BYTES, len);
        seal(at, len);
    }

    /** Checks the sequence, makes room and writes the length and sequence; returns the record's offset. */
    private int frame(long sequence, int length) {
        if (sequence < 0 || sequence == Long.MAX_VALUE) {
            throw new IllegalArgumentException("not a record sequence: " + sequence);
        }
        if (count > 0 && sequence != last + 1) {
            throw new IllegalArgumentException("sequence " + sequence + " does not follow " + last + " in the group");
        }
        long end = bytes + RECORD_BYTES + length;
        if (end > view.byteSize()) {
            grow(end);
        }
        int at = bytes;
        view.set(U32, at + R_LENGTH, length);
        view.set(U64, at + R_SEQUENCE, sequence);
        return at;
    }

    /** Sets the CRC of the record at {@code at} whose payload is in place, and counts it. */
    private void seal(int at, int length) {
        crc.reset();
        buffer.limit(at + (int) RECORD_BYTES + length).position(at + (int) R_CHECKED);
        crc.update(buffer);
        view.set(U32, at + R_CRC, (int) crc.getValue());
        if (count == 0) {
            first = view.get(U64, at + R_SEQUENCE);
        }
        last = view.get(U64, at + R_SEQUENCE);
        count++;
        bytes = at + (int) RECORD_BYTES + length;
    }

    private void grow(long needed) {
        long max = Integer.MAX_VALUE - 8; // the largest array the VM makes
        if (needed > max) {
            throw new IllegalArgumentException("a group holds at most " + max + " bytes; it would need " + needed);
        }
        MemorySegment bigger = Arena.ofAuto().allocate(Math.min(max, Math.max(needed, 2L * view.byteSize())));
        MemorySegment.copy(view, 0, bigger, 0, bytes);
        view = bigger;
        buffer = view.asByteBuffer();
    }

    /** Records in the group. */
    public int count() {
        return count;
    }

    /** The sequence of the group's first record. */
    public long firstSequence() {
        requireRecords();
        return first;
    }

    /** The sequence of the group's last record. */
    public long lastSequence() {
        requireRecords();
        return last;
    }

    /** The framed bytes: what the group adds to the segment. */
    public long bytes() {
        return bytes;
    }

    /** Empties the group; the buffer is kept for the next one. */
    public void clear() {
        bytes = 0;
        count = 0;
    }

    private void requireRecords() {
        if (count == 0) {
            throw new IllegalStateException("the group is empty");
        }
    }

    /** The framed bytes as a buffer (tests read them). */
    ByteBuffer buffer() {
        return buffer.limit(bytes).position(0);
    }

    /** The framed bytes as a segment, for the writer's copy. */
    MemorySegment framed() {
        return view.asSlice(0, bytes).asReadOnly();
    }
}
