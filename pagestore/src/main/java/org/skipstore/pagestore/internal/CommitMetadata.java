package org.skipstore.pagestore.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The encoding of a state's commit metadata ({@link Meta#metadata}): named values committed
 * atomically with the data. Little-endian, in one block:
 *
 * <pre>
 *   header: count u32, reserved u32
 *   count entries, by name:  nameBytes u16, reserved u16, valueBytes u32, name (UTF-8), value
 * </pre>
 *
 * At most {@link #MAX_BYTES} encoded: metadata is for a few small values (a log sequence, a
 * changelog offset per partition), read whole by every reader that asks, and rewritten whole by
 * every commit that changes it.
 */
public final class CommitMetadata {

    /** Largest encoding, header and entries included. */
    public static final int MAX_BYTES = 4096;
    /** Longest name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final StructLayout HEADER = MemoryLayout.structLayout(U32.withName("count"), U32.withName("reserved"));
    static final StructLayout ENTRY = MemoryLayout.structLayout(
            U16.withName("nameBytes"), U16.withName("reserved"), U32.withName("valueBytes"));

    private static final long COUNT = HEADER.byteOffset(groupElement("count"));
    private static final long NAME_BYTES = ENTRY.byteOffset(groupElement("nameBytes"));
    private static final long VALUE_BYTES = ENTRY.byteOffset(groupElement("valueBytes"));

    private CommitMetadata() {
    }

    /** The UTF-8 bytes of a valid name. */
    public static byte[] checkName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a metadata name is not empty");
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a metadata name has at most " + MAX_NAME_BYTES + " UTF-8 bytes: "
                    + b.length);
        }
        return b;
    }

    /** The name that {@code bytes} encode (strict UTF-8), or null when they are not a valid name. */
    public static String nameOf(MemorySegment bytes) {
        if (bytes.byteSize() == 0 || bytes.byteSize() > MAX_NAME_BYTES) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Encoded size of {@code values}. */
    public static long size(Map<String, byte[]> values) {
        long n = HEADER.byteSize();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            n += ENTRY.byteSize() + checkName(e.getKey()).length + e.getValue().length;
        }
        return n;
    }

    /**
     * Returns the encoded size of {@code values}.
     *
     * @throws IllegalArgumentException past {@link #MAX_BYTES}
     */
    public static long checkSize(Map<String, byte[]> values) {
        long size = size(values);
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("commit metadata would take " + size + " bytes encoded, more than "
                    + MAX_BYTES);
        }
        return size;
    }

    /**
     * Encodes {@code values} into {@code to}; returns the bytes written.
     *
     * @throws IllegalArgumentException past {@link #MAX_BYTES}
     */
    static long encode(SortedMap<String, byte[]> values, MemorySegment to) {
        checkSize(values);
        to.set(U32, COUNT, values.size());
        to.set(U32, HEADER.byteOffset(groupElement("reserved")), 0);
        long at = HEADER.byteSize();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            byte[] name = checkName(e.getKey());
            byte[] value = e.getValue();
            to.set(U16, at + NAME_BYTES, (short) name.length);
            to.set(U16, at + ENTRY.byteOffset(groupElement("reserved")), (short) 0);
            to.set(U32, at + VALUE_BYTES, value.length);
            at += ENTRY.byteSize();
            MemorySegment.copy(name, 0, to, JAVA_BYTE, at, name.length);
            at += name.length;
            MemorySegment.copy(value, 0, to, JAVA_BYTE, at, value.length);
            at += value.length;
        }
        return at;
    }

    /**
     * Decodes what {@link #encode} wrote (a segment of exactly its length, its CRC checked).
     *
     * @throws IllegalStateException when the bytes are not such an encoding (damage)
     */
    static SortedMap<String, byte[]> decode(MemorySegment from) {
        TreeMap<String, byte[]> values = new TreeMap<>();
        long size = from.byteSize();
        if (size < HEADER.byteSize()) {
            throw damaged("shorter than its header");
        }
        long count = Integer.toUnsignedLong(from.get(U32, COUNT));
        long at = HEADER.byteSize();
        for (long i = 0; i < count; i++) {
            if (at + ENTRY.byteSize() > size) {
                throw damaged("entry " + i + " passes the end");
            }
            int nameBytes = Short.toUnsignedInt(from.get(U16, at + NAME_BYTES));
            long valueBytes = Integer.toUnsignedLong(from.get(U32, at + VALUE_BYTES));
            at += ENTRY.byteSize();
            if (nameBytes == 0 || at + nameBytes + valueBytes > size) {
                throw damaged("entry " + i + " passes the end");
            }
            String name = nameOf(from.asSlice(at, nameBytes));
            if (name == null) {
                throw damaged("entry " + i + " has a name that is not UTF-8");
            }
            at += nameBytes;
            values.put(name, from.asSlice(at, valueBytes).toArray(JAVA_BYTE));
            at += valueBytes;
        }
        if (at != size) {
            throw damaged(size - at + " bytes after the last entry");
        }
        return Collections.unmodifiableSortedMap(values);
    }

    /**
     * The metadata of state {@code m}, read through {@code src} (a view of that state).
     *
     * @throws CorruptBlockException when its block fails its CRC
     */
    static SortedMap<String, byte[]> read(PageSource src, Meta m) {
        Meta.Stored s = m.metadata;
        if (s.isNone()) {
            return Collections.emptySortedMap();
        }
        MemorySegment b = src.read(s.page(), 1L << s.order()).asSlice(0, s.bytes());
        int crc = Checksums.crc32c(b, 0, s.bytes());
        if (crc != s.crc()) {
            throw new CorruptBlockException(s.page(), s.bytes(), s.crc(), crc);
        }
        return decode(b);
    }

    /** Whether two metadata maps hold the same names and values. */
    static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            byte[] other = b.get(e.getKey());
            if (other == null || !Arrays.equals(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    private static IllegalStateException damaged(String why) {
        return new IllegalStateException("the commit metadata is damaged: " + why);
    }
}
