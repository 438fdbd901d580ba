package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.arena.ShardedArena;
import org.skipstore.core.internal.Node;
import org.skipstore.core.internal.SkipList;

/**
 * Proves that concurrent writes keep every level of the skip list well formed: each level is
 * strictly ordered by (key ascending, sequence descending), each level is a subset of the level
 * below, and once the writers are done, level 0 holds every version written and level {@code i}
 * holds exactly the nodes whose tower is taller than {@code i} (no tower left half linked).
 *
 * <p>Uses the internal {@link SkipList} directly (the package is not exported by the module, but
 * this suite runs on the class path). Two actors {@code PUT} interleaving keys, {@code k00, k02,
 * ..., k14} and {@code k01, k03, ..., k15}, in ascending order, and each also puts the shared key
 * {@code k07x} twice, so that level 0 carries four versions of it; heights are random (p = 1/2,
 * at most {@link Node#MAX_HEIGHT} = 24 levels), so with 20 nodes some towers reach level 1 or
 * higher nearly every time. The arbiter walks every
 * level from the head. Fields: {@code OK} or the first defect found, and the number of levels in
 * use (1 when no tower rose above level 0, so only level 0 was checked).
 */
@JCStressTest
@Outcome(id = "OK, ([2-9]|1[0-9]|2[0-4])", expect = ACCEPTABLE, desc = "Every level is ordered, nested and complete.")
@Outcome(id = "OK, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Level 0 is ordered and complete, but no tower rose above it this time.")
@Outcome(id = "DISORDER_.*", expect = FORBIDDEN, desc = "Two neighbours on a level are out of order.")
@Outcome(id = "NOT_IN_LEVEL_BELOW_.*", expect = FORBIDDEN, desc = "A node is on a level but not on the one below.")
@Outcome(id = "TOO_SHORT_.*", expect = FORBIDDEN, desc = "A node is on a level its tower does not reach.")
@Outcome(id = "INCOMPLETE_.*", expect = FORBIDDEN, desc = "A finished tower is missing from one of its levels.")
@Outcome(id = "LEVEL0_.*", expect = FORBIDDEN, desc = "Level 0 lost a version, has an extra one, or repeats a sequence.")
@Outcome(expect = FORBIDDEN, desc = "A write failed, a walk did not end, or a call threw.")
@State
public class SkipListLevelsTest {

    static final String SHARED = "k07x";
    static final String[] KEYS_1 = {"k00", "k02", "k04", SHARED, "k06", "k08", "k10", SHARED, "k12", "k14"};
    static final String[] KEYS_2 = {"k01", "k03", "k05", SHARED, "k07", "k09", "k11", SHARED, "k13", "k15"};
    static final MemorySegment VALUE = MemorySegment.ofArray(Memtables.bytes("vv"));

    final ShardedArena arena = ShardedArena.builder().shards(1).regions(2).initialChunkBytes(2048).build(); // as the memtable: towers apart
    final SkipList sl = new SkipList(arena, 0);
    String failure1, failure2;

    @Actor
    public void writer1() {
        failure1 = writeAll(KEYS_1);
    }

    @Actor
    public void writer2() {
        failure2 = writeAll(KEYS_2);
    }

    private String writeAll(String[] keys) {
        try {
            for (String k : keys) {
                int r = sl.write(MemorySegment.ofArray(Memtables.bytes(k)), VALUE, SkipList.PUT, sl.splice(), 0);
                if (r != SkipList.INSERTED) {
                    return "WRITE_" + r;
                }
            }
            return null;
        } catch (Throwable t) {
            return "WRITE_" + Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        try {
            if (failure1 != null || failure2 != null) {
                r.r1 = failure1 != null ? failure1 : failure2;
            } else {
                check(r);
            }
        } catch (Throwable t) {
            r.r1 = "ARBITER_" + Memtables.name(t);
        } finally {
            try {
                arena.close();
            } catch (Throwable t) {
                r.r1 = "CLOSE_" + Memtables.name(t);
            }
        }
    }

    private void check(LL_Result r) {
        List<Long> level0 = new ArrayList<>();
        String defect = walk(0, null, level0);
        if (defect != null) {
            r.r1 = defect;
            return;
        }
        defect = checkLevel0(level0);
        if (defect != null) {
            r.r1 = defect;
            return;
        }
        int levels = 1;
        Set<Long> below = new HashSet<>(level0);
        for (int level = 1; level < Node.MAX_HEIGHT; level++) {
            List<Long> nodes = new ArrayList<>();
            defect = walk(level, below, nodes);
            if (defect != null) {
                r.r1 = defect;
                return;
            }
            int taller = 0;
            for (long x : level0) {
                if (height(x) > level) {
                    taller++;
                }
            }
            if (nodes.size() != taller) {
                r.r1 = "INCOMPLETE_L" + level + "_" + nodes.size() + "_OF_" + taller;
                return;
            }
            if (!nodes.isEmpty()) {
                levels = level + 1;
            }
            below = new HashSet<>(nodes);
        }
        r.r1 = "OK";
        r.r2 = String.valueOf(levels);
    }

    /**
     * Walks {@code level} from the head into {@code out}, checking order, membership in the level
     * below ({@code below}, null for level 0) and tower height; returns the first defect or null.
     */
    private String walk(int level, Set<Long> below, List<Long> out) {
        long prev = 0;
        long x = sl.next(sl.head(), level);
        while (x != 0) {
            if (out.size() > 100) {
                return "ENDLESS_L" + level;
            }
            if (height(x) <= level) {
                return "TOO_SHORT_L" + level;
            }
            if (below != null && !below.contains(x)) {
                return "NOT_IN_LEVEL_BELOW_L" + level;
            }
            if (prev != 0) {
                int c = sl.compareKey(prev, keyOf(x));
                if (c > 0 || (c == 0 && sl.stampOf(prev) <= sl.stampOf(x))) {
                    return "DISORDER_L" + level;
                }
            }
            out.add(x);
            prev = x;
            x = sl.next(x, level);
        }
        return null;
    }

    /** Level 0 must hold one version of each key, four of the shared one, all with distinct sequences. */
    private String checkLevel0(List<Long> level0) {
        Map<String, Integer> versions = new HashMap<>();
        Set<Long> seqs = new HashSet<>();
        for (long x : level0) {
            versions.merge(Memtables.text(keyOf(x)), 1, Integer::sum);
            if (!seqs.add(sl.stampOf(x))) {
                return "LEVEL0_REPEATED_SEQUENCE";
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        for (String k : KEYS_1) {
            expected.merge(k, 1, Integer::sum);
        }
        for (String k : KEYS_2) {
            expected.merge(k, 1, Integer::sum);
        }
        return versions.equals(expected) ? null : "LEVEL0_HOLDS_" + level0.size() + "_VERSIONS";
    }

    private MemorySegment keyOf(long x) {
        return sl.chunk(x).asSlice(sl.keyOffset(x), sl.keyLength(x));
    }

    private int height(long x) {
        return Node.height(sl.chunk(x), ShardedArena.offset(x));
    }
}
