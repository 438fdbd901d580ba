package org.skipstore.bench.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.GetOp;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;

/**
 * LMDB through lmdbjava with its default flags: every commit syncs (data pages, then the meta
 * page), as {@code PageStore}'s {@code SYNC}. A batch is one write transaction, and so is a
 * {@link #commitOne} (one put, from any thread: LMDB lets one writer in at a time); a reader is one read
 * transaction, whose gets and cursors return views of the map (zero-copy {@code ByteBuffer}s). Keys
 * and values go in through direct buffers (lmdbjava's way); the map may grow to
 * {@value #MAP_BYTES} bytes (address space only: the file grows as pages are written). The forked
 * JVM needs {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED}.
 */
final class LmdbKv implements KvStore {

    static final long MAP_BYTES = 64L << 30;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private ByteBuffer key = ByteBuffer.allocateDirect(64);
    private ByteBuffer value = ByteBuffer.allocateDirect(256);
    private Txn<ByteBuffer> txn;

    LmdbKv(Path dir) {
        env = Env.create().setMapSize(MAP_BYTES).setMaxDbs(1).open(dir.toFile());
        db = env.openDbi("bench", DbiFlags.MDB_CREATE);
    }

    @Override
    public String engine() {
        return "lmdb";
    }

    @Override
    public void put(byte[] k, byte[] v) {
        if (txn == null) {
            txn = env.txnWrite();
        }
        key = fill(key, k);
        value = fill(value, v);
        db.put(txn, key, value);
    }

    /** {@code bytes} in {@code buffer}, or in a larger direct buffer when they do not fit. */
    static ByteBuffer fill(ByteBuffer buffer, byte[] bytes) {
        if (buffer.capacity() < bytes.length) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes.length, 2 * buffer.capacity()));
        }
        buffer.clear();
        buffer.put(bytes).flip();
        return buffer;
    }

    @Override
    public void commit() {
        if (txn != null) {
            Txn<ByteBuffer> t = txn;
            txn = null;
            try (t) {
                t.commit();
            }
        }
    }

    /** Per thread: the key and value buffers of {@link #commitOne}. */
    private static final ThreadLocal<ByteBuffer[]> ONE = ThreadLocal.withInitial(
            () -> new ByteBuffer[] {ByteBuffer.allocateDirect(64), ByteBuffer.allocateDirect(256)});

    /** A write transaction of one put, committed: thread-safe (LMDB lets one writer in at a time). */
    @Override
    public void commitOne(byte[] k, byte[] v) {
        ByteBuffer[] b = ONE.get();
        b[0] = fill(b[0], k);
        b[1] = fill(b[1], v);
        try (Txn<ByteBuffer> t = env.txnWrite()) {
            db.put(t, b[0], b[1]);
            t.commit();
        }
    }

    @Override
    public Reader reader() {
        return new LmdbReader(env.txnRead());
    }

    /**
     * Not measured: its data are its mapped file's pages, the OS's page cache (counted for no
     * store), and what it allocates besides is not counted anywhere the JVM can read.
     */
    @Override
    public long offHeapBytes() {
        return -1;
    }

    @Override
    public String details() {
        Stat s;
        try (Txn<ByteBuffer> t = env.txnRead()) {
            s = db.stat(t);
        }
        EnvInfo info = env.info();
        return String.format(Locale.ROOT, "LMDB depth %d, %,d branch + %,d leaf + %,d overflow pages of %d B, last page %,d",
                s.depth, s.branchPages, s.leafPages, s.overflowPages, s.pageSize, info.lastPageNumber);
    }

    @Override
    public void close() {
        if (txn != null) {
            txn.close(); // aborts it
            txn = null;
        }
        env.close();
    }

    private final class LmdbReader implements Reader {
        private final Txn<ByteBuffer> rtxn;
        private ByteBuffer probe = ByteBuffer.allocateDirect(64);
        private long sum;

        LmdbReader(Txn<ByteBuffer> rtxn) {
            this.rtxn = rtxn;
        }

        @Override
        public int get(byte[] k) {
            probe = fill(probe, k);
            ByteBuffer v = db.get(rtxn, probe);
            if (v == null) {
                return -1;
            }
            int n = v.remaining();
            sum += n == 0 ? 0 : v.get(v.position());
            return n;
        }

        private void touch(ByteBuffer k, ByteBuffer v) {
            int n = v.remaining();
            sum += k.get(k.limit() - 1) + n + (n == 0 ? 0 : v.get(v.position()));
        }

        @Override
        public long scan(boolean reverse) {
            long n = 0;
            try (Cursor<ByteBuffer> c = db.openCursor(rtxn)) {
                for (boolean ok = reverse ? c.last() : c.first(); ok; ok = reverse ? c.prev() : c.next()) {
                    touch(c.key(), c.val());
                    n++;
                }
            }
            return n;
        }

        @Override
        public long scanFrom(byte[] from, int limit) {
            long n = 0;
            probe = fill(probe, from);
            try (Cursor<ByteBuffer> c = db.openCursor(rtxn)) {
                for (boolean ok = c.get(probe, GetOp.MDB_SET_RANGE); ok && n < limit; ok = c.next()) {
                    touch(c.key(), c.val());
                    n++;
                }
            }
            return n;
        }

        @Override
        public long checksum() {
            return sum;
        }

        @Override
        public void close() {
            rtxn.close();
        }
    }
}
