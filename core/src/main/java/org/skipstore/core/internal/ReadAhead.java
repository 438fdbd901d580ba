package org.skipstore.core.internal;

/**
 * The level-0 nodes ahead of a forward scan, read in several lanes at once.
 *
 * <h2>Why</h2>
 * Walking level 0 is a chain of dependent loads: the address of the next node is in the node
 * before it, so on a list larger than the caches every step waits for a miss, one at a time.
 * The nodes of a higher level cut level 0 into segments whose first nodes are known ahead of
 * time; walking several segments in lock step gives the processor several independent loads at
 * once, and their misses overlap.
 *
 * <pre>
 *  level 3   s0 ----------------------> s1 -----------------> s2 ---------> ...
 *  level 0   s0 -> a -> b -> c -> d ->  s1 -> e -> f -> g ->  s2 -> h -> ...
 *  lanes     lane 0: s0 a b c d         lane 1: s1 e f g      lane 2: s2 h ...   (one step of each per round)
 * </pre>
 * A lane ends where the next lane begins: that node is on level 0 after the lane's first node
 * (towers are linked bottom up, and nothing is unlinked), so the walk reaches it. Nodes linked
 * meanwhile are met or not, as any weakly consistent scan of a live list meets them; a
 * snapshot's visibility is decided later, node by node, by the cursor. A lane also reads the
 * last byte of each node it passes, so that the lines of the key and value (a node spans two or
 * three) come in with the others, not one miss at a time when the scan reads them.
 *
 * <h2>Use</h2>
 * {@link #next(long)} hands out the nodes after a given node in order; the cursor calls it with
 * the last node it got (or with the node it stands on after a move, which starts afresh).
 */
public final class ReadAhead {

    /** Lanes start at the nodes of this level: about 2^LEVEL nodes per lane. */
    static final int LEVEL = 3;
    /** Lanes walked at once. */
    static final int LANES = 8;
    /** Nodes one lane may hold; a longer segment (many versions of a key) is cut and resumed. */
    private static final int LANE_CAPACITY = 64;

    private final SkipList sl;
    private final long[] starts = new long[LANES + 1];
    private final long[] lanes = new long[LANES * LANE_CAPACITY];
    private final int[] laneLength = new int[LANES];
    private final long[] cur = new long[LANES];
    private final long[] buffer = new long[LANES * LANE_CAPACITY + (2 << LEVEL) + 8];
    private int length;
    private int position;
    /** Sum of the bytes touched, kept so that the loads that bring the nodes' data are not dropped. */
    private int touched;
    /** The node the buffer follows on from: {@code buffer[position - 1]}, or the fill's anchor. */
    private long last;

    public ReadAhead(SkipList sl) {
        this.sl = sl;
    }

    /** Forgets the buffer: the cursor moved elsewhere. */
    public void reset() {
        length = 0;
        position = 0;
        last = 0;
    }

    /** The level-0 node after {@code x}, or 0 at the end. */
    public long next(long x) {
        if (position == length || last != x) {
            fill(x);
            if (length == 0) {
                return 0;
            }
        }
        last = buffer[position++];
        return last;
    }

    /** Fills the buffer with the nodes after {@code x}: up to the first lane start, then the lanes. */
    private void fill(long x) {
        length = 0;
        position = 0;
        last = x;
        long n = sl.next(x, 0);
        // to the first node of the lane level (one chain, 2^LEVEL nodes on average)
        while (n != 0 && sl.heightOf(n) <= LEVEL && length < buffer.length - LANES * LANE_CAPACITY) {
            buffer[length++] = n;
            n = sl.next(n, 0);
        }
        if (n == 0 || sl.heightOf(n) <= LEVEL) {
            if (n != 0) {
                buffer[length++] = n; // the buffer's own limit: resume from here next time
            }
            return;
        }
        int active = 0;
        starts[0] = n;
        while (active < LANES && starts[active] != 0) {
            starts[active + 1] = sl.next(starts[active], LEVEL);
            cur[active] = starts[active];
            laneLength[active] = 0;
            active++;
        }
        walkLanes(active);
    }

    /** Walks lanes {@code 0..active-1} a step each per round, then appends them in order. */
    private void walkLanes(int active) {
        int running = active;
        int cut = active; // lanes from a cut lane on are dropped: they would leave a gap
        while (running > 0) {
            running = 0;
            for (int j = 0; j < cut; j++) {
                long c = cur[j];
                if (c == 0) {
                    continue;
                }
                lanes[j * LANE_CAPACITY + laneLength[j]++] = c;
                touched += sl.lastByte(c); // the node's key and value lines, loaded with the lanes'
                long n = sl.next(c, 0);
                if (n == starts[j + 1] || n == 0) {
                    cur[j] = 0;
                } else if (laneLength[j] == LANE_CAPACITY) {
                    cur[j] = 0;
                    cut = j + 1;
                } else {
                    cur[j] = n;
                    running++;
                }
            }
        }
        for (int j = 0; j < cut; j++) {
            System.arraycopy(lanes, j * LANE_CAPACITY, buffer, length, laneLength[j]);
            length += laneLength[j];
        }
    }
}
