package org.skipstore.bench.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.Range;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.Transaction;
import org.skipstore.pagestore.WriteTransaction;

/**
 * Skipstore's {@link PageStore} with its defaults: {@link Durability#SYNC} (a commit forces its
 * pages, then its meta page), 512-byte pages, promotion 1/32. A batch is one {@link WriteTransaction};
 * a reader is one {@link ReadTransaction} whose gets and scans read the pages in place (gets as
 * zero-copy {@code MemorySegment}s, scans with {@link Transaction#scanInPlace}, no object an entry).
 *
 * <p>Two system properties change the store's shape for a measurement of it (a JMH run passes
 * them with {@code -jvmArgsAppend}): {@code skipstore.bench.pageSize} (bytes) and
 * {@code skipstore.bench.promotion} ({@code b} of the promotion probability {@code 1/b}); unset,
 * the defaults a user gets.
 */
final class PageStoreKv implements KvStore {

    static final String FILE = "store.skip";

    private final PageStore store;
    private WriteTransaction txn;

    PageStoreKv(Path dir) throws IOException {
        var b = PageStore.builder().durability(Durability.SYNC);
        Integer pageSize = Integer.getInteger("skipstore.bench.pageSize");
        Integer promotion = Integer.getInteger("skipstore.bench.promotion");
        if (pageSize != null) {
            b.pageSize(pageSize);
        }
        if (promotion != null) {
            b.promotion(promotion);
        }
        store = b.open(dir.resolve(FILE));
    }

    @Override
    public String engine() {
        return "pagestore";
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        if (txn == null) {
            txn = store.write();
        }
        txn.put(key, value);
    }

    @Override
    public void commit() throws IOException {
        if (txn != null) {
            WriteTransaction t = txn;
            txn = null;
            t.commit();
        }
    }

    /** {@link PageStore#put}: a transaction of one put, committed; thread-safe (writers wait their turn). */
    @Override
    public void commitOne(byte[] key, byte[] value) {
        store.put(key, value);
    }

    @Override
    public Reader reader() {
        return new PageReader(store.read());
    }

    /**
     * Not measured: its data are its mapped file's pages, the OS's page cache (counted for no
     * store); a write transaction's buffers are freed at its commit.
     */
    @Override
    public long offHeapBytes() {
        return -1;
    }

    @Override
    public String details() {
        return "PageStore " + store.stats();
    }

    @Override
    public void close() throws IOException {
        if (txn != null) {
            txn.close();
            txn = null;
        }
        store.close();
    }

    private static final class PageReader implements Reader {
        private final ReadTransaction txn;
        private long sum;
        /** Scans read in place ({@link Transaction#scanInPlace}): no segment an entry. */
        private final Transaction.InPlaceVisitor visitor = (ks, ko, kl, vs, vo, vl) -> {
            sum += ks.get(ValueLayout.JAVA_BYTE, ko + kl - 1) + vl + (vl == 0 ? 0 : vs.get(ValueLayout.JAVA_BYTE, vo));
            return true;
        };

        PageReader(ReadTransaction txn) {
            this.txn = txn;
        }

        @Override
        public int get(byte[] key) {
            MemorySegment v = txn.get(MemorySegment.ofArray(key));
            if (v == null) {
                return -1;
            }
            long n = v.byteSize();
            sum += n == 0 ? 0 : v.get(ValueLayout.JAVA_BYTE, 0);
            return (int) n;
        }

        @Override
        public long scan(boolean reverse) {
            return txn.scanInPlace(reverse ? Range.all().reversed() : Range.all(), visitor);
        }

        @Override
        public long scanFrom(byte[] from, int limit) {
            return txn.scanInPlace(Range.atLeast(from).limit(limit), visitor);
        }

        @Override
        public long checksum() {
            return sum;
        }

        @Override
        public void close() {
            txn.close();
        }
    }
}
