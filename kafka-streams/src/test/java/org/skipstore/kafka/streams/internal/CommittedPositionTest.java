package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.query.Position;
import org.junit.jupiter.api.Test;

/** A store's position as commit metadata: read back as written, left out when too large, damage refused. */
class CommittedPositionTest {

    @Test
    void aPositionIsReadBackAsWritten() {
        Position p = Position.emptyPosition().withComponent("orders", 0, 17).withComponent("orders", 3, 5)
                .withComponent("customers", 1, 1L << 40);
        Map<String, byte[]> m = CommittedPosition.metadata(p);
        assertThat(m).containsOnlyKeys(CommittedPosition.NAME);
        assertThat(CommittedPosition.from(m)).isEqualTo(p);
        assertThat(CommittedPosition.from(Map.of())).isEqualTo(Position.emptyPosition());
    }

    @Test
    void aPositionPastItsRoomIsNotRecorded() {
        Position p = Position.emptyPosition();
        for (int i = 0; i < 60; i++) { // 60 partitions take 720 bytes
            p.withComponent("global-topic", i, i);
        }
        assertThat(CommittedPosition.metadata(p)).isEmpty();
    }

    @Test
    void aDamagedPositionIsRefusedByName() {
        assertThatThrownBy(() -> CommittedPosition.from(Map.of(CommittedPosition.NAME, new byte[] {1})))
                .isInstanceOf(ProcessorStateException.class).hasMessageContaining(CommittedPosition.NAME);
    }
}
