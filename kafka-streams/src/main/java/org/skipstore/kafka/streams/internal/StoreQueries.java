package org.skipstore.kafka.streams.internal;

import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.ResultOrder;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries (v2) on a key-value store of bytes: {@link KeyQuery} and {@link
 * RangeQuery}; any other query fails {@link FailureReason#UNKNOWN_QUERY_TYPE}. A query runs only
 * when the store's position has reached the bound on the store's partition (else
 * {@link FailureReason#NOT_UP_TO_BOUND}); it reads the store as the query's isolation level says
 * ({@code readOnly(level)}); its result carries the position it answered at. A failure of the
 * store is a {@link FailureReason#STORE_EXCEPTION} result, not an exception.
 */
public final class StoreQueries {

    private StoreQueries() {
    }

    /**
     * Runs {@code query} against {@code reader} (the store read at the query's isolation level),
     * for {@code store} at {@code position}, which holds the records of {@code partition}.
     */
    public static <R> QueryResult<R> run(Query<R> query, PositionBound bound, QueryConfig config, StateStore store,
                                         ReadOnlyKeyValueStore<Bytes, byte[]> reader, Position position, int partition) {
        long start = config.isCollectExecutionInfo() ? System.nanoTime() : 0;
        QueryResult<R> result;
        if (!(query instanceof KeyQuery<?, ?>) && !(query instanceof RangeQuery<?, ?>)) {
            result = QueryResult.forUnknownQueryType(query, store);
        } else if (!reached(position, bound, partition)) {
            result = QueryResult.notUpToBound(position, bound, partition);
        } else {
            try {
                result = answer(query, reader);
            } catch (StreamsException | IllegalArgumentException e) {
                result = QueryResult.forFailure(FailureReason.STORE_EXCEPTION, "store " + store.name() + ": " + e);
            }
        }
        if (config.isCollectExecutionInfo()) {
            result.addExecutionInfo("Handled in " + store.getClass() + " in " + (System.nanoTime() - start) + "ns");
        }
        result.setPosition(position.copy());
        return result;
    }

    @SuppressWarnings("unchecked") // R is byte[] for a KeyQuery of this store, its iterator for a RangeQuery
    private static <R> QueryResult<R> answer(Query<R> query, ReadOnlyKeyValueStore<Bytes, byte[]> reader) {
        if (query instanceof KeyQuery<?, ?> q) {
            return (QueryResult<R>) QueryResult.forResult(reader.get((Bytes) q.getKey()));
        }
        RangeQuery<Bytes, byte[]> q = (RangeQuery<Bytes, byte[]>) query;
        Bytes lower = q.getLowerBound().orElse(null);
        Bytes upper = q.getUpperBound().orElse(null);
        KeyValueIterator<Bytes, byte[]> it = q.resultOrder() == ResultOrder.DESCENDING
                ? reader.reverseRange(lower, upper) : reader.range(lower, upper);
        return (QueryResult<R>) QueryResult.forResult(it);
    }

    /**
     * Whether {@code position} is at or past {@code bound} on {@code partition}: every topic the
     * bound names an offset of {@code partition} for, the store has seen that offset or a later one.
     */
    static boolean reached(Position position, PositionBound bound, int partition) {
        if (bound.isUnbounded()) {
            return true;
        }
        Position wanted = bound.position();
        for (String topic : wanted.getTopics()) {
            Long offset = wanted.getPartitionPositions(topic).get(partition);
            if (offset == null) {
                continue;
            }
            Map<Integer, Long> seen = position.getPartitionPositions(topic);
            Long at = seen.get(partition);
            if (at == null || at < offset) {
                return false;
            }
        }
        return true;
    }
}
