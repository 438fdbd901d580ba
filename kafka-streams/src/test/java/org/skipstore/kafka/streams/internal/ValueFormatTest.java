package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.junit.jupiter.api.Test;

/** The value format's encoding in commit metadata, and the check a store's opening makes. */
class ValueFormatTest {

    @Test
    void theFormatIsOneDocumentedByte() {
        assertThat(ValueFormat.LAYOUT.byteSize()).isEqualTo(1);
        assertThat(ValueFormat.PLAIN.metadata()).containsOnlyKeys("kafka.format");
        assertThat(ValueFormat.PLAIN.metadata().get(ValueFormat.NAME)).containsExactly(1);
        assertThat(ValueFormat.TIMESTAMPED.metadata().get(ValueFormat.NAME)).containsExactly(2);
    }

    @Test
    void aFormatRoundTripsThroughItsMetadata() {
        for (ValueFormat f : ValueFormat.values()) {
            assertThat(ValueFormat.recorded(f.metadata())).isSameAs(f);
            assertThat(ValueFormat.isRecordedIn(f.metadata())).isTrue();
        }
        assertThat(ValueFormat.recorded(Map.of("kafka.offsets", new byte[4]))).isNull();
        assertThat(ValueFormat.isRecordedIn(Map.of())).isFalse();
    }

    @Test
    void aDamagedFormatIsRefused() {
        for (byte[] damaged : new byte[][] {{0}, {3}, {(byte) 0xff}, {}, {1, 1}}) {
            assertThatThrownBy(() -> ValueFormat.recorded(Map.of(ValueFormat.NAME, damaged)))
                    .isInstanceOf(ProcessorStateException.class).hasMessageContaining("damaged");
        }
    }

    @Test
    void theCheckPassesTheSameFormatOrNoneAndRefusesTheOther() {
        Path dir = Path.of("state", "0_0", "counts");
        ValueFormat.PLAIN.check("counts", dir, Map.of());
        ValueFormat.PLAIN.check("counts", dir, ValueFormat.PLAIN.metadata());
        ValueFormat.TIMESTAMPED.check("counts", dir, ValueFormat.TIMESTAMPED.metadata());
        assertThatThrownBy(() -> ValueFormat.TIMESTAMPED.check("counts", dir, ValueFormat.PLAIN.metadata()))
                .isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("store counts in " + dir + " holds plain values")
                .hasMessageContaining("as a store of timestamped values");
        assertThatThrownBy(() -> ValueFormat.PLAIN.check("counts", dir, ValueFormat.TIMESTAMPED.metadata()))
                .isInstanceOf(ProcessorStateException.class)
                .hasMessageContaining("holds timestamped values")
                .hasMessageContaining("as a store of plain values");
    }
}
