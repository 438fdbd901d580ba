package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * Opening a page file: formatting a new one, or recovering the state of an existing one.
 *
 * <p>Recovery reads both meta slots and tries the valid ones (magic, CRC, version, page size)
 * from the highest transaction id down. A meta is skipped when the file is shorter than its
 * blocks need ({@link Meta#filePages}: checked before any of them is read, since a mapped page
 * past the file's end faults), its free list fails its CRC, or its commit record or any block the record lists fails its
 * CRC (an unforced or single-barrier commit that did not reach the disk whole). The first that
 * passes is the state; it is forced at once and becomes the base. Nothing is replayed: a
 * copy-on-write state is whole or absent. A skipped newer slot, or a damaged one, is reported
 * ({@link Pager#recovery()}, a log warning, a JFR event: {@link Fallback}); when no slot passes,
 * the error names why ({@link Problem}).
 */
final class Recover {

    private Recover() {
    }

    /**
     * Formats a new, empty store in {@code file} (whose pages are all zero): the state of
     * transaction 1, forced.
     */
    static Pager create(PageFile file, Durability durability, Pager.Hook hook) throws IOException {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            file.write(0, a.allocate((long) Meta.SLOTS * file.pageSize(), file.pageSize())); // both slots exist: open reads both
        }
        long[] noRoots = new long[Meta.ROOTS];
        Meta empty = new Meta(file.pageSize(), 0, file.pageCount(), 0, 0, 0, 0, 0, 0, 0, 0, noRoots);
        Pager p = new Pager(file, durability, hook, empty, 0);
        p.space.allocator().freeRange(Meta.SLOTS, file.pageCount()); // everything but the meta pages is free
        try (WriteTxn t = p.begin()) {
            t.commit(Durability.SYNC);
        }
        return p;
    }

    /** Recovers the store in {@code file}: see the class comment. */
    static Pager open(PageFile file, Durability durability, Pager.Hook hook, String name) throws IOException {
        int pageSize = file.pageSize();
        if (file.length() < Meta.SLOTS) {
            throw new StoreFailure(Problem.NOT_A_STORE, name + " is not a Skipstore file (" + file.length()
                    + " pages, fewer than its two meta pages)");
        }
        MemorySegment[] slots = {file.pages(0, 1), file.pages(1, 1)};
        Meta.Status[] status = {Meta.check(slots[0], pageSize), Meta.check(slots[1], pageSize)};
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            if (status[s] == Meta.Status.VALID) {
                order.add(s);
            }
        }
        order.sort((a, b) -> Long.compare(Meta.read(slots[b]).txnId, Meta.read(slots[a]).txnId));
        boolean truncated = false;
        String why = null;
        Fallback.Skip skipped = null; // the newer slot skipped, reported if an older one checks out
        for (int s : order) {
            Meta m = Meta.read(slots[s]);
            if (!Chunks.isCapacity(m.pageCount) || m.pageCount > Integer.MAX_VALUE || m.filePages > m.pageCount
                    || m.filePages < Meta.SLOTS) {
                why = "meta " + s + " (transaction " + m.txnId + "): lengths out of range (" + m.filePages + " of "
                        + m.pageCount + " pages)";
                skipped = Fallback.skip(s, m, why, true);
                continue;
            }
            if (m.filePages > file.length()) { // truncated, or an unforced commit whose writes did not all reach the disk
                truncated = true;
                why = "meta " + s + " (transaction " + m.txnId + ") needs " + m.filePages + " pages, the file has "
                        + file.length();
                skipped = Fallback.skip(s, m, why, false);
                continue;
            }
            if (m.pageCount > file.pageCount()) {
                file.grow(m.pageCount); // chunks whose free pages were never written
            }
            String bad = verify(file, m);
            if (bad != null) {
                why = "meta " + s + " (transaction " + m.txnId + "): " + bad;
                skipped = Fallback.skip(s, m, bad, true);
                continue;
            }
            Pager p = new Pager(file, durability, hook, m, s);
            try {
                loadFreeList(file, m, p.space.allocator());
            } catch (RuntimeException e) { // overlapping or repeated entries: written by a bug, not a crash
                throw new StoreFailure(Problem.CORRUPT, name + " is damaged: the free list of transaction " + m.txnId
                        + " is inconsistent (" + e.getMessage() + ")", e);
            }
            file.force(); // the state may be in the page cache only (an unforced commit): make it the base
            p.recovered(Fallback.report(name, slots, status, s, m.txnId, skipped));
            return p;
        }
        throw openError(name, slots, status, truncated, why);
    }

    private static StoreFailure openError(String name, MemorySegment[] slots, Meta.Status[] status,
            boolean truncated, String why) {
        if (status[0] == Meta.Status.NO_MAGIC && status[1] == Meta.Status.NO_MAGIC) {
            return new StoreFailure(Problem.NOT_A_STORE, name + " is not a Skipstore file (no meta page has the magic)");
        }
        for (int s = 0; s < 2; s++) {
            if (status[s] == Meta.Status.BAD_VERSION) {
                return new StoreFailure(Problem.VERSION, name + " has format version " + Meta.versionOf(slots[s])
                        + "; this version of Skipstore reads version " + Meta.FORMAT_VERSION);
            }
            if (status[s] == Meta.Status.BAD_PAGE_SIZE) {
                return new StoreFailure(Problem.PAGE_SIZE, name + " has pages of " + Meta.pageSizeOf(slots[s])
                        + " bytes, not " + slots[s].byteSize());
            }
        }
        if (truncated) {
            return new StoreFailure(Problem.TRUNCATED, name + " is truncated: " + why);
        }
        return new StoreFailure(Problem.CORRUPT, name + " is damaged: no valid meta page (slot 0: " + status[0]
                + ", slot 1: " + status[1] + (why == null ? "" : "; " + why) + ")");
    }

    /** Null when the free list and the record of {@code m} check out, else what fails. */
    private static String verify(PageFile file, Meta m) {
        if (m.freeList != 0 ? !Block.isStoreBlock(m.freeList, m.freeOrder, m.filePages)
                || m.freeCount * Meta.FREE_ENTRY.byteSize() > ((long) file.pageSize() << m.freeOrder)
                : m.freeCount > Meta.inlineCapacity(file.pageSize())) {
            return "free list out of range";
        }
        MemorySegment entries = Meta.freeEntries(file, m);
        if (entries != null && Checksums.crc32c(entries, 0, Meta.FREE_ENTRY.byteSize() * m.freeCount) != m.freeCrc) {
            return "free list fails its CRC";
        }
        for (int i = 0; i < m.freeCount; i++) {
            long e = Meta.getEntry(entries, i);
            if (!Block.isStoreBlock(Meta.entryPage(e), Meta.entryOrder(e), m.pageCount)) {
                return "free list names a block out of range";
            }
        }
        Meta.Stored md = m.metadata;
        if (!md.isNone()) {
            if (!Block.isStoreBlock(md.page(), md.order(), m.filePages) || md.bytes() < 0
                    || md.bytes() > ((long) file.pageSize() << md.order())) {
                return "commit metadata out of range";
            }
            if (Checksums.crc32c(file.pages(md.page(), 1L << md.order()), 0, md.bytes()) != md.crc()) {
                return "commit metadata fails its CRC";
            }
        }
        if (m.record != 0) {
            long entry = Meta.RECORD_ENTRY.byteSize();
            if (!Block.isStoreBlock(m.record, m.recordOrder, m.filePages)
                    || m.recordCount * entry > ((long) file.pageSize() << m.recordOrder)) {
                return "commit record out of range";
            }
            MemorySegment r = file.pages(m.record, 1L << m.recordOrder);
            if (Checksums.crc32c(r, 0, m.recordCount * entry) != m.recordCrc) {
                return "commit record fails its CRC";
            }
            for (int i = 0; i < m.recordCount; i++) {
                long e = Meta.recordBlock(r, i);
                long page = Meta.entryPage(e);
                int n = Meta.entryOrder(e);
                if (!Block.isStoreBlock(page, n, m.filePages)) {
                    return "commit record names a block out of range";
                }
                MemorySegment b = file.pages(page, 1L << n);
                if (Checksums.crc32c(b, 0, b.byteSize()) != Meta.recordCrc(r, i)) {
                    return "block " + page + "/" + n + " fails its CRC (the commit did not reach the disk whole)";
                }
            }
        }
        return null;
    }

    private static void loadFreeList(PageFile file, Meta m, BuddyAllocator allocator) {
        MemorySegment b = Meta.freeEntries(file, m);
        for (int i = 0; i < m.freeCount; i++) {
            long e = Meta.getEntry(b, i);
            allocator.free(Meta.entryPage(e), Meta.entryOrder(e));
        }
    }
}
