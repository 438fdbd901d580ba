package org.skipstore.stress.store;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteTransaction;

/**
 * Helpers of the PageStore stress tests: a small store in memory whose B-skip-list is several
 * levels tall (promotion 1/2, 64 keys), so that the keys the tests race on lie in different
 * partitions and every commit copies a path of several partitions.
 */
final class Fixtures {

    static final int KEYS = 64;
    static final byte[] FIRST = key(0);
    static final byte[] LAST = key(KEYS - 1);

    private Fixtures() {
    }

    static byte[] key(int i) {
        return ByteBuffer.allocate(4).putInt(i * 17).array();
    }

    static byte[] value(long n) {
        return ByteBuffer.allocate(16).putLong(n).putLong(~n).array();
    }

    /** Reads a value written by {@link #value}, checking that it is whole; -1 when torn or missing. */
    static long number(MemorySegment v) {
        if (v == null || v.byteSize() != 16) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        long n = b.getLong();
        return b.getLong() == ~n ? n : -1;
    }

    static long read(ReadTransaction txn, byte[] key) {
        return number(txn.get(MemorySegment.ofArray(key)));
    }

    /** A store where every key holds 0, committed with {@link Durability#SYNC}. */
    static PageStore store() {
        return store(Durability.SYNC);
    }

    /** A store where every key holds 0, committed with {@code durability}. */
    static PageStore store(Durability durability) {
        PageStore s = PageStore.builder().promotion(2).seed(42).pageSize(512).durability(durability).openInMemory();
        try (WriteTransaction txn = s.write()) {
            for (int i = 0; i < KEYS; i++) {
                txn.put(key(i), value(0));
            }
            txn.commit();
            return s;
        } catch (RuntimeException e) {
            close(s); // the state is never built, so no arbiter would close it
            throw e;
        }
    }

    /** Commits {@code n} under every key in {@code keys}. */
    static void commit(PageStore s, long n, byte[]... keys) {
        try (WriteTransaction txn = s.write()) {
            for (byte[] k : keys) {
                txn.put(k, value(n));
            }
            txn.commit();
        }
    }

    /** The id of the last commit of {@code s}. */
    static long lastCommit(PageStore s) {
        try (ReadTransaction txn = s.read()) {
            return txn.id();
        }
    }

    /**
     * Commits, under {@code key} and one other key, the number of commits since state
     * {@code first}: the value a snapshot holds then says which state it is (several writers too).
     */
    static void commitCount(PageStore s, long first, byte[] key) {
        try (WriteTransaction txn = s.write()) {
            long n = txn.id() - first;
            txn.put(key, value(n));
            txn.put(key((int) (n * 13 % KEYS)), value(n)); // another partition copied and freed
            txn.commit();
        }
    }

    /**
     * A reader of the count {@link #commitCount} keeps under {@code key}: its snapshot (commits
     * since {@code first}), then one zero-copy segment of the value read twice; the simple name
     * of an exception instead.
     */
    static void readCountTwice(PageStore s, long first, byte[] key, LLL_Result r) {
        try (ReadTransaction txn = s.read()) {
            MemorySegment v = txn.get(MemorySegment.ofArray(key));
            r.r1 = txn.id() - first;
            r.r2 = number(v);
            Thread.onSpinWait();
            r.r3 = number(v);
        } catch (RuntimeException e) {
            r.r1 = e.getClass().getSimpleName();
        }
    }

    static void close(PageStore s) {
        s.close();
    }
}
