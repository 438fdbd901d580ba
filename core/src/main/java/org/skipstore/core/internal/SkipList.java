package org.skipstore.core.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.skipstore.arena.ShardedArena;

/**
 * The lock-free skip list of versions that backs {@code ConcurrentSkipList}.
 *
 * <h2>Structure</h2>
 * <pre>
 *  level 2  head ---------------------------------> [c,5] ------------------------> 0
 *  level 1  head -------------> [b,9] ------------> [c,5] ------------> [e,2] ----> 0
 *  level 0  head --> [a,P] --> [b,9] --> [b,4] --> [c,5] --> [d,7] --> [e,2] ----> 0
 *                                 newest  older                 P = pending (not yet stamped)
 * </pre>
 * Nodes are {@code [key, stamp]} versions in arena memory ({@link Node}), ordered by key
 * ascending and, within a key, by stamp descending, so the first node of a key is its newest
 * version. Links are {@link Link} words (the next node's arena reference, not an address, packed
 * with a summary of its key, so that a search decides most comparisons without touching the
 * node it compares with). A node's links above level 0 live in its tower, a block of its own in
 * another arena region ({@link Node}: the upper levels then lie packed); links on level 0 name
 * nodes, links above name towers, and a tower names its node. A search walks towers from the
 * head's tower down to level 1, then steps to the node of the tower it stands on and walks
 * level 0. Nodes are never unlinked; links only ever go from 0 to a node, or from one node to a
 * node inserted between: no ABA, no marking, no reclamation until the whole arena is closed.
 *
 * <h2>Windows: what a node's header and its links tell of its key</h2>
 * A node's header holds 8 bytes of its key, its window, and each link to it a 30-bit summary of
 * them ({@link Windows}): bytes after the list's shared prefix when it has one ("customer-" in
 * front of every key), else its first 8. {@code compare} and {@link #linkBefore} decide by them,
 * and read the key only when they tie.
 *
 * <h2>Stamps: why a write is stamped after it is linked</h2>
 * A snapshot is a number {@code v} ({@link Stamps#current()}) and sees the versions stamped below
 * it. For that set never to change, no version may get a stamp below {@code v} after a reader
 * at {@code v} could have passed its place. So the stamp is taken after the level-0 link: a
 * version linked after the snapshot was taken gets a stamp of at least {@code v}. A version is
 * linked {@link Stamps#PENDING} (the largest long: it sorts first within its key, as the newest
 * version should), and stamped once, by CAS, with a stamp taken after the link. Its writer
 * normally does that; a reader that meets it pending does it too (<em>helping</em>): the reader
 * then knows the stamp, and the writer, whose CAS fails, reads it. Nobody ever waits for a
 * preempted writer: whoever needs a pending version's stamp sets it.
 *
 * <p>Within a key, stamps must descend along the list (newer versions first), or a reader would
 * see an older value over a newer one. New versions are linked at the front of their key, so the
 * pending versions of a key are always a prefix of its run; <b>stamping goes oldest first</b>
 * ({@link #settle}): before a pending version is stamped, every pending version of its key behind
 * it is. Its stamp is taken after theirs were set, so it is larger.
 *
 * <p>Read-your-writes follows: a write returns after its version is stamped {@code s}, so a
 * snapshot taken afterwards reads a counter above {@code s}, and sees it.
 *
 * <h2>Write protocol ({@link #write}); the caller has entered the list's {@link Gate}</h2>
 * <ol>
 *   <li>Roll a height (and raise the list's height to it: an empty level is harmless).</li>
 *   <li>Search the predecessors and successors of {@code [key, PENDING]} on every level: the
 *       place in front of every version of the key.</li>
 *   <li>Decide against the newest version, the level-0 successor when it has the key: for
 *       insert-if-absent and get-or-insert, stamp it first if pending ({@link #settle}: a
 *       decision rests only on a finished write), then report DUPLICATE or FOUND for a live
 *       one.</li>
 *   <li>Once, the first time the write goes on: allocate the node in the calling thread's arena
 *       shard (NULL: OUT_OF_MEMORY) and write it, stamp PENDING. It is private until the CAS of
 *       step 5; a retry reuses it. A duplicate costs no memory.</li>
 *   <li>Mark the node {@link Node#OLDER} when the successor is a version of its key, point
 *       {@code next[0]} at the successor and CAS the predecessor's {@code next[0]} from the
 *       successor to the node: the link, with release semantics, so a reader that loads the
 *       reference with acquire sees every byte of the node. If the CAS fails, another node came
 *       in between: go back to step 2 with the same node. The node's same-key successor never
 *       changes after this point (new versions go in front of it).</li>
 *   <li>Stamp: the same-key successor first if it is pending, then take a stamp and CAS it into
 *       the node; if the CAS fails a reader has stamped it, and that stamp stands. <b>This is the
 *       commit point</b>: snapshots taken from now on see the write.</li>
 *   <li>Link levels 1..h-1 bottom up at {@code [key, stamp]} (upper levels hold only stamped
 *       versions, whose order never changes): point {@code next[i]} at the successor (release),
 *       CAS the predecessor's {@code next[i]}; on failure walk on from the old predecessor,
 *       which is still before the node because nothing is ever removed. A node is reachable on
 *       a level only after it is reachable on every level below.</li>
 * </ol>
 * The caller then leaves the gate: a seal's drain, and a close's freeing of the arena, wait for
 * that (without making any writer wait), so a write never finds its list freed under it.
 *
 * <h2>Reads</h2>
 * Lock-free descents from the head with acquire loads of the links. A read at snapshot {@code v}
 * ({@link #get}) finds the first version of the key, stamps it if pending (a reader at
 * {@code v} must not skip a pending version that may still be stamped below {@code v}), and
 * takes it when its stamp is below {@code v}; otherwise it searches for {@code [key, v - 1]}.
 * Every version behind a stamped one is stamped; a version linked in front of it since was linked
 * after the snapshot was taken, so its stamp will be at least {@code v}.
 *
 * <p>One file past 400 lines on purpose, as {@code ConcurrentSkipListMap} is: the protocol above
 * and the code that runs it, steps cited where they run, read together.
 *
 * <h2>Local names</h2>
 * {@code x} the node a search stands on, {@code n} its next, {@code w} a link word, {@code h} a
 * height, {@code s} a stamp, {@code v} a snapshot, {@code ck}/{@code ok} a node's chunk segment
 * and offset in it, {@code k} the key, {@code kp} its window, {@code ks} the window's summary.
 */
