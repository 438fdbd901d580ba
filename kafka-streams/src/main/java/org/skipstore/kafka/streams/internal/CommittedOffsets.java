package org.skipstore.kafka.streams.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;

/**
 * The changelog offsets a store has committed (KIP-1035), and their encoding as the engine's
 * commit metadata: one value named {@link #NAME}, committed atomically with the data it
 * describes. Immutable: {@link #with} returns the offsets after a commit.
 *
 * <p>One value holds every partition, grouped by topic, little-endian:
 * <pre>
 *   header:                  version u16, topics u16
 *   each topic, by name:     topicBytes u16, partitions u16, topic (UTF-8)
 *     each partition, by number:  partition i32, offset i64
 * </pre>
 * A metadata name may not hold a topic (topic names reach 249 characters, metadata names 255
 * bytes with a prefix), and the engine cannot remove a name, while a commit may
 * clear offsets; so the offsets are one value, rewritten whole by each commit that changes them.
 * A topic costs 4 bytes and its name, a partition 12: the engine's 4 KiB of metadata hold a few
 * hundred partitions (a global store commits every partition of its topic).
 */
public final class CommittedOffsets {

    /** The commit metadata name of the offsets. */
    public static final String NAME = "kafka.offsets";
    /** The format this class writes. */
    static final int VERSION = 1;
    /**
     * The largest encoding: the engine keeps at most 4096 bytes of metadata, names and its own
     * entries included (WriteTransaction#putMetadata); a quarter is left to those.
     */
    static final int MAX_BYTES = 3072;

    private static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final StructLayout HEADER = MemoryLayout.structLayout(U16.withName("version"), U16.withName("topics"));
    static final StructLayout TOPIC = MemoryLayout.structLayout(U16.withName("topicBytes"), U16.withName("partitions"));
    static final StructLayout PARTITION = MemoryLayout.structLayout(I32.withName("partition"), I64.withName("offset"));

    private static final long VERSION_AT = HEADER.byteOffset(groupElement("version"));
    private static final long TOPICS_AT = HEADER.byteOffset(groupElement("topics"));
    private static final long TOPIC_BYTES_AT = TOPIC.byteOffset(groupElement("topicBytes"));
    private static final long PARTITIONS_AT = TOPIC.byteOffset(groupElement("partitions"));
    private static final long PARTITION_AT = PARTITION.byteOffset(groupElement("partition"));
    private static final long OFFSET_AT = PARTITION.byteOffset(groupElement("offset"));

    static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
    private static final CommittedOffsets NONE = new CommittedOffsets(new TreeMap<>(ORDER));

    private final SortedMap<TopicPartition, Long> offsets;

    private CommittedOffsets(SortedMap<TopicPartition, Long> offsets) {
        this.offsets = Collections.unmodifiableSortedMap(offsets);
    }

    /** No offset committed. */
    public static CommittedOffsets none() {
        return NONE;
    }

    /**
     * The offsets in the engine's commit {@code metadata} (none when it has no {@link #NAME}).
     *
     * @throws ProcessorStateException when the value is not such an encoding
     */
    public static CommittedOffsets from(Map<String, byte[]> metadata) {
        byte[] value = metadata.get(NAME);
        return value == null ? NONE : decode(value);
    }

    /** The offset committed for {@code partition}, or null. */
    public Long get(TopicPartition partition) {
        return offsets.get(Objects.requireNonNull(partition, "partition"));
    }

    /** Every committed offset, by topic and partition. */
    public SortedMap<TopicPartition, Long> all() {
        return offsets;
    }

    /**
     * The offsets after a commit of {@code changes}, as {@code StateStore#commit} defines it: an
     * empty map clears every offset, a null offset clears its partition's, another sets it.
     *
     * @throws ProcessorStateException when the result would not fit the engine's metadata
     */
    public CommittedOffsets with(Map<TopicPartition, Long> changes) {
        TreeMap<TopicPartition, Long> next = new TreeMap<>(ORDER);
        if (!changes.isEmpty()) {
            next.putAll(offsets);
            for (Map.Entry<TopicPartition, Long> e : changes.entrySet()) {
                TopicPartition tp = Objects.requireNonNull(e.getKey(), "a changelog partition");
                if (e.getValue() == null) {
                    next.remove(tp);
                } else {
                    next.put(tp, e.getValue());
                }
            }
        }
        CommittedOffsets result = new CommittedOffsets(next);
        long size = result.encodedSize();
        if (size > MAX_BYTES) {
            throw new ProcessorStateException("the changelog offsets of " + next.size() + " partitions take " + size
                    + " bytes encoded, more than the " + MAX_BYTES + " a Skipstore store keeps");
        }
        return result;
    }

    /** The commit metadata that records these offsets. */
    public Map<String, byte[]> metadata() {
        return Map.of(NAME, encode(offsets));
    }

    private long encodedSize() {
        return encodedSize(offsets);
    }

