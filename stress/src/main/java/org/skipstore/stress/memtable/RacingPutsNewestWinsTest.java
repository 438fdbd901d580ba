package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;

/**
 * Proves that of two racing puts of one key, the newest version, the one {@code get} returns
 * afterwards, is the one with the larger sequence: versions of a key are linked in sequence order
 * (a write that finds a newer version already linked takes a fresh sequence), so {@code get} never
 * returns an older version over a newer one.
 *
 * <p>Each actor puts its value ({@code A} or {@code B}) and then {@code get}s the key, recording
 * the value and sequence it sees: its own version ({@code OWN}), or the other actor's
 * ({@code OTHER}), which must then be newer than its own. The arbiter {@code get}s the key once
 * more and checks it against every version the actors saw: its sequence must be at least theirs,
 * a sequence seen twice must carry the same value, and the list must hold exactly two versions.
 * Fields: actor 1's and actor 2's observation, and the arbiter's verdict: {@code NEWEST_value}
 * when all holds; {@code OLDER_value} when it returned a version older than one an actor saw.
 */
@JCStressTest
@Outcome(id = {"OWN, OWN, NEWEST_A", "OWN, OWN, NEWEST_B"}, expect = ACCEPTABLE,
        desc = "Each actor read its own version back; the later one is the newest.")
@Outcome(id = "OWN, OTHER, NEWEST_A", expect = ACCEPTABLE,
        desc = "Actor 2's get saw actor 1's newer version, which stays the newest.")
@Outcome(id = "OTHER, OWN, NEWEST_B", expect = ACCEPTABLE,
        desc = "Actor 1's get saw actor 2's newer version, which stays the newest.")
@Outcome(id = "OTHER, OTHER, .*", expect = FORBIDDEN,
        desc = "Each actor saw the other's version as newer than its own: the order of versions changed.")
@Outcome(id = ".*, OLDER_.*", expect = FORBIDDEN,
        desc = "The final get returned a version older than one an actor had seen.")
@Outcome(expect = FORBIDDEN,
        desc = "The final value contradicts what the actors saw, a sequence carried two values, "
                + "the version count is not 2, or a call threw.")
@State
public class RacingPutsNewestWinsTest {

    static final byte[] KEY = Memtables.bytes("k");

    final ConcurrentSkipList list = Memtables.newList();
    String tag1, tag2;
    long seq1, seq2;

    @Actor
    public void actor1(LLL_Result r) {
        try {
            Entry e = putThenGet("A");
            tag1 = Memtables.valueOf(e);
            seq1 = e == null ? -1 : e.sequence();
            r.r1 = observation("A", "B", tag1);
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void actor2(LLL_Result r) {
        try {
            Entry e = putThenGet("B");
            tag2 = Memtables.valueOf(e);
            seq2 = e == null ? -1 : e.sequence();
            r.r2 = observation("B", "A", tag2);
        } catch (Throwable t) {
            r.r2 = Memtables.name(t);
        }
    }

    private Entry putThenGet(String value) {
        String put = list.put(KEY, Memtables.bytes(value)).name();
        if (!put.equals("INSERTED")) {
            throw new IllegalStateException(put);
        }
        return list.get(KEY);
    }

    static String observation(String own, String other, String seen) {
        return seen.equals(own) ? "OWN" : seen.equals(other) ? "OTHER" : "SAW_" + seen;
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            r.r3 = verdict();
        } catch (Throwable t) {
            r.r3 = "ARBITER_" + Memtables.name(t);
        } finally {
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r3 = failure;
            }
        }
    }

    private String verdict() {
        Entry e = list.get(KEY);
        if (e == null) {
            return "MISSING";
        }
        String tag = Memtables.valueOf(e);
        long seq = e.sequence();
        if (seq < seq1 || seq < seq2) {
            return "OLDER_" + tag;
        }
        if ((seq == seq1 && !tag.equals(tag1)) || (seq == seq2 && !tag.equals(tag2))
                || (seq1 == seq2 && tag1 != null && !tag1.equals(tag2))) {
            return "INCONSISTENT";
        }
        long versions = list.versionCount();
        if (versions != 2) {
            return "VERSIONS_" + versions;
        }
        return "NEWEST_" + tag;
    }
}
