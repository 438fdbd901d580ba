package org.skipstore.kafka.streams.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.streams.errors.ProcessorStateException;

/**
 * What a store's values are, and the guard that keeps a store in the format it was written in.
 * A plain store holds the values Kafka Streams gives it; a timestamped store (Kafka Streams'
 * {@code TimestampedBytesStore}) holds each value after its record's timestamp, as the DSL writes
 * them, and Kafka Streams' restore converts the changelog's plain values to that form. The same
 * bytes read in the other format are garbage, so a store records its format in its commit
 * metadata, as the value named {@link #NAME}:
 * <pre>
 *   format u8:  1 plain, 2 timestamped (0 is never written)
 * </pre>
 * The store writes it in the first batch it writes to the engine (a commit's or a restore's), so
 * the engine never holds the store's data without it; a store with none (empty) takes the format
 * it opens with. {@link #check} fails the opening of a store recorded in the other format.
 */
public enum ValueFormat {

    PLAIN((byte) 1, "plain values"),
    TIMESTAMPED((byte) 2, "timestamped values (each value after its record's timestamp)");

    /** The commit metadata name of the format. */
    public static final String NAME = "kafka.format";

    static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_BYTE.withName("format"));
    private static final long FORMAT_AT = LAYOUT.byteOffset(groupElement("format"));

    private final byte code;
    private final String description;

    ValueFormat(byte code, String description) {
        this.code = code;
        this.description = description;
    }

    /**
     * The format recorded in the engine's commit {@code metadata}, or null when none is.
     *
     * @throws ProcessorStateException when the value is not such an encoding
     */
    public static ValueFormat recorded(Map<String, byte[]> metadata) {
        byte[] value = metadata.get(NAME);
        if (value == null) {
            return null;
        }
        if (value.length != LAYOUT.byteSize()) {
            throw new ProcessorStateException("the store's value format (commit metadata " + NAME + ") is damaged: "
                    + value.length + " bytes, not " + LAYOUT.byteSize());
        }
        byte code = MemorySegment.ofArray(value).get(JAVA_BYTE, FORMAT_AT);
        for (ValueFormat f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new ProcessorStateException("the store's value format (commit metadata " + NAME + ") is damaged: code "
                + Byte.toUnsignedInt(code) + " is neither plain (1) nor timestamped (2)");
    }

    /**
     * Checks that store {@code store}, kept in {@code dir}, may open in this format over its
     * commit {@code metadata}: when it recorded the other format, its values would be misread.
     *
     * @throws ProcessorStateException when the metadata records the other format, or is damaged
     */
    public void check(String store, Path dir, Map<String, byte[]> metadata) {
        ValueFormat recorded = recorded(metadata);
        if (recorded != null && recorded != this) {
            throw new ProcessorStateException("Skipstore store " + store + " in " + dir + " holds " + recorded.description
                    + " and is opened as a store of " + description + ": its supplier changed (for example"
                    + " SkipstoreStores.persistentKeyValueStore and persistentTimestampedKeyValueStore). Reset the"
                    + " application's local state (stop it and call KafkaStreams#cleanUp() before start(), or delete"
                    + " the store's directory) so that the store restores from its changelog in the new format");
        }
    }

    /** Whether the engine's commit {@code metadata} records a format (this one, once {@link #check} passed). */
    public static boolean isRecordedIn(Map<String, byte[]> metadata) {
        return metadata.containsKey(NAME);
    }

    /** The commit metadata that records this format. */
    public Map<String, byte[]> metadata() {
        byte[] value = new byte[(int) LAYOUT.byteSize()];
        MemorySegment.ofArray(value).set(JAVA_BYTE, FORMAT_AT, code);
        return Map.of(NAME, value);
    }
}
