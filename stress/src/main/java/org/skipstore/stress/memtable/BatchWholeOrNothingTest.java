package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.List;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.InsertResult;

/**
 * Proves that a batch is admitted whole or not at all when a racing writer takes the room: with
 * room for two more entries ({@code maxEntries(3)}, one present, refusing when full), actor 1
 * inserts the batch {@code a, b} and actor 2 puts {@code c}. Either the batch fits (and the put
 * is refused) or the put took a place first (and the batch is refused whole); never one entry of
 * the batch. Fields: the batch's results ({@code BOTH}, {@code NONE} or the mix), the put's
 * result, and how many of {@code a, b} the list holds afterwards.
 */
@JCStressTest
@Outcome(id = "BOTH, OUT_OF_MEMORY, 2", expect = ACCEPTABLE, desc = "The batch came first and fitted whole.")
@Outcome(id = "NONE, INSERTED, 0", expect = ACCEPTABLE, desc = "The put came first; the batch was refused whole.")
@Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "One entry of the batch was written without the other.")
@Outcome(expect = FORBIDDEN, desc = "Results that contradict the list's content, or a call threw.")
@State
public class BatchWholeOrNothingTest {

    final ConcurrentSkipList list = ConcurrentSkipList.builder().shards(1).initialArenaBytesPerShard(1024)
            .maxEntries(3).whenFull(ConcurrentSkipList.WhenFull.REFUSE).build();

    {
        list.put(Memtables.bytes("z"), Memtables.bytes("v"));
    }

    @Actor
    public void actor1(LLL_Result r) {
        try {
            List<InsertResult> results = list.insertBatch(List.of(
                    Map.entry(Memtables.bytes("a"), Memtables.bytes("1")), Map.entry(Memtables.bytes("b"), Memtables.bytes("2"))));
            r.r1 = results.equals(List.of(InsertResult.INSERTED, InsertResult.INSERTED)) ? "BOTH"
                    : results.equals(List.of(InsertResult.OUT_OF_MEMORY, InsertResult.OUT_OF_MEMORY)) ? "NONE"
                    : results.toString();
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void actor2(LLL_Result r) {
        try {
            r.r2 = list.put(Memtables.bytes("c"), Memtables.bytes("3")).name();
        } catch (Throwable t) {
            r.r2 = Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = Memtables.verdict(list, () -> String.valueOf(
                (list.get(Memtables.bytes("a")) != null ? 1 : 0) + (list.get(Memtables.bytes("b")) != null ? 1 : 0)));
    }
}
