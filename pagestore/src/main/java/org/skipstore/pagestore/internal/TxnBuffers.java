package org.skipstore.pagestore.internal;

import static org.skipstore.pagestore.internal.PageSource.CHECKSUM;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The write buffers of one {@link WriteTxn}: one per block or run it allocated, which its commit
 * writes through the file, unless the transaction wrote it ahead of the commit (spilled it).
 * Guarded by the pager's write lock, as its transaction.
 *
 * <h2>Spill</h2>
 * A large transaction (an engine's flush rewrites much of the store) would hold a buffer per
 * block until its commit, so its memory would grow with the store. Past the limit
 * ({@link Pager#limitTransactionBuffers}) it writes the buffers it used least recently to their
 * blocks ahead of the commit and gives them back, as LMDB spills dirty pages ({@link #spillExcept}):
 * <ol>
 *   <li>Only at a point where the writer says it holds no segment of its blocks but one.</li>
 *   <li>Runs of the structure are sealed first (their {@link PageSource#CHECKSUM}), and the CRC32C
 *       of each piece as written is kept for the commit's record: the commit lists a spilled
 *       block as if it wrote it then.</li>
 *   <li>Nothing refers to a spilled block but this transaction: its block is free in every state
 *       that a reader or recovery may use, as any block it allocates, so a crash after the write
 *       ({@link Pager.Point#AFTER_SPILL}) leaves only bytes that no state reads. The commit's
 *       barriers make it durable with the rest (the first force, or the record's CRCs).</li>
 *   <li>Reads of a spilled block read the file; a write to it reads it back into a buffer
 *       ({@link #unspill}), which the commit writes again; a free drops it.</li>
 * </ol>
 */
final class TxnBuffers {

    private final Pager pager;
    private final int pageSize;
    /** Buffered blocks and runs: first page -> buffer, in the order of their last use (a spill's). */
    private final Map<Long, Held> held = new LinkedHashMap<>(16, 0.75f, true);
    /** The pieces of buffered runs: page -> the slice of the run's buffer that the commit writes. */
    private final Map<Long, MemorySegment> pieces = new HashMap<>();
    /** Spilled blocks and runs: first page -> what it is (no buffer). */
    private final Map<Long, Held> spilled = new HashMap<>();
    /** The CRC32C of each piece of those as written (the commit's record lists it): page -> CRC. */
    private final Map<Long, Integer> crcs = new HashMap<>();
    /** Bytes of the buffers held (a run's whole block counted once). */
    private long bytes;
    /** {@link #bytes} past which {@link #spillExcept} spills; 0: never. */
    private long limit;

    /**
     * A block ({@code pages == 1 << order}) or a {@linkplain Runs run} of at most {@code 2^order}
     * pages, its buffer ({@code whole}, of {@code 2^order} pages) and the part of it that is its
     * content; both null once spilled.
     */
    private record Held(long pages, int order, boolean run, MemorySegment whole, MemorySegment content) {
        Held spilled() {
            return new Held(pages, order, run, null, null);
        }
    }

    TxnBuffers(Pager pager) {
        this.pager = pager;
        this.pageSize = pager.pageSize();
        this.limit = pager.transactionBufferLimit();
    }

    void limit(long bytes) {
        limit = bytes;
    }

    long bytes() {
        return bytes;
    }

    int spilledCount() {
        return spilled.size();
    }

    /** A buffer for the new block of order {@code n} at {@code page}. */
    void addBlock(long page, int n) {
        MemorySegment whole = pager.pool.take(n);
        held.put(page, new Held(1L << n, n, false, whole, whole));
        bytes += (long) pageSize << n;
    }

    /** A buffer for the new run of {@code pages} at {@code page}, of {@code 2^k} pages ({@link Runs#orderOf}). */
    void addRun(long page, long pages, int k) {
        MemorySegment whole = pager.pool.take(k);
        addPieces(page, pages, whole);
        held.put(page, new Held(pages, k, true, whole, whole.asSlice(0, pages * pageSize)));
        bytes += (long) pageSize << k;
    }

    private void addPieces(long page, long pages, MemorySegment whole) {
        Runs.forEachPiece(page, pages, (piece, n) -> pieces.put(piece, whole.asSlice((piece - page) * pageSize,
                (long) pageSize << n)));
    }

    /** Whether {@code page} is the first page of a block or run held here, buffered or spilled. */
    boolean holds(long page) {
        return held.containsKey(page) || spilled.containsKey(page);
    }

    boolean isSpilled(long page) {
        return spilled.containsKey(page);
    }

    /** The buffer of block or run {@code page} to write, read back first if spilled; null when none is held. */
    MemorySegment write(long page) {
        Held h = held.get(page);
        if (h != null) {
            return h.content;
        }
        return spilled.containsKey(page) ? unspill(page) : null;
    }

    /** The buffer of block or run {@code page}, or null when it is not buffered (spilled, or none). */
    MemorySegment buffered(long page) {
        Held h = held.get(page);
        return h == null ? null : h.content;
    }

    /** What the commit writes at piece or block {@code page}; null when spilled. */
    MemorySegment commitContent(long page) {
        MemorySegment piece = pieces.get(page);
        return piece != null ? piece : buffered(page);
    }

    /** The CRC32C of piece or block {@code page} as spilled, or null when it was not. */
    Integer spilledCrc(long page) {
        return crcs.get(page);
    }

    /** The runs held, buffered or spilled: {page, pages} each (a rollback drops them). */
    List<long[]> runs() {
        List<long[]> runs = new ArrayList<>();
        for (Map<Long, Held> m : List.of(held, spilled)) {
            m.forEach((page, h) -> {
                if (h.run) {
                    runs.add(new long[] {page, h.pages});
                }
            });
        }
        return runs;
    }

    /**
     * Drops run {@code page} of {@code pages}, buffered or spilled; false when it holds no run
     * there. The caller frees its pieces.
     */
    boolean dropRun(long page, long pages) {
        Held h = held.get(page);
        if (h == null) {
            h = spilled.get(page);
        }
        if (h == null || !h.run) {
            return false;
        }
        if (h.pages != pages) {
            throw new IllegalArgumentException("run " + page + " has " + h.pages + " pages, not " + pages);
        }
        Runs.forEachPiece(page, pages, (piece, n) -> {
            pieces.remove(piece);
            crcs.remove(piece);
        });
        if (spilled.remove(page) == null) {
            held.remove(page);
            giveBack(h);
        }
        return true;
    }

    /** Drops block {@code page} of order {@code n}; a piece of a run leaves the run's buffer to the run. */
    void dropBlock(long page, int n) {
        crcs.remove(page);
        if (spilled.remove(page) == null && pieces.remove(page) == null) {
            Held h = held.remove(page);
            if (h != null) {
                giveBack(h);
            }
        }
    }

    private void giveBack(Held h) {
        pager.pool.give(h.whole, h.order);
        bytes -= (long) pageSize << h.order;
    }

    /**
     * The writer holds no segment of the transaction's blocks but block {@code inUse}'s (0: none),
     * and will ask for each again: when the buffers pass the limit, those used least recently are
     * written to their blocks now and given back, down to half the limit (see the class comment);
     * the runs of the structure among them ({@code sealed}) sealed first.
     *
     * @throws StoreFailure when the write failed: nothing is lost (the buffers stay), and the
     *                      transaction is to be aborted
     */
    void spillExcept(long inUse, Set<Long> sealed) throws IOException {
        if (limit == 0 || bytes <= limit) {
            return;
        }
        List<Long> pages = new ArrayList<>();
        List<Held> victims = new ArrayList<>();
        long toFree = bytes - limit / 2;
        for (Map.Entry<Long, Held> e : held.entrySet()) { // least recently used first
            if (toFree <= 0) {
                break;
            }
            if (e.getKey() != inUse) {
                pages.add(e.getKey());
                victims.add(e.getValue());
                toFree -= (long) pageSize << e.getValue().order;
            }
        }
        List<Changes.Write> writes = new ArrayList<>(victims.size());
        for (int i = 0; i < victims.size(); i++) {
            long page = pages.get(i);
            MemorySegment content = victims.get(i).content;
            if (sealed.contains(page)) {
                seal(content);
            }
            Runs.forEachPiece(page, victims.get(i).pages, (piece, n) -> {
                MemorySegment c = content.asSlice((piece - page) * pageSize, (long) pageSize << n);
                crcs.put(piece, Checksums.crc32c(c, 0, c.byteSize()));
                writes.add(new Changes.Write(new Block(piece, n), c));
            });
        }
        try {
            Commit.writeAhead(pager, writes);
        } catch (IOException | RuntimeException e) { // nothing spilled: the commit writes the buffers
            for (Changes.Write w : writes) {
                crcs.remove(w.block().page());
            }
            throw e;
        }
        for (int i = 0; i < victims.size(); i++) {
            long page = pages.get(i);
            Held h = victims.get(i);
            held.remove(page);
            if (h.run) {
                Runs.forEachPiece(page, h.pages, (piece, n) -> pieces.remove(piece));
            }
            giveBack(h);
            spilled.put(page, h.spilled());
            if (sealed.contains(page)) {
                pager.checks().passed(page); // summed from the bytes written: no second sum when read
            }
        }
        pager.hook.at(Pager.Point.AFTER_SPILL);
    }

    /** A spilled block the writer changes again: back into a buffer, which the commit writes (again). */
    private MemorySegment unspill(long page) {
        Held s = spilled.remove(page);
        MemorySegment whole = pager.pool.take(s.order);
        MemorySegment.copy(pager.file().pages(page, s.pages), 0, whole, 0, s.pages * pageSize);
        Runs.forEachPiece(page, s.pages, (piece, n) -> crcs.remove(piece));
        MemorySegment content = whole;
        if (s.run) {
            addPieces(page, s.pages, whole);
            content = whole.asSlice(0, s.pages * pageSize);
        }
        held.put(page, new Held(s.pages, s.order, s.run, whole, content));
        bytes += (long) pageSize << s.order;
        return content;
    }

    /** Sets the {@link PageSource#CHECKSUM} of the buffered runs among {@code sealed} (spilled ones were sealed then). */
    void seal(Set<Long> sealed) {
        for (long page : sealed) {
            MemorySegment b = buffered(page);
            if (b != null) { // else freed again, or spilled
                seal(b);
            }
        }
    }

    private static void seal(MemorySegment run) {
        run.set(CHECKSUM, 0, Checksums.crc32c(run, CHECKSUM.byteSize(), run.byteSize()));
    }

    /** Gives every buffer back (the transaction ended). */
    void release() {
        for (Held h : held.values()) {
            pager.pool.give(h.whole, h.order);
        }
        held.clear();
        pieces.clear();
        spilled.clear();
        crcs.clear();
        bytes = 0;
    }
}
