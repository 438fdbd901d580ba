package org.skipstore.pagestore.internal.bskip;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.skipstore.core.Keys;
import org.skipstore.pagestore.internal.Checker;
import org.skipstore.pagestore.internal.PageSource;

/**
 * Walks every partition of one state, level by level, and checks the shape {@link Tree}
 * describes: partition headers; nodes laid out in key order ({@link Partition}); keys strictly ascending along each level; every key on level
 * {@code L} of level at least {@code L}; each level's partitions cut exactly before the keys of
 * the level above, each reached through its first key's down reference (the level's first
 * through its root); the entry count. Reports every block it finds (partitions, out-of-line
 * values) to a {@link Checker}, which proves that used and free blocks tile the file. The same
 * walk gives the {@link Shape} statistics.
 */
public final class TreeChecker {

    /** What the walk saw. */
    public record Shape(long entries, int levels, long[] partitions, long[] nodes, long usedBytes, long blockBytes,
                        long outOfLineValues, long outOfLineBytes, long largestBlock) {

        /** Used bytes of the partitions over the bytes of their blocks. */
        public double fill() {
            return blockBytes == 0 ? 0 : (double) usedBytes / blockBytes;
        }
    }

    private TreeChecker() {
    }

    /** Walks without checking the blocks (for statistics). */
    public static Shape walk(PageSource s, Levels levels) {
        return check(s, levels, null);
    }

    /**
     * Checks state {@code s}; reports its blocks to {@code blocks} when not null.
     *
     * @throws IllegalStateException naming the first violation
     */
    public static Shape check(PageSource s, Levels levels, Checker blocks) {
        int top = Tree.top(s);
        long[] partitions = new long[Levels.LEVELS];
        long[] nodes = new long[Levels.LEVELS];
        long used = 0;
        long bytes = 0;
        long largest = 0;
        long ool = 0;
        long oolBytes = 0;
        for (int L = top + 1; L < Levels.LEVELS; L++) {
            if (s.root(L) != 0) {
                throw new IllegalStateException("level " + L + " has a root above the top level " + top);
            }
        }
        if (top < 0) {
            if (Tree.count(s) != 0) {
                throw new IllegalStateException("an empty list counts " + Tree.count(s) + " entries");
            }
            return new Shape(0, 0, partitions, nodes, 0, 0, 0, 0, 0);
        }
        // The partitions of the level above, in order; the top level has exactly one.
        List<Long> upper = List.of();
        long higherKeys = 0; // nodes on the level above
        for (int L = top; L >= 0; L--) {
            List<Long> level = new ArrayList<>();
            List<MemorySegment> starts = new ArrayList<>(); // the key each partition must start with
            long root = s.root(L);
            if (root == 0) {
                throw new IllegalStateException("level " + L + " is empty below the top level " + top);
            }
            if (L == top) {
                level.add(root);
                starts.add(null);
            } else {
                MemorySegment first = Tree.partition(s, upper.get(0));
                if (Partition.down(first, 0) != root) {
                    level.add(root);
                    starts.add(null);
                }
                for (long u : upper) {
                    MemorySegment up = Tree.partition(s, u);
                    for (int i = 0; i < Partition.count(up); i++) {
                        level.add(Partition.down(up, i));
                        starts.add(Partition.key(up, i));
                    }
                }
                if (level.get(0) != root) {
                    throw new IllegalStateException("level " + L + "'s root is not its first partition");
                }
            }
            MemorySegment previous = null;
            long higher = 0;
            for (int t = 0; t < level.size(); t++) {
                long page = level.get(t);
                MemorySegment p = Tree.partition(s, page);
                String where = "partition " + page + " (level " + L + ", #" + t + ")";
                if (Partition.level(p) != L || Partition.kind(p) != (L == 0 ? Partition.DATA : Partition.INDEX)) {
                    throw new IllegalStateException(where + ": header says level " + Partition.level(p) + ", kind "
                            + Partition.kind(p));
                }
                int n = Partition.count(p);
                if (n == 0) {
                    throw new IllegalStateException(where + " is empty");
                }
                String layout = Partition.layoutError(p);
                if (layout != null) {
                    throw new IllegalStateException(where + ": " + layout);
                }
                if (starts.get(t) != null && Keys.compare(Partition.key(p, 0), starts.get(t)) != 0) {
                    throw new IllegalStateException(where + " does not start with the key that points to it");
                }
                if (blocks != null) {
                    blocks.usedRun(page, Partition.pages(p));
                }
                partitions[L]++;
                used += Partition.headerBytes() + Partition.used(p);
                bytes += p.byteSize();
                largest = Math.max(largest, p.byteSize());
                for (int i = 0; i < n; i++) {
                    MemorySegment k = Partition.key(p, i);
                    if (previous != null && Keys.compare(previous, k) >= 0) {
                        throw new IllegalStateException(where + ": key " + i + " is not above the key before it");
                    }
                    previous = k;
                    int h = levels.level(k);
                    if (h < L) {
                        throw new IllegalStateException(where + ": key " + i + " of level " + h + " on level " + L);
                    }
                    if (h > L) {
                        higher++;
                        if (i != 0) {
                            throw new IllegalStateException(where + ": key " + i + " of level " + h
                                    + " does not start a partition");
                        }
                    }
                    if (L == 0 && Partition.isOutOfLine(p, i)) {
                        long len = Partition.valueLength(p, i);
                        if (blocks != null) {
                            long run = Partition.outOfLinePage(p, i);
                            int pages = Tree.valuePages(s.pageSize(), len);
                            blocks.usedRun(run, pages);
                            s.run(run, pages); // its checksum
                        }
                        ool++;
                        oolBytes += len;
                    }
                }
                nodes[L] += n;
            }
            if (L < top && higher != higherKeys) {
                throw new IllegalStateException("level " + L + " has " + higher + " keys of higher levels, level "
                        + (L + 1) + " has " + higherKeys);
            }
            if (L == top && higher != 0) {
                throw new IllegalStateException("the top level " + L + " holds keys of higher levels");
            }
            upper = level;
            higherKeys = nodes[L];
        }
        if (nodes[0] != Tree.count(s)) {
            throw new IllegalStateException("level 0 holds " + nodes[0] + " entries, the count says " + Tree.count(s));
        }
        return new Shape(nodes[0], top + 1, partitions, nodes, used, bytes, ool, oolBytes, largest);
    }
}
