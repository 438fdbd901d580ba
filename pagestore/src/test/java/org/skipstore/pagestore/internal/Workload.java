package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The crash tests' structure on top of the pager: a directory block (root 0, its order in root 1)
 * lists data blocks as {@code (page, order, seed)}, and each data block holds the bytes a
 * {@link SplittableRandom} of its seed gives. Each transaction frees some blocks, adds some, and
 * writes a new directory (copy-on-write, freeing the old one), so a committed state is fully
 * described by its item list, and any torn or missing page shows as a wrong byte. Public for the
 * child JVMs of the kill tests ({@code internal.child}).
 */
public final class Workload {

    private final SplittableRandom random;
    /** The items of the state the next transaction starts from: {page, order, seed}. */
    public List<long[]> items = new ArrayList<>();
    /**
     * Whether transactions write blocks ahead of their commit ({@link WriteTxn#spillExcept}): each
     * data block once filled, some first with bytes that a second fill replaces (read back from
     * the file), some freed again.
     */
    public boolean spill;

    public Workload(SplittableRandom random) {
        this.random = random;
    }

    /** Makes one transaction's changes in {@code t} and returns the items it will commit. */
    public List<long[]> change(WriteTxn t, int maxOrder) throws IOException {
        List<long[]> next = new ArrayList<>();
        for (long[] it : items) {
            if (random.nextInt(4) == 0) {
                t.free(it[0], (int) it[1]);
            } else {
                next.add(it);
            }
        }
        if (spill) {
            t.limitBuffers(1); // every spillExcept writes every buffer ahead
        }
        int adds = 1 + random.nextInt(4);
        for (int i = 0; i < adds; i++) {
            int n = random.nextInt(4) == 0 ? random.nextInt(maxOrder + 1) : 0;
            long page = t.allocate(n);
            long seed = random.nextLong();
            if (spill && random.nextInt(3) == 0) { // spilled, then changed: the commit writes it again
                fill(t.write(page), ~seed);
                t.spillExcept(0);
            }
            fill(t.write(page), seed);
            next.add(new long[] {page, n, seed});
            if (spill) {
                t.spillExcept(0);
                if (random.nextInt(4) == 0) { // spilled, then freed: nothing of it is committed
                    long gone = t.allocate(0);
                    fill(t.write(gone), seed);
                    t.spillExcept(0);
                    t.free(gone, 0);
                }
            }
        }
        long oldDir = t.root(0);
        int oldOrder = (int) t.root(1);
        int pageSize = (int) t.read(0, 1).byteSize();
        int dn = orderFor(8 + 24L * next.size(), pageSize);
        long dir = t.allocate(dn);
        MemorySegment d = t.write(dir);
        d.set(JAVA_LONG_UNALIGNED, 0, next.size());
        for (int i = 0; i < next.size(); i++) {
            long[] it = next.get(i);
            d.set(JAVA_LONG_UNALIGNED, 8 + 24L * i, it[0]);
            d.set(JAVA_LONG_UNALIGNED, 16 + 24L * i, it[1]);
            d.set(JAVA_LONG_UNALIGNED, 24 + 24L * i, it[2]);
        }
        t.setRoot(0, dir);
        t.setRoot(1, dn);
        if (oldDir != 0) {
            t.free(oldDir, oldOrder);
        }
        return next;
    }

    /** The items of the state {@code t} started from, read from its directory. */
    static List<long[]> itemsOf(WriteTxn t) {
        List<long[]> items = new ArrayList<>();
        long dir = t.root(0);
        if (dir != 0) {
            MemorySegment d = t.read(dir, 1L << (int) t.root(1));
            long count = d.get(JAVA_LONG_UNALIGNED, 0);
            for (int i = 0; i < count; i++) {
                items.add(new long[] {d.get(JAVA_LONG_UNALIGNED, 8 + 24L * i), d.get(JAVA_LONG_UNALIGNED, 16 + 24L * i),
                        d.get(JAVA_LONG_UNALIGNED, 24 + 24L * i)});
            }
        }
        return items;
    }

    static int orderFor(long bytes, int pageSize) {
        long pages = Math.max(1, (bytes + pageSize - 1) / pageSize);
        return 64 - Long.numberOfLeadingZeros(pages - 1);
    }

    static void fill(MemorySegment b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < b.byteSize(); i += 8) {
            b.set(JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
    }

    /**
     * Reads state {@code m}'s items, checks every data block's bytes and runs the structural
     * {@link Checker}; returns the items.
     *
     * @throws AssertionError naming what is wrong
     */
    public static List<long[]> readAndCheck(PageFile file, Meta m) {
        List<long[]> items = new ArrayList<>();
        Checker checker = new Checker(file, m);
        long dir = m.root(0);
        if (dir != 0) {
            int dn = (int) m.root(1);
            checker.used(dir, dn);
            MemorySegment d = file.pages(dir, 1L << dn);
            long count = d.get(JAVA_LONG_UNALIGNED, 0);
            for (int i = 0; i < count; i++) {
                long page = d.get(JAVA_LONG_UNALIGNED, 8 + 24L * i);
                int n = (int) d.get(JAVA_LONG_UNALIGNED, 16 + 24L * i);
                long seed = d.get(JAVA_LONG_UNALIGNED, 24 + 24L * i);
                checker.used(page, n);
                MemorySegment b = file.pages(page, 1L << n);
                SplittableRandom r = new SplittableRandom(seed);
                for (long o = 0; o < b.byteSize(); o += 8) {
                    if (b.get(JAVA_LONG_UNALIGNED, o) != r.nextLong()) {
                        throw new AssertionError("transaction " + m.txnId + ": block " + page + "/" + n
                                + " has wrong bytes at offset " + o);
                    }
                }
                items.add(new long[] {page, n, seed});
            }
        }
        checker.verify();
        return items;
    }

    public static String describe(List<long[]> items) {
        StringBuilder s = new StringBuilder("[");
        for (long[] it : items) {
            s.append(s.length() > 1 ? ", " : "").append(it[0]).append('/').append(it[1]).append('#')
                    .append(Long.toHexString(it[2]));
        }
        return s.append(']').toString();
    }
}
