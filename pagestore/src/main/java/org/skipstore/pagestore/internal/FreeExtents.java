package org.skipstore.pagestore.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The free pages as extents: maximal ranges of free pages inside one chunk, indexed by start and
 * by length, so that a run of {@code n} pages goes into the smallest free range that holds it
 * (best fit), at any page. The {@link BuddyAllocator} keeps it beside its bitmaps, which stay the
 * free state (what commits record); this is the index that places runs.
 *
 * <p>Why: runs were placed only where their pieces lay as buddies (a run of 5 pages at a multiple
 * of 4), or cut from a block of the next order, whose tail only smaller runs could use. A file
 * of runs of every length then kept a tenth of its pages free in holes that no run fitted
 * (1 M sequential puts: 11 MB of 151; random: 34 MB of 193). A run may start at any page: its
 * pieces are aligned buddy blocks all the same ({@link Runs#forEachPiece}).
 *
 * <p>Extents never cross a chunk's end: a run must lie in one mapping. Frees come in runs of
 * adjacent blocks (a run's pieces, a reclaim of what a commit freed), so an added range that
 * touches the one added just before joins it, and only the joined range goes into the index,
 * before anything reads it: a fill of random keys spent a tenth of its time here otherwise. Not
 * thread-safe: the single writer owns it.
 */
final class FreeExtents {

    /** Start page to end page (exclusive) of every extent. */
    private final TreeMap<Long, Long> byStart = new TreeMap<>();
    /** {@code length << 32 | start} of every extent: the smallest that fits, the lowest among equals. */
    private final TreeSet<Long> byLength = new TreeSet<>();

    /** Pages added but not yet in the index: {@code [pendingStart, pendingEnd)}, empty when equal. */
    private long pendingStart;
    private long pendingEnd;

    /** Pages {@code [start, end)}, which were not free, are free now; merges with free neighbours in the same chunk. */
    void add(long start, long end) {
        if (pendingStart != pendingEnd && Chunks.chunkOf(start) == Chunks.chunkOf(pendingStart)) {
            if (start == pendingEnd) {
                pendingEnd = end;
                return;
            }
            if (end == pendingStart) {
                pendingStart = start;
                return;
            }
        }
        flush();
        pendingStart = start;
        pendingEnd = end;
    }

    /** Puts the pending range into the index. */
    private void flush() {
        if (pendingStart != pendingEnd) {
            long start = pendingStart;
            long end = pendingEnd;
            pendingStart = pendingEnd = 0;
            insert(start, end);
        }
    }

    private void insert(long start, long end) {
        Map.Entry<Long, Long> left = byStart.floorEntry(start);
        if (left != null && left.getValue() > start) {
            throw new IllegalStateException("pages " + start + ".." + end + " overlap free pages "
                    + left.getKey() + ".." + left.getValue());
        }
        Map.Entry<Long, Long> right = byStart.ceilingEntry(start);
        if (right != null && right.getKey() < end) {
            throw new IllegalStateException("pages " + start + ".." + end + " overlap free pages "
                    + right.getKey() + ".." + right.getValue());
        }
        int chunk = Chunks.chunkOf(start);
        if (left != null && left.getValue() == start && Chunks.chunkOf(left.getKey()) == chunk) {
            drop(left.getKey(), left.getValue());
            start = left.getKey();
        }
        if (right != null && right.getKey() == end && Chunks.chunkOf(right.getKey()) == chunk) {
            drop(right.getKey(), right.getValue());
            end = right.getValue();
        }
        put(start, end);
    }

    /** Pages {@code [start, end)}, free until now, are taken. */
    void remove(long start, long end) {
        flush();
        Map.Entry<Long, Long> e = byStart.floorEntry(start);
        if (e == null || e.getValue() < end) {
            throw new IllegalStateException("pages " + start + ".." + end + " are not free");
        }
        long from = e.getKey();
        long to = e.getValue();
        drop(from, to);
        if (from < start) {
            put(from, start);
        }
        if (end < to) {
            put(end, to);
        }
    }

    /** The first page of the smallest extent of at least {@code pages} pages (the lowest of those), or -1. */
    long bestFit(long pages) {
        flush();
        Long key = byLength.ceiling(pages << 32);
        return key == null ? -1 : key & 0xFFFF_FFFFL;
    }

    /** Number of extents. */
    int count() {
        flush();
        return byStart.size();
    }

    /** Calls {@code action} with the start and end of every extent, in page order. */
    void forEach(java.util.function.BiConsumer<Long, Long> action) {
        flush();
        byStart.forEach(action);
    }

    private void put(long start, long end) {
        byStart.put(start, end);
        byLength.add((end - start) << 32 | start);
    }

    private void drop(long start, long end) {
        byStart.remove(start);
        byLength.remove((end - start) << 32 | start);
    }
}
