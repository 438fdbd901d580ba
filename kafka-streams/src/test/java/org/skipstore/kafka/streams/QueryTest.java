package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.skipstore.kafka.streams.Fixture.drain;
import static org.skipstore.kafka.streams.Fixture.key;
import static org.skipstore.kafka.streams.Fixture.string;
import static org.skipstore.kafka.streams.Fixture.value;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Interactive queries (v2) on the store: key and range queries, position bounds, isolation levels. */
class QueryTest extends StoreTestBase {

    static final QueryConfig UNCOMMITTED = new QueryConfig(false, IsolationLevel.READ_UNCOMMITTED);
    static final QueryConfig COMMITTED = new QueryConfig(false, IsolationLevel.READ_COMMITTED);

    @BeforeEach
    void write() {
        context.processing("input", 0, 4);
        store.put(key("a"), value("1"));
        store.put(key("b"), value("2"));
        store.put(key("c"), value("3"));
        store.commit(Map.of());
        context.processing("input", 0, 5);
        store.put(key("d"), value("4"));
        store.delete(key("a"));
    }

    @Test
    void aKeyQueryReadsAtItsIsolationLevel() {
        QueryResult<byte[]> r = store.query(KeyQuery.<Bytes, byte[]>withKey(key("d")), PositionBound.unbounded(), UNCOMMITTED);
        assertThat(r.isSuccess()).isTrue();
        assertThat(string(r.getResult())).isEqualTo("4");
        assertThat(store.query(KeyQuery.<Bytes, byte[]>withKey(key("d")), PositionBound.unbounded(), COMMITTED)
                .getResult()).isNull();
        assertThat(string(store.query(KeyQuery.<Bytes, byte[]>withKey(key("a")), PositionBound.unbounded(), COMMITTED)
                .getResult())).isEqualTo("1");
        assertThat(store.query(KeyQuery.<Bytes, byte[]>withKey(key("z")), PositionBound.unbounded(), UNCOMMITTED)
                .getResult()).isNull();
    }

    @Test
    void aRangeQueryIteratesItsBoundsInItsOrder() {
        assertThat(drain(range(RangeQuery.withRange(key("a"), key("c")), UNCOMMITTED))).containsExactly("b=2", "c=3");
        assertThat(drain(range(RangeQuery.<Bytes, byte[]>withNoBounds().withDescendingKeys(), UNCOMMITTED)))
                .containsExactly("d=4", "c=3", "b=2");
        assertThat(drain(range(RangeQuery.withLowerBound(key("c")), COMMITTED))).containsExactly("c=3");
        assertThat(drain(range(RangeQuery.withUpperBound(key("b")), COMMITTED))).containsExactly("a=1", "b=2");
    }

    private KeyValueIterator<Bytes, byte[]> range(RangeQuery<Bytes, byte[]> q, QueryConfig config) {
        QueryResult<KeyValueIterator<Bytes, byte[]>> r = store.query(q, PositionBound.unbounded(), config);
        assertThat(r.isSuccess()).isTrue();
        return r.getResult();
    }

    @Test
    void otherQueriesAreOfAnUnknownType() {
        QueryResult<?> r = store.query(WindowKeyQuery.withKeyAndWindowStartRange(key("a"), Instant.EPOCH, Instant.now()),
                PositionBound.unbounded(), UNCOMMITTED);
        assertThat(r.isFailure()).isTrue();
        assertThat(r.getFailureReason()).isEqualTo(FailureReason.UNKNOWN_QUERY_TYPE);
    }

    @Test
    void writesMoveThePositionAndACommitMakesItCommitted() {
        QueryResult<byte[]> uncommitted = store.query(KeyQuery.withKey(key("d")), PositionBound.unbounded(), UNCOMMITTED);
        assertThat(uncommitted.getPosition()).isEqualTo(Position.emptyPosition().withComponent("input", 0, 5));
        QueryResult<byte[]> committed = store.query(KeyQuery.withKey(key("d")), PositionBound.unbounded(), COMMITTED);
        assertThat(committed.getPosition()).isEqualTo(Position.emptyPosition().withComponent("input", 0, 4));
        assertThat(store.getPosition()).isEqualTo(Position.emptyPosition().withComponent("input", 0, 4));
        store.commit(Map.of());
        assertThat(store.getPosition()).isEqualTo(Position.emptyPosition().withComponent("input", 0, 5));
    }

    @Test
    void aCloseDropsTheUncommittedPosition() {
        store.close();
        store.init(context, store);
        assertThat(store.query(KeyQuery.withKey(key("d")), PositionBound.unbounded(), UNCOMMITTED).getPosition()
                .getPartitionPositions("input").getOrDefault(0, -1L)).isLessThan(5L);
    }

    /** The committed position is kept with the data: after a restart, a query bounded by it runs. */
    @Test
    void theCommittedPositionSurvivesARestart() {
        store.commit(Map.of());
        Position committed = Position.emptyPosition().withComponent("input", 0, 5);
        reopen();
        assertThat(store.getPosition()).isEqualTo(committed);
        QueryResult<byte[]> r = store.query(KeyQuery.withKey(key("d")), PositionBound.at(committed), COMMITTED);
        assertThat(r.isSuccess()).isTrue();
        assertThat(string(r.getResult())).isEqualTo("4");
        context.processing("input", 1, 7); // a second partition joins the position
        store.put(key("e"), value("5"));
        store.commit(Map.of());
        reopen();
        assertThat(store.getPosition()).isEqualTo(Position.emptyPosition().withComponent("input", 0, 5)
                .withComponent("input", 1, 7));
    }

    @Test
    void aQueryRunsOnlyOnceThePositionReachesItsBound() {
        PositionBound at5 = PositionBound.at(Position.emptyPosition().withComponent("input", 0, 5));
        PositionBound at6 = PositionBound.at(Position.emptyPosition().withComponent("input", 0, 6));
        PositionBound otherTopic = PositionBound.at(Position.emptyPosition().withComponent("other", 0, 1));
        PositionBound otherPartition = PositionBound.at(Position.emptyPosition().withComponent("input", 1, 100));
        assertThat(store.query(KeyQuery.withKey(key("d")), at5, UNCOMMITTED).isSuccess()).isTrue();
        QueryResult<byte[]> behind = store.query(KeyQuery.withKey(key("d")), at6, UNCOMMITTED);
        assertThat(behind.getFailureReason()).isEqualTo(FailureReason.NOT_UP_TO_BOUND);
        assertThat(store.query(KeyQuery.withKey(key("d")), at5, COMMITTED).getFailureReason())
                .isEqualTo(FailureReason.NOT_UP_TO_BOUND);
        assertThat(store.query(KeyQuery.withKey(key("d")), otherTopic, UNCOMMITTED).getFailureReason())
                .isEqualTo(FailureReason.NOT_UP_TO_BOUND);
        // the store holds the records of its task's partition (0) only: a bound on another does not hold it back
        assertThat(store.query(KeyQuery.withKey(key("d")), otherPartition, UNCOMMITTED).isSuccess()).isTrue();
    }

    @Test
    void executionInfoIsCollectedWhenAskedFor() {
        QueryResult<byte[]> r = store.query(KeyQuery.withKey(key("d")), PositionBound.unbounded(),
                new QueryConfig(true, IsolationLevel.READ_UNCOMMITTED));
        assertThat(r.getExecutionInfo()).singleElement().asString().contains(SkipstoreKeyValueStore.class.getName());
        assertThat(store.query(KeyQuery.withKey(key("d")), PositionBound.unbounded(), UNCOMMITTED).getExecutionInfo())
                .isEmpty();
    }
}
