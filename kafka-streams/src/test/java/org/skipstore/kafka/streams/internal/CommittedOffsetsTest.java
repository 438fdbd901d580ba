package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.junit.jupiter.api.Test;

/** The offsets' encoding in commit metadata, and what a commit's map does to them. */
class CommittedOffsetsTest {

    static final TopicPartition A0 = new TopicPartition("a", 0);
    static final TopicPartition A7 = new TopicPartition("a", 7);
    static final TopicPartition B0 = new TopicPartition("b-topic", 0);

    @Test
    void theLayoutsHaveTheDocumentedSizes() {
        assertThat(CommittedOffsets.HEADER.byteSize()).isEqualTo(4);
        assertThat(CommittedOffsets.TOPIC.byteSize()).isEqualTo(4);
        assertThat(CommittedOffsets.PARTITION.byteSize()).isEqualTo(12);
    }

    @Test
    void offsetsRoundTripThroughTheirMetadata() {
        CommittedOffsets o = CommittedOffsets.none().with(Map.of(A7, 70L, B0, Long.MAX_VALUE, A0, 0L));
        Map<String, byte[]> metadata = o.metadata();
        assertThat(metadata).containsOnlyKeys(CommittedOffsets.NAME);
        CommittedOffsets back = CommittedOffsets.from(metadata);
        assertThat(back).isEqualTo(o);
        assertThat(back.get(A7)).isEqualTo(70L);
        assertThat(back.get(B0)).isEqualTo(Long.MAX_VALUE);
        assertThat(back.get(A0)).isZero();
        assertThat(back.get(new TopicPartition("a", 1))).isNull();
        // header, two topics ("a" with 2 partitions, "b-topic" with 1)
        assertThat(metadata.get(CommittedOffsets.NAME)).hasSize(4 + (4 + 1 + 2 * 12) + (4 + 7 + 12));
    }

    @Test
    void noMetadataIsNoOffsets() {
        assertThat(CommittedOffsets.from(Map.of())).isEqualTo(CommittedOffsets.none());
        assertThat(CommittedOffsets.from(Map.of("other", new byte[3])).all()).isEmpty();
    }

    @Test
    void anEmptyCommitClearsEveryOffsetAndANullOffsetItsPartitions() {
        CommittedOffsets o = CommittedOffsets.none().with(Map.of(A0, 1L, A7, 2L, B0, 3L));
        Map<TopicPartition, Long> clearA7 = new HashMap<>();
        clearA7.put(A7, null);
        clearA7.put(A0, 10L);
        CommittedOffsets next = o.with(clearA7);
        assertThat(next.all()).containsExactly(Map.entry(A0, 10L), Map.entry(B0, 3L));
        assertThat(o.all()).hasSize(3); // unchanged
        assertThat(next.with(Map.of()).all()).isEmpty();
    }

    @Test
    void tooManyOffsetsAreRefused() {
        Map<TopicPartition, Long> many = new HashMap<>();
        for (int p = 0; p < 255; p++) {
            many.put(new TopicPartition("t", p), (long) p);
        }
        CommittedOffsets fits = CommittedOffsets.none().with(many); // 4 + 5 + 255 * 12 = 3069 bytes
        assertThat(CommittedOffsets.from(fits.metadata())).isEqualTo(fits);
        many.put(new TopicPartition("t", 255), 1L);
        assertThatThrownBy(() -> CommittedOffsets.none().with(many)).isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("3081 bytes");
    }

    @Test
    void damagedValuesAreRefused() {
        byte[] good = CommittedOffsets.none().with(Map.of(A0, 1L, B0, 2L)).metadata().get(CommittedOffsets.NAME);
        assertDamaged(Arrays.copyOf(good, 3), "shorter than its header");
        assertDamaged(Arrays.copyOf(good, good.length - 1), "passes the end");
        assertDamaged(Arrays.copyOf(good, good.length + 1), "after the last topic");
        byte[] version = good.clone();
        version[0] = 2;
        assertDamaged(version, "format 2");
        byte[] noName = good.clone();
        noName[4] = 0;
        noName[5] = 0;
        assertDamaged(noName, "passes the end");
        byte[] notUtf8 = good.clone();
        notUtf8[8] = (byte) 0xff;
        assertDamaged(notUtf8, "not UTF-8");
    }

    private static void assertDamaged(byte[] value, String why) {
        assertThatThrownBy(() -> CommittedOffsets.from(Map.of(CommittedOffsets.NAME, value)))
                .isInstanceOf(ProcessorStateException.class).hasMessageContaining("damaged").hasMessageContaining(why);
    }
}
