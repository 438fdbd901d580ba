package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import org.skipstore.pagestore.internal.Meta;
import org.skipstore.pagestore.internal.PageSource;

/**
 * The B-skip-list on the page layer: its shape, its root words, and the reads.
 *
 * <h2>Shape</h2>
 * <pre>
 *   level 2   [ d         ]                                    root[2]
 *               |
 *   level 1   [ a  d      ]--->[ d  k  q ]                      root[1] = a's partition
 *               |  (via down)   |  |  |
 *   level 0   [ a b c ]   [ d f ] [ k m ] [ q r z ]            root[0] = a's partition
 * </pre>
 * Every key is on level 0, with its value. A key whose rolled level ({@link Levels}) is
 * {@code h} is also on levels 1..h, as an index node whose down reference is the first page of
 * the level-below partition that it starts. The partitions of a level are cut exactly before
 * each key of a higher level, so every partition but a level's first starts with such a key and
 * is reached through that key's down reference; a level's first partition is reached through
 * its root word (and, when its first key is itself of a higher level, also through that key).
 * The shape is therefore a function of the key set alone. There are no sibling links (they
 * would make copy-on-write cascade along a level); a cursor keeps its path from the top and
 * finds a neighbouring partition through the level above.
 *
 * <h2>Search</h2>
 * Start in the top level's one partition ({@code root[top]}); in each partition take the last
 * node whose key is at most the one sought and follow its down reference; when every key of the
 * partition is larger (only possible in a level's first partition) go to the first partition of
 * the level below ({@code root[L - 1]}). On level 0 the key is found or not. Every walk down
 * the list is this one, {@link #descend}, with a {@link Rule} saying which node to follow: reads,
 * cursors and the writer's copy-on-write path.
 *
 * <h2>Root words ({@code Meta} roots, {@link #ROOT_WORDS})</h2>
 * {@code 0..7}: first partition of each level, 0 when the level is empty; {@code 8}: the number
 * of entries; {@code 9}: the format word ({@link #FORMAT_MAGIC}, version, B); {@code 10}: the
 * hash seed of the levels.
 *
 * <h2>Out-of-line values</h2>
 * A value longer than {@link #inlineMax} lives in a run of pages of its own, so
 * that large values neither bloat the partitions that copy-on-write copies nor limit the value
 * size: any value up to the largest block fits.
 *
 * <p>Local names: {@code L} a level, {@code p} a partition's segment, {@code i} a node index,
 * {@code j} the index in the level above whose down reference was followed ({@code -1}: the
 * level's root), {@code s} the source of pages.
 */
public final class Tree {

