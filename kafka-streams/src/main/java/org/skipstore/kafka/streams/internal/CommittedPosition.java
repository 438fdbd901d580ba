package org.skipstore.kafka.streams.internal;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.query.Position;

/**
 * A store's committed {@link Position} (the input offsets its data reflects, which interactive
 * queries bound their reads by) as commit metadata {@link #NAME}, written in the batch of each
 * commit with the changelog offsets, so that after a restart the store answers queries bounded by
 * the position it had, as RocksDB's store does with its position file. The encoding is {@link
 * CommittedOffsets}' (offsets by topic and partition). A position that would pass {@link
 * #MAX_BYTES} (a global store reads every partition of its topic) is not recorded: the store then
 * starts from an empty position after a restart, as it did before its first commit.
 */
public final class CommittedPosition {

    /** The commit metadata name of the position. */
    public static final String NAME = "kafka.position";
    /**
     * The largest encoding: the engine keeps 4096 bytes of metadata, of which the changelog
     * offsets take up to {@link CommittedOffsets#MAX_BYTES}; the rest is the engine's and the
     * store's format marker.
     */
    static final int MAX_BYTES = 640;

    private CommittedPosition() {
    }

    /**
     * The commit metadata that records {@code position}: one value, or none when it would pass
     * {@link #MAX_BYTES} (the store says so in its log).
     */
    public static Map<String, byte[]> metadata(Position position) {
        TreeMap<TopicPartition, Long> offsets = new TreeMap<>(CommittedOffsets.ORDER);
        for (String topic : position.getTopics()) {
            position.getPartitionPositions(topic).forEach((p, offset) -> offsets.put(new TopicPartition(topic, p), offset));
        }
        return CommittedOffsets.encodedSize(offsets) > MAX_BYTES ? Map.of() : Map.of(NAME, CommittedOffsets.encode(offsets));
    }

    /**
     * The position recorded in the engine's commit {@code metadata}; empty when none is.
     *
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the value is damaged
     */
    public static Position from(Map<String, byte[]> metadata) {
        Position p = Position.emptyPosition();
        byte[] value = metadata.get(NAME);
        if (value != null) {
            CommittedOffsets.decode(value, NAME).forEach((tp, offset) -> p.withComponent(tp.topic(), tp.partition(), offset));
        }
        return p;
    }
}