    /** The bytes {@link #encode} makes of {@code offsets}. */
    static long encodedSize(SortedMap<TopicPartition, Long> offsets) {
        long size = HEADER.byteSize();
        String topic = null;
        for (TopicPartition tp : offsets.keySet()) {
            if (!tp.topic().equals(topic)) {
                topic = tp.topic();
                size += TOPIC.byteSize() + topic.getBytes(StandardCharsets.UTF_8).length;
            }
            size += PARTITION.byteSize();
        }
        return size;
    }

    /**
     * Where {@link #encode} writes, one per thread (a store commits on its stream thread): native
     * memory, as everything the engine's accessors see (NativeKeys), and made once rather than at
     * every commit, which under the driver's commit per record cost a tenth of the commit.
     */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(MAX_BYTES));

    /**
     * The encoding of {@code offsets} (in {@link #ORDER}, so a topic's partitions come together):
     * the format above, which the store's {@code CommittedPosition} shares (a position is offsets
     * by topic and partition too).
     */
    static byte[] encode(SortedMap<TopicPartition, Long> offsets) {
        long size = encodedSize(offsets);
        if (size > MAX_BYTES) { // callers check their own limits first; this is for the rest
            try (Arena arena = Arena.ofConfined()) {
                return encode(offsets, arena.allocate(size));
            }
        }
        return encode(offsets, SCRATCH.get().asSlice(0, size));
    }

    private static byte[] encode(SortedMap<TopicPartition, Long> offsets, MemorySegment out) {
        out.set(U16, VERSION_AT, (short) VERSION);
        int topics = 0;
        long topicAt = -1; // the current topic's header, whose partition count is set when it ends
        int partitions = 0;
        String topic = null;
        long at = HEADER.byteSize();
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            if (!e.getKey().topic().equals(topic)) {
                if (topicAt >= 0) {
                    out.set(U16, topicAt + PARTITIONS_AT, (short) partitions);
                }
                topic = e.getKey().topic();
                topics++;
                partitions = 0;
                topicAt = at;
                byte[] name = topic.getBytes(StandardCharsets.UTF_8);
                out.set(U16, at + TOPIC_BYTES_AT, (short) name.length);
                at += TOPIC.byteSize();
                MemorySegment.copy(name, 0, out, JAVA_BYTE, at, name.length);
                at += name.length;
            }
            out.set(I32, at + PARTITION_AT, e.getKey().partition());
            out.set(I64, at + OFFSET_AT, e.getValue());
            at += PARTITION.byteSize();
            partitions++;
        }
        if (topicAt >= 0) {
            out.set(U16, topicAt + PARTITIONS_AT, (short) partitions);
        }
        out.set(U16, TOPICS_AT, (short) topics);
        return out.toArray(JAVA_BYTE);
    }

    static CommittedOffsets decode(byte[] value) {
        return new CommittedOffsets(decode(value, NAME));
    }

    /**
     * The offsets {@link #encode} made {@code value} of, commit metadata {@code name}.
     *
     * @throws ProcessorStateException when it is not such an encoding
     */
    static TreeMap<TopicPartition, Long> decode(byte[] value, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, in, JAVA_BYTE, 0, value.length);
            long size = value.length;
            if (size < HEADER.byteSize()) {
                throw damaged(name, "shorter than its header");
            }
            int version = Short.toUnsignedInt(in.get(U16, VERSION_AT));
            if (version != VERSION) {
                throw damaged(name, "format " + version + ", this version reads " + VERSION);
            }
            int topics = Short.toUnsignedInt(in.get(U16, TOPICS_AT));
            TreeMap<TopicPartition, Long> offsets = new TreeMap<>(ORDER);
            long at = HEADER.byteSize();
            for (int t = 0; t < topics; t++) {
                if (at + TOPIC.byteSize() > size) {
                    throw damaged(name, "topic " + t + " passes the end");
                }
                int nameBytes = Short.toUnsignedInt(in.get(U16, at + TOPIC_BYTES_AT));
                int partitions = Short.toUnsignedInt(in.get(U16, at + PARTITIONS_AT));
                at += TOPIC.byteSize();
                if (nameBytes == 0 || at + nameBytes + partitions * PARTITION.byteSize() > size) {
                    throw damaged(name, "topic " + t + " passes the end");
                }
                String topic = utf8(in.asSlice(at, nameBytes), t, name);
                at += nameBytes;
                for (int p = 0; p < partitions; p++) {
                    offsets.put(new TopicPartition(topic, in.get(I32, at + PARTITION_AT)), in.get(I64, at + OFFSET_AT));
                    at += PARTITION.byteSize();
                }
            }
            if (at != size) {
                throw damaged(name, size - at + " bytes after the last topic");
            }
            return offsets;
        }
    }

    private static String utf8(MemorySegment bytes, int topic, String name) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(bytes.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw damaged(name, "topic " + topic + " has a name that is not UTF-8");
        }
    }

    private static ProcessorStateException damaged(String name, String why) {
        return new ProcessorStateException("the committed offsets of commit metadata " + name + " are damaged: " + why);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommittedOffsets c && offsets.equals(c.offsets);
    }

    @Override
    public int hashCode() {
        return offsets.hashCode();
    }

    @Override
    public String toString() {
        return "CommittedOffsets" + offsets;
    }
}
