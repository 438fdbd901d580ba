package org.skipstore.core.internal;

import org.skipstore.core.ConcurrentSkipList.Structure;

/**
 * The structural check of a {@link SkipList} ({@code ConcurrentSkipList.verify()}). Every
 * property it checks holds at every moment, also while writers link (a node is reachable on a
 * level only after it is on every level below, and nothing is ever unlinked), so it reads
 * without a lock. Throws {@link IllegalStateException} naming the first broken property.
 */
public final class Checker {

    private Checker() {
    }

    public static Structure check(SkipList sl) {
        int levels = sl.levels();
        long[] perLevel = new long[levels];
        for (int level = levels - 1; level >= 1; level--) {
            perLevel[level] = checkLevel(sl, level);
        }
        long versions = 0;
        long keys = 0;
        long live = 0;
        long pending = 0;
        long prev = 0;
        for (long x = sl.next(sl.head(), 0); x != 0; x = sl.next(x, 0)) {
            versions++;
            if (prev != 0) {
                checkOrder(sl, prev, x, 0);
            }
            if (prev != 0 && sl.hasOlder(prev) != sl.sameKey(prev, x)) {
                throw broken("a version's OLDER flag says " + sl.hasOlder(prev) + " where its next node "
                        + (sl.sameKey(prev, x) ? "is" : "is not") + " of the same key");
            }
            if (prev == 0 || !sl.sameKey(prev, x)) {
                keys++;
                if (!sl.isTombstone(x)) {
                    live++;
                }
            }
            if (sl.stampOf(x) == Stamps.PENDING) {
                pending++;
            }
            prev = x;
        }
        if (prev != 0 && sl.hasOlder(prev)) {
            throw broken("the last version's OLDER flag is set");
        }
        perLevel[0] = versions;
        return new Structure(levels, perLevel, versions, keys, live, pending);
    }

    /**
     * Level {@code level}: in order, every node tall enough, and every node on the level below
     * at a place after the previous one (one walk of both levels, since each is sorted).
     */
    private static long checkLevel(SkipList sl, int level) {
        long count = 0;
        long below = sl.head();
        long prev = 0;
        for (long x = sl.next(sl.head(), level); x != 0; x = sl.next(x, level)) {
            count++;
            if (sl.heightOf(x) <= level) {
                throw broken("a node of height " + sl.heightOf(x) + " is linked on level " + level);
            }
            if (sl.stampOf(x) == Stamps.PENDING) {
                throw broken("a version without a sequence is linked on level " + level);
            }
            if (prev != 0) {
                checkOrder(sl, prev, x, level);
            }
            while (below != x) {
                below = sl.next(below, level - 1);
                if (below == 0) {
                    throw broken("a node of level " + level + " is missing from level " + (level - 1));
                }
            }
            prev = x;
        }
        return count;
    }

    /** {@code a} then {@code b} on {@code level}: keys ascending, a key's sequences descending. */
    private static void checkOrder(SkipList sl, long a, long b, int level) {
        int c = sl.compareNodes(a, b);
        if (c > 0 || (c == 0 && sl.stampOf(a) < sl.stampOf(b))
                || (c == 0 && sl.stampOf(a) == sl.stampOf(b) && sl.stampOf(a) != Stamps.PENDING)) {
            throw broken("level " + level + " is out of order: a version with sequence " + sl.stampOf(a)
                    + " is followed by one with sequence " + sl.stampOf(b) + (c == 0 ? " of the same key" : " of a smaller key"));
        }
    }

    private static IllegalStateException broken(String what) {
        return new IllegalStateException("the skip list is broken: " + what);
    }
}
