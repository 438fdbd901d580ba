package org.skipstore.pagestore.internal.engine;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The write-ahead log's bytes on disk, declared once as layouts; every offset the log uses is
 * derived from them here. All fields are little-endian except the magic, which reads as text in a
 * hex dump (as the page file's {@code Meta}).
 *
 * <p>A log is a row of <b>segment files</b> in one directory, named
 * {@code log-<first sequence, 20 zero-padded decimal digits>.wal} ({@link #segmentName}); any
 * other name there is not the log's ({@link #parseSegmentName} is strict, and the log builds
 * every path from the number it parsed, never from a name it read).
 *
 * <pre>
 * segment header ({@link #HEADER}, 64 bytes)
 *   0  magic          8   "SKPSWAL\0" (big-endian)
 *   8  version        4   {@link #FORMAT_VERSION}
 *  12  crc            4   CRC32C of bytes 0..11 and 16..63 (the whole header but itself)
 *  16  databaseId     8   the database the segment belongs to
 *  24  firstSequence  8   the sequence of its first record (also in its name)
 *  32  createdAt      8   milliseconds since the epoch; informational, nothing reads it
 *  40  reserved      24   zeros
 * record ({@link #RECORD}, 16 bytes, then the payload), right after the header or the record before
 *   0  crc            4   CRC32C of bytes 4..15+length (length, sequence and payload)
 *   4  length         4   payload bytes (unsigned; at most {@link #MAX_PAYLOAD})
 *   8  sequence       8   consecutive from the header's firstSequence
 *  16  payload        length
 * </pre>
 *
 * Records are packed back to back with no alignment: nothing maps them as structures, and padding
 * would be bytes to write and to check. The length is inside the record's CRC, so a flipped length
 * fails the record instead of misplacing the next one unnoticed.
 */
public final class LogFormat {

    /** "SKPSWAL\0". */
    public static final long MAGIC = 0x534B_5053_5741_4C00L;
    /** The version this code writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;

    static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong MAGIC_BE = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A segment's first bytes. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            MAGIC_BE.withName("magic"),
            U32.withName("version"),
            U32.withName("crc"),
            U64.withName("databaseId"),
            U64.withName("firstSequence"),
            U64.withName("createdAt"),
            MemoryLayout.paddingLayout(24).withName("reserved")).withName("segmentHeader");

    /** A record's fixed part; the payload follows it. */
    public static final StructLayout RECORD = MemoryLayout.structLayout(
            U32.withName("crc"),
            U32.withName("length"),
            U64.withName("sequence")).withName("record");

    public static final long HEADER_BYTES = HEADER.byteSize();
    public static final long RECORD_BYTES = RECORD.byteSize();

    static final long H_MAGIC = HEADER.byteOffset(groupElement("magic"));
    static final long H_VERSION = HEADER.byteOffset(groupElement("version"));
    static final long H_CRC = HEADER.byteOffset(groupElement("crc"));
    static final long H_DATABASE = HEADER.byteOffset(groupElement("databaseId"));
    static final long H_FIRST = HEADER.byteOffset(groupElement("firstSequence"));
    static final long H_CREATED = HEADER.byteOffset(groupElement("createdAt"));

    static final long R_CRC = RECORD.byteOffset(groupElement("crc"));
    static final long R_LENGTH = RECORD.byteOffset(groupElement("length"));
    static final long R_SEQUENCE = RECORD.byteOffset(groupElement("sequence"));
    /** Where the record's CRC starts: everything after the CRC field itself. */
    static final long R_CHECKED = R_CRC + U32.byteSize();

    /** The largest payload: a group of one record must still fit a Java array. */
    public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 64;

    private static final String PREFIX = "log-";
    private static final String SUFFIX = ".wal";
    private static final int DIGITS = 20;

    static {
        if (HEADER_BYTES != 64 || RECORD_BYTES != 16 || H_CRC + U32.byteSize() != H_DATABASE || R_CHECKED != R_LENGTH) {
            throw new ExceptionInInitializerError("the log's layouts moved: header " + HEADER_BYTES + ", record " + RECORD_BYTES);
        }
    }

    private LogFormat() {
    }

    /** The name of the segment whose first record has sequence {@code firstSequence} (>= 0). */
    public static String segmentName(long firstSequence) {
        if (firstSequence < 0) {
            throw new IllegalArgumentException("a sequence is not negative: " + firstSequence);
        }
        return PREFIX + String.format("%0" + DIGITS + "d", firstSequence) + SUFFIX;
    }

    /**
     * The first sequence that {@code name} encodes, or -1 when it is not exactly a segment name
     * (prefix, 20 ASCII digits whose value fits a long, suffix): such a file is not the log's.
     */
    public static long parseSegmentName(String name) {
        if (name.length() != PREFIX.length() + DIGITS + SUFFIX.length() || !name.startsWith(PREFIX)
                || !name.endsWith(SUFFIX)) {
            return -1;
        }
        long value = 0;
        for (int i = PREFIX.length(); i < PREFIX.length() + DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return -1; // 20 digits can exceed a long
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Fills {@code header} ({@link #HEADER_BYTES} bytes) with a segment header, its CRC last. */
    static void writeHeader(MemorySegment header, long databaseId, long firstSequence, long createdAt) {
        header.asSlice(0, HEADER_BYTES).fill((byte) 0);
        header.set(MAGIC_BE, H_MAGIC, MAGIC);
        header.set(U32, H_VERSION, FORMAT_VERSION);
        header.set(U64, H_DATABASE, databaseId);
        header.set(U64, H_FIRST, firstSequence);
        header.set(U64, H_CREATED, createdAt);
        header.set(U32, H_CRC, headerCrc(header));
    }

    /** The CRC32C a header must carry: of all its bytes but the CRC field. */
    static int headerCrc(MemorySegment header) {
        CRC32C crc = new CRC32C();
        crc.update(header.asSlice(0, H_CRC).asByteBuffer());
        crc.update(header.asSlice(H_CRC + U32.byteSize(), HEADER_BYTES - H_CRC - U32.byteSize()).asByteBuffer());
        return (int) crc.getValue();
    }

    static long magic(MemorySegment header) {
        return header.get(MAGIC_BE, H_MAGIC);
    }

    static int version(MemorySegment header) {
        return header.get(U32, H_VERSION);
    }

    static boolean headerCrcMatches(MemorySegment header) {
        return header.get(U32, H_CRC) == headerCrc(header);
    }

    static long databaseId(MemorySegment header) {
        return header.get(U64, H_DATABASE);
    }

    static long firstSequence(MemorySegment header) {
        return header.get(U64, H_FIRST);
    }

    /**
     * The length of the whole record (fixed part and payload) at {@code at} in {@code segment}
     * when it lies inside {@code [at, end)} and its CRC checks; -1 when it is incomplete or fails.
     */
    static long checkedRecordBytes(MemorySegment segment, long at, long end) {
        if (end - at < RECORD_BYTES) {
            return -1;
        }
        long length = Integer.toUnsignedLong(segment.get(U32, at + R_LENGTH));
        if (length > end - at - RECORD_BYTES) {
            return -1;
        }
        long recordEnd = at + RECORD_BYTES + length;
        CRC32C crc = new CRC32C();
        crc.update(segment.asSlice(at + R_CHECKED, recordEnd - at - R_CHECKED).asByteBuffer());
        return segment.get(U32, at + R_CRC) == (int) crc.getValue() ? recordEnd - at : -1;
    }

    static long recordSequence(MemorySegment segment, long at) {
        return segment.get(U64, at + R_SEQUENCE);
    }
}
