package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;

/**
 * Proves the whole seal protocol for a writer that goes on writing across a seal, with the flush
 * racing it: every write lands in exactly one of the frozen and the fresh list, and the flush,
 * an iteration of the frozen list that starts the moment {@code seal()} returns while the writer
 * may still be writing, holds exactly the writes that were reported {@code INSERTED} on the
 * frozen list. ({@link InsertRacingSealTest} races one write against the seal and flushes after
 * both; this test races the flush against the writer, and follows the writer onto the fresh list.)
 *
 * <p>Actor 1 puts {@code a=1}, {@code b=2}, {@code c=3} in that order into the list; when a put
 * reports {@code SEALED}, it waits for the sealer to publish the {@link ConcurrentSkipList.Sealed}
 * pair and makes that put and the rest on the fresh list, as an owner's writers would. Actor 2
 * seals the list, publishes the pair and at once flushes the frozen list. The arbiter iterates the
 * fresh list once both are done, and iterates the frozen list again. Fields: where each put
 * landed, in order ({@code F} inserted in the frozen list, {@code N} in the fresh one), the flush's
 * contents, the fresh list's contents ({@code key value} pairs, {@code -} for none). The arbiter
 * replaces the last field when the frozen list changed after the flush, or the seal failed.
 */
@JCStressTest
@Outcome(id = "FFF, a1b2c3, -", expect = ACCEPTABLE, desc = "Every put came before the seal and is flushed.")
@Outcome(id = "NNN, -, a1b2c3", expect = ACCEPTABLE, desc = "The seal came first: every put is in the fresh list.")
@Outcome(id = {"FFN, a1b2, c3", "FNN, a1, b2c3"}, expect = ACCEPTABLE_INTERESTING,
        desc = "The seal came between two puts: the earlier ones are flushed, the later ones are in the fresh list.")
@Outcome(id = {"F.., -, .*", ".F., [^b]*, .*", "..F, [^c]*, .*"}, expect = FORBIDDEN,
        desc = "A put reported INSERTED on the frozen list is missing from the flush: lost.")
@Outcome(id = {"N.., a.*", ".N., .*b.*, .*", "..N, .*c.*, .*"}, expect = FORBIDDEN,
        desc = "A put that reported SEALED on the frozen list is in the flush anyway: doubled.")
@Outcome(id = ".*, FROZEN_CHANGED_.*", expect = FORBIDDEN,
        desc = "The frozen list changed after the flush: a write got in after seal() returned.")
@Outcome(expect = FORBIDDEN,
        desc = "A write is in neither list or in the fresh one twice, a put failed otherwise, or a call threw.")
@State
public class WriterAcrossSealTest extends Memtables.SealState {

    static final String[] KEYS = {"a", "b", "c"};

    @Actor
    public void writer(LLL_Result r) {
        StringBuilder landed = new StringBuilder();
        try {
            ConcurrentSkipList target = list;
            for (int i = 0; i < KEYS.length; i++) {
                byte[] key = Memtables.bytes(KEYS[i]);
                byte[] value = Memtables.bytes(String.valueOf(i + 1));
                String put = target.put(key, value).name();
                if (put.equals("SEALED") && target == list) {
                    ConcurrentSkipList.Sealed s;
                    while ((s = sealed) == null && sealFailure == null) {
                        Thread.onSpinWait(); // the sealer publishes the pair as soon as seal() returns
                    }
                    if (s == null) {
                        r.r1 = landed + "_NO_FRESH";
                        return;
                    }
                    target = s.fresh();
                    put = target.put(key, value).name();
                }
                if (!put.equals("INSERTED")) {
                    r.r1 = landed + "_" + put;
                    return;
                }
                landed.append(target == list ? 'F' : 'N');
            }
            r.r1 = landed.toString();
        } catch (Throwable t) {
            r.r1 = landed + "_" + Memtables.name(t);
        }
    }

    @Actor
    public void sealerThenFlusher(LLL_Result r) {
        ConcurrentSkipList.Sealed s = seal();
        try {
            r.r2 = s == null ? sealFailure : Memtables.contents(s.frozen().iterator());
        } catch (Throwable t) {
            r.r2 = "FLUSH_" + Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = verdict(() -> {
            String frozen = Memtables.contents(list.iterator());
            return frozen.equals(r.r2) ? Memtables.contents(sealed.fresh().iterator()) : "FROZEN_CHANGED_" + frozen;
        });
    }
}