    /**
     * The list's root words, the first of the meta's roots ({@link PageSource#root} reads word
     * {@code i}): the words' indices below are derived from it.
     */
    public static final StructLayout ROOT_WORDS = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(Levels.LEVELS, JAVA_LONG).withName("level"),
            JAVA_LONG.withName("count"),
            JAVA_LONG.withName("format"),
            JAVA_LONG.withName("seed")).withName("roots");
    public static final int ROOT_COUNT = rootWord("count");
    public static final int ROOT_FORMAT = rootWord("format");
    public static final int ROOT_SEED = rootWord("seed");

    private static int rootWord(String name) {
        return Math.toIntExact(ROOT_WORDS.byteOffset(groupElement(name)) / JAVA_LONG.byteSize());
    }

    static {
        if (ROOT_WORDS.byteSize() > (long) Meta.ROOTS * JAVA_LONG.byteSize()) { // the meta has this many
            throw new ExceptionInInitializerError("the tree's root words pass the meta's " + Meta.ROOTS);
        }
    }

    /** "BSKP" in the high half of the format word. */
    public static final long FORMAT_MAGIC = 0x42534B50L;
    /**
     * 1: partitions in blocks of 2^n pages, slots of a u32 offset; 2: in runs of any number of
     * pages (a u16 count in the header), slots of a u32 offset and a u64 key prefix; 3: the
     * nodes of a partition lie in key order (node 0 at the block's end, descending), which
     * inserts rely on; 4: every run of the structure begins with its CRC32C; 5: slots of a u16
     * offset (u32 in blocks over 64 KiB) and a u16 key head after the partition's shared prefix,
     * whose length and first 8 bytes the header keeps ({@link Partition}).
     */
    public static final int FORMAT_VERSION = 5;

    private Tree() {
    }

    /** The format word for promotion probability {@code 1/b}. */
    public static long formatWord(int b) {
        return FORMAT_MAGIC << 32 | (long) FORMAT_VERSION << 16 | b;
    }

    /**
     * The largest value kept inline for {@code pageSize}: 1 KiB, or a quarter page with larger
     * pages. Larger values would make every copy of their partition large; out of line, a value
     * wastes less than a page.
     */
    public static long inlineMax(int pageSize) {
        return Math.max(1024, pageSize / 4);
    }

    /**
     * The largest key for {@code pageSize}: 1 KiB, or a quarter page with larger pages. Partitions
     * are runs of as many pages as they need, so a key may be longer than a page.
     */
    public static int maxKeyBytes(int pageSize) {
        return Math.max(1024, pageSize / 4);
    }

    /**
     * An out-of-line value's run: its checksum ({@link PageSource#CHECKSUM}), then the value's
     * bytes; the rest of the last page is unused.
     */
    public static final StructLayout VALUE_RUN = MemoryLayout.structLayout(PageSource.CHECKSUM.withName("crc"));
    /** Where an out-of-line value starts in its run. */
    public static final long VALUE_OFFSET = VALUE_RUN.byteSize();

    /** The pages of the run of an out-of-line value of {@code length} bytes. */
    public static int valuePages(int pageSize, long length) {
        return pagesFor(pageSize, VALUE_OFFSET + length);
    }

    /** The pages of the smallest run that holds {@code bytes}. */
    public static int pagesFor(int pageSize, long bytes) {
        return (int) Math.max(1, (bytes + pageSize - 1) / pageSize);
    }

    /** The partition at {@code page}, whole (its size is in its first page). */
    public static MemorySegment partition(PageSource s, long page) {
        return s.block(page, Partition.PAGES);
    }

    /** The highest level with keys, or -1 when the list is empty. */
    public static int top(PageSource s) {
        for (int L = Levels.MAX_LEVEL; L >= 0; L--) {
            if (s.root(L) != 0) {
                return L;
            }
        }
        return -1;
    }

    /** Entries in the list. */
    public static long count(PageSource s) {
        return s.root(ROOT_COUNT);
    }

    /** The value of data node {@code i} of {@code p}: a slice of the partition or of its own block. */
    public static MemorySegment value(PageSource s, MemorySegment p, int i) {
        MemorySegment inline = Partition.inlineValue(p, i); // one decode on the scan's hot path
        if (inline != null) {
            return inline;
        }
        long len = Partition.valueLength(p, i);
        long page = Partition.outOfLinePage(p, i);
        return s.run(page, valuePages(s.pageSize(), len)).asSlice(VALUE_OFFSET, len);
    }

    /** The value of {@code key}, or null: a read-only slice of the state's pages. */
    public static MemorySegment get(PageSource s, MemorySegment key) {
        long kp = Partition.prefix(key);
        MemorySegment p = descend(s, key, kp, Rule.FLOOR, null);
        if (p == null) {
            return null;
        }
        int i = Partition.search(p, key, kp);
        return i >= 0 ? value(s, p, i) : null;
    }

    /**
     * What a descent does on each level it enters: a read only loads the partition; the writer
     * makes it its own (copy-on-write) and a cursor keeps its path.
     *
     * @param <X> what entering may throw (the writer's allocation: {@link java.io.IOException})
     */
    interface Path<X extends Exception> {
        /**
         * Enters the partition of level {@code L} at {@code page}, reached through node {@code j}
         * of the partition entered on level {@code L + 1}, or through level {@code L}'s root word
         * ({@code j == -1}, as always on the top level); returns the partition to go on in.
         */
        MemorySegment enter(int L, long page, int j) throws X;
    }

    /**
     * The one descent, from the top level to level 0, as {@linkplain Tree Search} says: on each
     * index level it follows the node {@code rule} picks ({@link Rule#follow}); once a level
     * holds {@code key} itself, every partition below starts with it, so it follows node 0
     * without searching. {@link #land} then finds the entry on level 0.
     *
     * @param key  the key sought; ignored (may be null) for {@link Rule#FIRST} and {@link Rule#LAST}
     * @param kp   {@code key}'s {@link Partition#prefix}, computed once for every level
     * @param path what to do on each level; null: only read
     * @return the partition reached on level 0, or null when the list is empty
     */
    static <X extends Exception> MemorySegment descend(PageSource s, MemorySegment key, long kp, Rule rule,
            Path<X> path) throws X {
        int L = top(s);
        if (L < 0) {
            return null;
        }
        long page = s.root(L);
        int j = -1;
        boolean onKey = false;
        while (true) {
            MemorySegment p = path == null ? partition(s, page) : path.enter(L, page, j);
            if (L == 0) {
                return p;
            }
            int found = onKey ? 0 : rule.keyed() ? Partition.search(p, key, kp) : -1;
            j = rule.follow(p, found);
            onKey = found >= 0 && j == found;
            page = j >= 0 ? Partition.down(p, j) : s.root(L - 1);
            L--;
        }
    }

    /**
     * Where {@code rule} lands in {@code p}, the partition of level 0 that {@link #descend}
     * reached: an index, or -1 or {@code count} when the entry lies in the partition before or
     * after (or nowhere).
     */
    static int land(MemorySegment p, MemorySegment key, long kp, Rule rule) {
        return rule.land(p, rule.keyed() ? Partition.search(p, key, kp) : -1);
    }
}