public final class SkipList {

    /** Outcomes of {@link #write}. */
    public static final int INSERTED = 0;
    public static final int DUPLICATE = 1;
    public static final int OUT_OF_MEMORY = 2;
    /** get-or-insert found a live version: {@link Splice#found} holds it. */
    public static final int FOUND = 4;

    /** Write modes. */
    public static final int PUT = 0;
    public static final int INSERT_IF_ABSENT = 1;
    public static final int GET_OR_INSERT = 2;
    public static final int DELETE = 3;

    private static final VarHandle HEIGHT;
    private static final VarHandle ENTRIES;

    static {
        try {
            HEIGHT = MethodHandles.lookup().findVarHandle(SkipList.class, "height", int.class);
            ENTRIES = MethodHandles.lookup().findVarHandle(SkipList.class, "entries", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link WriteHook#install}: tests only. */
    static volatile WriteHook hook;

    /** Arena region of the nodes. */
    private static final int NODE_REGION = 0;
    /** Arena region of the towers: the second when the arena has one ({@link Node}: kept apart, packed). */
    private final int towerRegion;

    private final ShardedArena arena;
    private final long head;
    /** The head's tower: where every search starts. */
    private final long headTower;
    private final Stamps stamps = new Stamps();
    /** Levels in use: the tallest linked tower (at least 1). Only grows. */
    private volatile int height = 1;
    /** What the keys were expected to look like, and the windows it makes: fixed for the list's life. */
    private final KeyShape shape;
    private final Windows windows;
    /** The limit on nodes, 0 for none; {@link #entries} counts them only then. */
    private final long maxEntries;
    /** Nodes allocated (or reserved by {@link #reserve}), kept only with {@link #maxEntries}. */
    private volatile long entries;
    /** Every thread's splice, for the statistics. */
    private final ConcurrentLinkedQueue<Splice> allSplices = new ConcurrentLinkedQueue<>();
    /** Per-thread search scratch; holds only primitives, so it never pins this list. */
    private final ThreadLocal<Splice> splices = ThreadLocal.withInitial(() -> {
        Splice sp = new Splice();
        allSplices.add(sp);
        return sp;
    });

    /** Statistics kept per thread, in {@link Splice#stats}: no shared counter on the write path. */
    public static final int STAT_ATTEMPTS = 0;
    public static final int STAT_VERSIONS = 1;
    public static final int STAT_KEY_BYTES = 2;
    public static final int STAT_VALUE_BYTES = 3;
    /** Change in the number of keys whose newest version is live. */
    public static final int STAT_LIVE = 4;
    /** Writes whose step 2 started from the place of the thread's last insert ({@link #spliceAfterLast}). */
    public static final int STAT_HINTED = 5;
    private static final VarHandle STAT = MethodHandles.arrayElementVarHandle(long[].class);

    /** The sum of one statistic over all threads; each thread's part is read atomically. */
    public long stat(int which) {
        long sum = 0;
        for (Splice sp : allSplices) {
            sum += (long) STAT.getOpaque(sp.stats, which);
        }
        return sum;
    }

    /** Per-thread scratch space of a write, and the thread's statistics. */
    public static final class Splice {
        final long[] preds = new long[Node.MAX_HEIGHT];
        final long[] succs = new long[Node.MAX_HEIGHT];
        /** Written only by the owning thread, opaque so that readers never see a torn value. */
        private final long[] stats = new long[6];
        /**
         * After an insert: {@link #preds} is the place right after the node inserted (the node on
         * level 0, its tower up to its height, its predecessors above), whose key's window is
         * {@link #hintPrefix}; a search for a next key above it may start there ({@link #spliceAfterLast}).
         */
        boolean hint;
        long hintPrefix;

        /** Adds to one of this thread's statistics. */
        public void add(int which, long delta) {
            STAT.setOpaque(stats, which, stats[which] + delta);
        }
        /** After {@link #write}: whether the version the write shadowed was live. */
        public boolean shadowedLive;
        /** After {@link #write}: the node written, or for FOUND/DUPLICATE the live version found. */
        public long found;
    }

    /**
     * @param arena      where nodes go (region 0) and towers (region 1, or 0 in an arena of one region)
     * @param maxEntries the limit on nodes, 0 for none
     * @throws IllegalStateException when the arena has no room for the head node
     */
    public SkipList(ShardedArena arena, long maxEntries) {
        this(arena, maxEntries, KeyShape.NONE);
    }

    /**
     * @param arena        where nodes go (region 0) and towers (region 1, or 0 in an arena of one region)
     * @param maxEntries   the limit on nodes, 0 for none
     * @param keys         what the keys are expected to look like ({@link KeyShape}): a hint for
     *                     speed, any key is stored and ordered as without it
     * @throws IllegalStateException when the arena has no room for the head node
     */
    public SkipList(ShardedArena arena, long maxEntries, KeyShape keys) {
        this.shape = keys;
        this.windows = new Windows(keys);
        this.arena = arena;
        this.maxEntries = maxEntries;
        this.towerRegion = Math.min(1, arena.regionCount() - 1);
        long h = arena.allocate(Node.size(Node.MAX_HEIGHT, 0, 0), Long.BYTES, NODE_REGION);
        long t = h == ShardedArena.NULL ? h : arena.allocate(Node.towerSize(Node.MAX_HEIGHT), Long.BYTES, towerRegion);
        if (t == ShardedArena.NULL) {
            throw new IllegalStateException("the arena's memory limit leaves no room for the skip list's head node");
        }
        Node.writeHeader(arena.chunk(h), ShardedArena.offset(h), Long.MAX_VALUE, 0, 0, 0, Node.MAX_HEIGHT, (byte) 0,
                h, arena.chunk(t), ShardedArena.offset(t), t);
        this.head = h;
        this.headTower = t;
    }

    /** What the keys were expected to look like when the list was made. */
    public KeyShape shape() {
        return shape;
    }

    public ShardedArena arena() {
        return arena;
    }

    /** The next stamp to hand out: a snapshot taken now sees every version stamped below it. */
    public long snapshotStamp() {
        return stamps.current();
    }

    /** The calling thread's scratch space; valid until its next write. */
    public Splice splice() {
        return splices.get();
    }

    // ---- node access -------------------------------------------------------------------------

    public MemorySegment chunk(long ref) {
        return arena.chunk(ref);
    }

    /** The node after node {@code x} on {@code level} ({@code x} must be that tall), or 0. */
    public long next(long x, int level) {
        if (level == 0) {
            return Link.ref(link(x, 0));
        }
        long w = link(towerOf(x), level);
        return w == 0 ? 0 : nodeOf(Link.ref(w));
    }

    /**
     * The {@link Link} word of {@code level} at position {@code p}, read with acquire: {@code p}
     * is a node on level 0, a tower on the levels above.
     */
    private long link(long p, int level) {
        return (long) Node.NEXT_WORD.getAcquire(arena.chunk(p), Node.wordOffset(ShardedArena.offset(p), level));
    }

    /** The tower of node {@code x}, of height 2 or more. */
    private long towerOf(long x) {
        return Node.tower(arena.chunk(x), ShardedArena.offset(x));
    }

    /** The node of tower {@code t}. */
    private long nodeOf(long t) {
        return Node.towerNode(arena.chunk(t), ShardedArena.offset(t));
    }

    /** The stamp of {@code x} as it is now: {@link Stamps#PENDING} while nobody has stamped it. */
    public long stampOf(long x) {
        return Node.stamp(arena.chunk(x), ShardedArena.offset(x));
    }

    public boolean isTombstone(long x) {
        return Node.isTombstone(arena.chunk(x), ShardedArena.offset(x));
    }

    /** Whether {@code next(x, 0)} is an older version of {@code x}'s key ({@link Node#OLDER}). */
    public boolean hasOlder(long x) {
        return Node.hasOlder(arena.chunk(x), ShardedArena.offset(x));
    }

    /** Offset of the key inside {@link #chunk(long) chunk(x)}. */
    public long keyOffset(long x) {
        MemorySegment ck = arena.chunk(x);
        long ok = ShardedArena.offset(x);
        return Node.keyOffset(ok, Node.height(ck, ok));
    }

    public int keyLength(long x) {
        return Node.keyLength(arena.chunk(x), ShardedArena.offset(x));
    }

    public int valueLength(long x) {
        return Node.valueLength(arena.chunk(x), ShardedArena.offset(x));
    }

    /** The last byte of node {@code x}'s key and value (its first when both are empty). */
    public byte lastByte(long x) {
        MemorySegment ck = arena.chunk(x);
        long ok = ShardedArena.offset(x);
        long end = Node.keyOffset(ok, Node.height(ck, ok)) + Node.keyLength(ck, ok) + Node.valueLength(ck, ok);
        return ck.get(java.lang.foreign.ValueLayout.JAVA_BYTE, Math.max(ok, end - 1));
    }

    public int heightOf(long x) {
        return Node.height(arena.chunk(x), ShardedArena.offset(x));
    }

    public long head() {
        return head;
    }

    /** Levels in use. */
    public int levels() {
        return height;
    }

    /** Unsigned comparison of node {@code x}'s key with {@code k}. */
    public int compareKey(long x, MemorySegment k) {
        return compare(x, k, windows.window(k));
    }

    /** {@link #compareKey} with the key's {@link Windows#window} computed once by the caller. */
    private int compare(long x, MemorySegment k, long kp) {
        MemorySegment ck = arena.chunk(x);
        long ok = ShardedArena.offset(x);
        long np = Node.window(ck, ok);
        if (np != kp) {
            return Long.compareUnsigned(np, kp);
        }
        return windows.compareTied(ck, Node.keyOffset(ok, Node.height(ck, ok)), Node.keyLength(ck, ok), np, k, 0, k.byteSize());
    }

    /** Unsigned comparison of the keys of nodes {@code x} and {@code y}. */
    public int compareNodes(long x, long y) {
        MemorySegment cx = arena.chunk(x);
        MemorySegment cy = arena.chunk(y);
        long ox = ShardedArena.offset(x);
        long oy = ShardedArena.offset(y);
        long px = Node.window(cx, ox);
        long py = Node.window(cy, oy);
        if (px != py) {
            return Long.compareUnsigned(px, py);
        }
        return windows.compareTied(cx, Node.keyOffset(ox, Node.height(cx, ox)), Node.keyLength(cx, ox), px,
                cy, Node.keyOffset(oy, Node.height(cy, oy)), Node.keyLength(cy, oy));
    }

    /** Whether nodes {@code x} and {@code y} hold the same key. */
    public boolean sameKey(long x, long y) {
        return compareNodes(x, y) == 0;
    }

    /** Whether node {@code x} sorts before {@code [k, s]}. */
    private boolean before(long x, MemorySegment k, long kp, long s) {
        int c = compare(x, k, kp);
        return c < 0 || (c == 0 && stampOf(x) > s);
    }

    /**
     * Whether the node that link {@code w} of {@code level} names sorts before {@code [k, s]};
     * {@code ks} is the summary of the key's window. The link's summary decides
     * without touching the node (or its tower) unless the two tie.
     */
    private boolean linkBefore(long w, int level, MemorySegment k, long kp, long ks, long s) {
        long lp = Link.prefix(w);
        if (lp != ks) {
            return lp < ks;
        }
        long n = Link.ref(w);
        return before(level == 0 ? n : nodeOf(n), k, kp, s);
    }

    // ---- stamps ------------------------------------------------------------------------------

    /**
     * The stamp of node {@code x}, stamping it first when it is pending, oldest pending version of
     * its key first (see the class comment): a reader that must know a pending version's stamp
     * sets it rather than wait for its writer.
     */
    public long settle(long x) {
        MemorySegment cx = arena.chunk(x);
        long ox = ShardedArena.offset(x);
        long s;
        while ((s = Node.stampAcquire(cx, ox)) == Stamps.PENDING) {
            long y = x; // the oldest pending version of x's key
            for (long n = next(y, 0); n != 0 && pending(n) && sameKey(n, y); n = next(n, 0)) {
                y = n;
            }
            Node.casStamp(arena.chunk(y), ShardedArena.offset(y), stamps.next());
        }
        return s;
    }

    private boolean pending(long x) {
        return Node.stampAcquire(arena.chunk(x), ShardedArena.offset(x)) == Stamps.PENDING;
    }

    /** Whether a reader at snapshot {@code v} sees version {@code x} (stamping it if pending). */
    public boolean visible(long x, long v) {
        long s = stampOf(x);
        return (s == Stamps.PENDING ? settle(x) : s) < v;
    }

    // ---- reads -------------------------------------------------------------------------------

    /** The first node at or after {@code [k, s]} on level 0, or 0. */
    public long seek(MemorySegment k, long s) {
        return seek(k, windows.window(k), s);
    }

    private long seek(MemorySegment k, long kp, long s) {
        long ks = windows.summary(kp);
        long x = headTower;
        long w;
        for (int level = height - 1; level >= 1; level--) {
            while ((w = link(x, level)) != 0 && linkBefore(w, level, k, kp, ks, s)) {
                x = Link.ref(w);
            }
        }
        x = nodeOf(x);
        while ((w = link(x, 0)) != 0 && linkBefore(w, 0, k, kp, ks, s)) {
            x = Link.ref(w);
        }
        // Return the successor that was compared, never a fresh read of x's link: a node linked
        // after x since then may sort before [k, s] (a smaller key) or be a version newer than s.
        return Link.ref(w);
    }

    /** The first node of the first key at or after {@code k} (its newest version, maybe pending), or 0. */
    public long seekKey(MemorySegment k) {
        return seek(k, Stamps.PENDING);
    }

    /**
     * The version of {@code k} a reader at snapshot {@code v} sees: the newest one stamped below
     * {@code v}, or 0. {@code Long.MAX_VALUE} reads the newest version.
     */
    public long get(MemorySegment k, long v) {
        long kp = windows.window(k);
        long x = seek(k, kp, Stamps.PENDING);
        if (x == 0 || compare(x, k, kp) != 0) {
            return 0;
        }
        if (visible(x, v)) {
            return x;
        }
        x = seek(k, kp, v - 1); // x and every version behind it are stamped now
        return x != 0 && compare(x, k, kp) == 0 ? x : 0;
    }

    /**
     * The last node whose key is less than {@code k} (any version), or the head when none: the
     * step back of a reverse cursor.
     */
    public long lastBefore(MemorySegment k) {
        long kp = windows.window(k);
        long ks = windows.summary(kp);
        long x = headTower;
        long w;
        // Before [k, PENDING], in front of every version of k: exactly the nodes with a smaller key.
        for (int level = height - 1; level >= 1; level--) {
            while ((w = link(x, level)) != 0 && linkBefore(w, level, k, kp, ks, Stamps.PENDING)) {
                x = Link.ref(w);
            }
        }
        x = nodeOf(x);
        while ((w = link(x, 0)) != 0 && linkBefore(w, 0, k, kp, ks, Stamps.PENDING)) {
            x = Link.ref(w);
        }
        return x;
    }

    /** The last node of level 0, or the head when empty. */
    public long last() {
        long x = headTower;
        long w;
        for (int level = height - 1; level >= 1; level--) {
            while ((w = link(x, level)) != 0) {
                x = Link.ref(w);
            }
        }
        x = nodeOf(x);
        while ((w = link(x, 0)) != 0) {
            x = Link.ref(w);
        }
        return x;
    }

    // ---- writes ------------------------------------------------------------------------------

    /**
     * Reserves room for {@code n} nodes under the entry limit; false (nothing reserved) when it
     * would pass it. Every reserved node is either allocated by {@link #allocate} or given back
     * with {@link #release}.
     */
    public boolean reserve(long n) {
        if (maxEntries == 0) {
            return true;
        }
        if ((long) ENTRIES.getAndAdd(this, n) + n > maxEntries) {
            ENTRIES.getAndAdd(this, -n);
            return false;
        }
        return true;
    }

    /** Gives back {@code n} reserved nodes that were not used. */
    public void release(long n) {
        if (maxEntries > 0) {
            ENTRIES.getAndAdd(this, -n);
        }
    }

    /** Nodes reserved under the entry limit (0 without one). */
    public long reserved() {
        return entries;
    }

    /**
     * Step 4 ahead of time, for a node the caller reserved: allocates and writes a pending node
     * of a random height (and its tower), or returns {@link ShardedArena#NULL} when the arena has
     * no room.
     */
    public long allocate(MemorySegment k, MemorySegment value, boolean tombstone) {
        long kl = k.byteSize();
        long vl = value == null ? 0 : value.byteSize();
        int h = randomHeight();
        long t = 0;
        if (h > 1) {
            t = arena.allocate(Node.towerSize(h), Long.BYTES, towerRegion);
            if (t == ShardedArena.NULL || !Link.fits(t)) {
                return ShardedArena.NULL; // (a block a link cannot name is left unused)
            }
        }
        long x = arena.allocate(Node.size(h, kl, vl), Long.BYTES, NODE_REGION);
        if (x == ShardedArena.NULL || !Link.fits(x)) {
            return ShardedArena.NULL;
        }
        MemorySegment ck = arena.chunk(x);
        long ok = ShardedArena.offset(x);
        Node.writeHeader(ck, ok, Stamps.PENDING, windows.window(k), (int) kl, (int) vl, h,
                tombstone ? Node.TOMBSTONE : 0, x, h > 1 ? arena.chunk(t) : null, ShardedArena.offset(t), t);
        long ko = Node.keyOffset(ok, h);
        MemorySegment.copy(k, 0, ck, ko, kl);
        if (vl > 0) {
            MemorySegment.copy(value, 0, ck, ko + kl, vl);
        }
        return x;
    }

    /**
     * Writes a version of {@code k}; see the class comment for the protocol.
     *
     * @param mode  {@link #PUT}, {@link #INSERT_IF_ABSENT}, {@link #GET_OR_INSERT} or {@link #DELETE}
     * @param value the value ({@code null} for a delete)
     * @param node  a node from {@link #allocate} holding this key and value, or 0 to allocate
     *              one (and reserve it) when the write goes on; the caller keeps an unused one
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #FOUND} or {@link #OUT_OF_MEMORY};
     *         details in {@code sp}
     */
    public int write(MemorySegment k, MemorySegment value, int mode, Splice sp, long node) {
        sp.shadowedLive = false;
        sp.found = 0;
        long kp = windows.window(k);
        boolean hinted = sp.hint && sortsAfterLast(k, kp, sp);
        sp.hint = false;
        long x = node;
        int h = x != 0 ? heightOf(x) : 0;
        long[] preds = sp.preds;
        long[] succs = sp.succs;
        long sn; // the newest version of k when the node was linked, or 0
        boolean live;
        for (;;) {
            if (hinted && spliceAfterLast(k, kp, preds, succs)) {                 // step 2
                sp.add(STAT_HINTED, 1);
            } else {
                findSplice(k, kp, Stamps.PENDING, height, preds, succs);
            }
            hinted = false; // a retry searches from the head
            sn = Link.ref(succs[0]);
            // (the link's key summary tells most other keys apart without touching the node)
            if (sn != 0 && (Link.prefix(succs[0]) != windows.summary(kp) || compare(sn, k, kp) != 0)) {
                sn = 0;
            }
            if (sn != 0 && (mode == INSERT_IF_ABSENT || mode == GET_OR_INSERT)) { // step 3
                settle(sn);
                if (!isTombstone(sn)) {
                    sp.found = sn;
                    sp.shadowedLive = true;
                    return mode == INSERT_IF_ABSENT ? DUPLICATE : FOUND;
                }
            }
            live = sn != 0 && !isTombstone(sn);
            if (x == 0) {                                                        // step 4, once
                if (!reserve(1)) {
                    return OUT_OF_MEMORY;
                }
                x = allocate(k, value, mode == DELETE);
                if (x == ShardedArena.NULL) {
                    release(1);
                    return OUT_OF_MEMORY;
                }
                h = heightOf(x);
            }
            hookAt(WriteHook.BEFORE_LINK);
            MemorySegment ck = arena.chunk(x);
            long ok = ShardedArena.offset(x);
            Node.older(ck, ok, sn != 0);
            Node.NEXT_WORD.setRelease(ck, Node.wordOffset(ok, 0), succs[0]);
            if (casNext(preds[0], 0, succs[0], Link.of(x, windows.summary(kp)))) {               // step 5: linked
                break;
            }
        }
        hookAt(WriteHook.LINKED);
        if (sn != 0 && pending(sn)) {                                            // step 6
            settle(sn);
        }
        MemorySegment ck = arena.chunk(x);
        long ok = ShardedArena.offset(x);
        Node.casStamp(ck, ok, stamps.next()); // the commit point; a failed CAS: a reader stamped it
        long s = Node.stampAcquire(ck, ok);
        raiseHeight(h);
        if (h > 1) {
            long t = Node.tower(ck, ok);
            long tl = Link.of(t, windows.summary(kp));
            MemorySegment ct = arena.chunk(t);
            long ot = ShardedArena.offset(t);
            for (int level = 1; level < h; level++) {                            // step 7
                linkLevel(tl, ct, ot, k, kp, s, level, preds[level]);
            }
        }
        preds[0] = x; // the hint for the next write of this thread
        long t = h > 1 ? Node.tower(ck, ok) : 0;
        for (int level = 1; level < h; level++) {
            preds[level] = t;
        }
        sp.hint = true;
        sp.hintPrefix = kp;
        sp.shadowedLive = live;
        sp.found = x;
        return INSERTED;
    }

    /**
     * Whether {@code k} sorts after the key of the thread's last insert ({@code sp.preds[0]} after
     * a hinted write): by the window alone when the two differ, else by the whole key (keys that
     * share their first 8 bytes, "customer-1", "customer-2", are the common case of a sorted batch).
     */
    private boolean sortsAfterLast(MemorySegment k, long kp, Splice sp) {
        int c = Long.compareUnsigned(kp, sp.hintPrefix);
        return c > 0 || (c == 0 && compare(sp.preds[0], k, kp) < 0);
    }

    /**
     * Step 2 from the place of the thread's last insert, for keys written in ascending order (a
     * sequential fill, a sorted batch): a search from the head costs about two visits per level,
     * this one per level it climbs and descends. The caller checked that {@code k} sorts after the
     * node inserted last. {@code preds} then holds on every level a tower (or node) before that
     * node, so before {@code k}: the last node on the levels of its height, the predecessors its
     * search found above. Nothing is ever removed, so they stay before it. The search climbs
     * from level 0 to the first level whose next, after its predecessor, does not sort before
     * {@code [k, PENDING]} (there the gap between the two keys is crossed), then descends from
     * that predecessor as a search from the head does. Levels above keep their predecessors:
     * before {@code k}, and step 7 walks on from each past whatever was linked since (as after a
     * failed CAS). False when no level up to the list's height crosses the gap: search from the head.
     */
    private boolean spliceAfterLast(MemorySegment k, long kp, long[] preds, long[] succs) {
        long ks = windows.summary(kp);
        long w = link(preds[0], 0);
        if (w == 0 || !linkBefore(w, 0, k, kp, ks, Stamps.PENDING)) {
            succs[0] = w; // the common case of a dense run: k goes right after the last node
            return true;
        }
        int top = height;
        int level = 1;
        while (level < top && (w = link(preds[level], level)) != 0 && linkBefore(w, level, k, kp, ks, Stamps.PENDING)) {
            level++;
        }
        if (level >= top) {
            return false;
        }
        long x = preds[level];
        for (; level >= 1; level--) {
            while ((w = link(x, level)) != 0 && linkBefore(w, level, k, kp, ks, Stamps.PENDING)) {
                x = Link.ref(w);
            }
            preds[level] = x;
            succs[level] = w;
        }
        x = nodeOf(x);
        while ((w = link(x, 0)) != 0 && linkBefore(w, 0, k, kp, ks, Stamps.PENDING)) {
            x = Link.ref(w);
        }
        preds[0] = x;
        succs[0] = w;
        return true;
    }

    private static void hookAt(int point) {
        WriteHook h = hook;
        if (h != null) {
            h.at(point);
        }
    }

    /**
     * Step 7 for one level: {@code tl} is the link to the node's tower (stamp {@code s}), at
     * {@code ot} in {@code ct}; {@code p} a tower before it on this level (or the head's).
     */
    private void linkLevel(long tl, MemorySegment ct, long ot, MemorySegment k, long kp, long s, int level, long p) {
        long ks = windows.summary(kp);
        for (;;) {
            long w;
            while ((w = link(p, level)) != 0 && linkBefore(w, level, k, kp, ks, s)) {
                p = Link.ref(w);
            }
            Node.NEXT_WORD.setRelease(ct, Node.wordOffset(ot, level), w);
            if (casNext(p, level, w, tl)) {
                return;
            }
        }
    }

    /** CAS of the link word of {@code level} at position {@code p} (a node on level 0, a tower above). */
    private boolean casNext(long p, int level, long expected, long link) {
        return Node.NEXT_WORD.compareAndSet(arena.chunk(p), Node.wordOffset(ShardedArena.offset(p), level), expected, link);
    }

    /**
     * Step 2: {@code preds} gets the predecessor of each level below {@code top} (a node on level
     * 0, a tower above), {@code succs} the link that follows it; levels from {@code top} up get
     * the head's tower.
     */
    private void findSplice(MemorySegment k, long kp, long s, int top, long[] preds, long[] succs) {
        long ks = windows.summary(kp);
        long x = headTower;
        for (int level = Node.MAX_HEIGHT - 1; level >= top; level--) {
            preds[level] = headTower;
        }
        long w;
        for (int level = top - 1; level >= 1; level--) {
            while ((w = link(x, level)) != 0 && linkBefore(w, level, k, kp, ks, s)) {
                x = Link.ref(w);
            }
            preds[level] = x;
            succs[level] = w;
        }
        x = nodeOf(x);
        while ((w = link(x, 0)) != 0 && linkBefore(w, 0, k, kp, ks, s)) {
            x = Link.ref(w);
        }
        preds[0] = x;
        succs[0] = w;
    }

    /** Raises the list height to at least {@code h}. */
    private void raiseHeight(int h) {
        int cur;
        while ((cur = height) < h) {
            if (HEIGHT.compareAndSet(this, cur, h)) {
                return;
            }
        }
    }

    /**
     * Geometric with p = 1/2 (one random bit per level), at most {@link Node#MAX_HEIGHT}. Against
     * p = 1/4 it costs one more tower word per node on average but halves the nodes a search
     * visits per level; on a list larger than the caches each visit is a miss, and a lookup of
     * 1 M keys measured about 20 % faster.
     */
    private static int randomHeight() {
        return Math.min(Node.MAX_HEIGHT, 1 + Integer.numberOfTrailingZeros(ThreadLocalRandom.current().nextInt()));
    }
}
