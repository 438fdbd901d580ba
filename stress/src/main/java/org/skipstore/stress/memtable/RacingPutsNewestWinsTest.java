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
import org.skipstore.stress.memtable.Memtables.Version;

/**
 * Proves that of two racing puts of one key, {@code get} returns the version with the larger
 * sequence, never the older one: a new version is linked in front of the key's versions and gets
 * its sequence (stamp) only after every older version of the key has one (a writer or reader
 * that stamps a version stamps the pending older ones first), so the first version of the key,
 * the one {@code get} finds, is the one with the largest sequence.
 *
 * <p>Each actor puts its value ({@code A} or {@code B}) and records its own version as the write
 * reports it ({@link Memtables#lastWritten}: value and sequence of the node it linked, known even
 * when the other version hides it), then {@code get}s the key and records the version it sees.
 * The arbiter knows both versions, so it knows which is newer, and classifies each {@code get}
 * against them: {@code OWN} (the actor's own version), {@code NEWER} (the other's version, with
 * the larger sequence), {@code OLDER} (the other's version, with the smaller sequence). Fields:
 * actor 1's and actor 2's {@code get}, then the arbiter's own {@code get} of the key once both are
 * done: {@code NEWEST_value} for the version with the larger sequence, {@code OLDER_value} for
 * the one with the smaller.
 */
@JCStressTest
@Outcome(id = {"OWN, OWN, NEWEST_A", "OWN, OWN, NEWEST_B"}, expect = ACCEPTABLE,
        desc = "Each actor read its own version back; the final get returns the one with the larger sequence.")
@Outcome(id = "OWN, NEWER, NEWEST_A", expect = ACCEPTABLE,
        desc = "Actor 2's get saw A, which has the larger sequence and stays the newest.")
@Outcome(id = "NEWER, OWN, NEWEST_B", expect = ACCEPTABLE,
        desc = "Actor 1's get saw B, which has the larger sequence and stays the newest.")
@Outcome(id = ".*, .*, OLDER_.*", expect = FORBIDDEN,
        desc = "The final get returned the version with the smaller sequence.")
@Outcome(id = {"OLDER, .*", ".*, OLDER, .*"}, expect = FORBIDDEN,
        desc = "An actor's get returned the other's version over its own newer one.")
@Outcome(id = ".*, .*, SAME_SEQUENCE", expect = FORBIDDEN, desc = "Both puts got one sequence.")
@Outcome(expect = FORBIDDEN,
        desc = "A get returned a version neither put wrote (torn value or sequence), no version, a version "
                + "count other than 2, or a call threw.")
@State
public class RacingPutsNewestWinsTest {

    static final byte[] KEY = Memtables.bytes("k");

    final ConcurrentSkipList list = Memtables.newList();
    /** Each actor's own version, and the version its get saw. */
    Version own1, own2, seen1, seen2;
    String failure1, failure2;

    @Actor
    public void actor1() {
        try {
            own1 = put("A");
            seen1 = Version.of(list.get(KEY));
        } catch (Throwable t) {
            failure1 = Memtables.name(t);
        }
    }

    @Actor
    public void actor2() {
        try {
            own2 = put("B");
            seen2 = Version.of(list.get(KEY));
        } catch (Throwable t) {
            failure2 = Memtables.name(t);
        }
    }

    /** Puts {@code value} and returns the version it linked. */
    private Version put(String value) {
        String put = list.put(KEY, Memtables.bytes(value)).name();
        if (!put.equals("INSERTED")) {
            throw new IllegalStateException(put);
        }
        Version v = Memtables.lastWritten(list);
        if (v == null || !v.value().equals(value)) {
            throw new IllegalStateException("the write reports another node: " + v);
        }
        return v;
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            if (failure1 != null || failure2 != null) {
                r.r1 = failure1 == null ? "OK" : failure1;
                r.r2 = failure2 == null ? "OK" : failure2;
                return;
            }
            r.r1 = classify(seen1, own1, own2);
            r.r2 = classify(seen2, own2, own1);
            r.r3 = verdict(Version.of(list.get(KEY)));
        } catch (Throwable t) {
            r.r3 = "ARBITER_" + Memtables.name(t);
        } finally {
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r3 = failure;
            }
        }
    }

    /** What a get saw, against the actor's own version and the other's. */
    static String classify(Version seen, Version own, Version other) {
        if (own.equals(seen)) {
            return "OWN";
        }
        if (other.equals(seen)) {
            return other.sequence() > own.sequence() ? "NEWER" : "OLDER";
        }
        return "UNKNOWN_" + seen;
    }

    /** The final get against the two versions written. */
    private String verdict(Version last) {
        if (own1.sequence() == own2.sequence()) {
            return "SAME_SEQUENCE";
        }
        Version newer = own1.sequence() > own2.sequence() ? own1 : own2;
        Version older = newer == own1 ? own2 : own1;
        if (last == null) {
            return "MISSING";
        }
        if (last.equals(older)) {
            return "OLDER_" + older.value();
        }
        if (!last.equals(newer)) {
            return "UNKNOWN_" + last;
        }
        long versions = list.versionCount();
        return versions == 2 ? "NEWEST_" + newer.value() : "VERSIONS_" + versions;
    }
}
