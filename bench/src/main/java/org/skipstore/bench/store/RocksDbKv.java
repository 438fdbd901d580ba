package org.skipstore.bench.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB through rocksdbjni with its default options (write-ahead log on, 64 MiB memtables,
 * default compression), in its durable mode. How a batch of puts is written depends on the
 * {@link KvStore.Writes} mode: {@code PER_PUT} and {@code GROUP} (the default): each put is a write
 * of its own with {@code WriteOptions.sync = false}, the batch's last one with {@code sync = true}
 * (the log is synced before it returns, for it and every write before it); a {@link #commit()}
 * without such a put calls {@code syncWal()}. {@code BATCH}: the puts collect in one
 * {@link WriteBatch} written with {@code sync = true}. {@link #commitOne} is one put with
 * {@code sync = true} (thread-safe; RocksDB groups concurrent synced writes under one sync). A
 * reader reads one {@link Snapshot}; its gets and iterators copy into reusable arrays (the
 * cheapest byte[] calls rocksdbjni has). {@link #quiesce()} waits for its background flushes and
 * compactions, {@link #settle()} flushes the memtable and compacts the whole key range (untimed,
 * before reads).
 *
 * <p>rocksdbjni is not inside {@code benchmarks.jar} (scope provided: 92 MB of native libraries);
 * {@code bench.sh} puts it on the class path, and {@link Stores} loads this class by name, so that a
 * run without it says how to get it.
 */
final class RocksDbKv implements KvStore {

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync;
    private final WriteOptions noSync;
    private final WriteBatch batch = new WriteBatch();
    private final boolean batched;
    /** Writes since the last synced one ({@code PER_PUT}, {@code GROUP}). */
    private boolean unsynced;

    public RocksDbKv(Path dir, Writes writes) throws IOException {
        batched = writes == Writes.BATCH;
        options = new Options().setCreateIfMissing(true);
        try {
            db = RocksDB.open(options, dir.resolve("rocksdb").toString());
        } catch (RocksDBException e) {
            options.close();
            throw new IOException(e);
        }
        sync = new WriteOptions().setSync(true);
        noSync = new WriteOptions();
    }

    @Override
    public String engine() {
        return "rocksdb";
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        try {
            if (batched) {
                batch.put(key, value);
            } else {
                db.put(noSync, key, value);
                unsynced = true;
            }
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void putAndCommit(byte[] key, byte[] value) throws IOException {
        if (batched) {
            put(key, value);
            commit();
            return;
        }
        try {
            db.put(sync, key, value);
            unsynced = false;
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void commit() throws IOException {
        try {
            if (!batched) {
                if (unsynced) {
                    db.syncWal();
                    unsynced = false;
                }
                return;
            }
            if (batch.count() == 0) {
                return;
            }
            try {
                db.write(sync, batch);
            } finally {
                batch.clear();
            }
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void commitOne(byte[] key, byte[] value) throws IOException {
        try {
            db.put(sync, key, value);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public Reader reader() {
        return new RocksReader();
    }

    /** Waits until no flush or compaction is pending or running (polling RocksDB's properties). */
    @Override
    public void quiesce() throws IOException {
        try {
            while (db.getLongProperty("rocksdb.mem-table-flush-pending") + db.getLongProperty("rocksdb.num-running-flushes")
                    + db.getLongProperty("rocksdb.compaction-pending")
                    + db.getLongProperty("rocksdb.num-running-compactions") > 0) {
                Thread.sleep(5);
            }
        } catch (RocksDBException e) {
            throw new IOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void settle() throws IOException {
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
            db.compactRange();
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    /** Its memtables, block cache and the table readers' index and filter blocks, as RocksDB counts them. */
    @Override
    public long offHeapBytes() {
        try {
            return db.getLongProperty("rocksdb.cur-size-all-mem-tables") + db.getLongProperty("rocksdb.block-cache-usage")
                    + db.getLongProperty("rocksdb.estimate-table-readers-mem");
        } catch (RocksDBException e) {
            return -1;
        }
    }

    @Override
    public String details() {
        try {
            StringBuilder levels = new StringBuilder();
            for (int l = 0; l < 7; l++) {
                levels.append(l == 0 ? "" : " ").append(db.getProperty("rocksdb.num-files-at-level" + l));
            }
            return String.format(Locale.ROOT, "RocksDB sst files per level [%s], sst %,d B, memtables %,d B",
                    levels, Long.parseLong(db.getProperty("rocksdb.total-sst-files-size")),
                    Long.parseLong(db.getProperty("rocksdb.cur-size-all-mem-tables")));
        } catch (RocksDBException | NumberFormatException e) {
            return "RocksDB (no properties: " + e + ")";
        }
    }

    @Override
    public void close() {
        batch.close();
        sync.close();
        noSync.close();
        db.close();
        options.close();
    }

    private final class RocksReader extends ArrayReader {
        private final Snapshot snapshot = db.getSnapshot();
        private final ReadOptions read = new ReadOptions().setSnapshot(snapshot);
        private byte[] key = new byte[1024];
        private byte[] value = new byte[1024];

        @Override
        public int get(byte[] k) {
            try {
                int n = db.get(read, k, value);
                if (n == RocksDB.NOT_FOUND) {
                    return -1;
                }
                if (n > value.length) { // partial copy: read it again into an array that holds it
                    value = new byte[n];
                    n = db.get(read, k, value);
                }
                return touchValue(value, n);
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        private void touch(RocksIterator it) {
            int kn = it.key(key);
            if (kn > key.length) {
                key = new byte[kn];
                it.key(key);
            }
            int vn = it.value(value);
            if (vn > value.length) {
                value = new byte[vn];
                it.value(value);
            }
            touchEntry(key, kn, value, vn);
        }

        @Override
        public long scan(boolean reverse) {
            long n = 0;
            try (RocksIterator it = db.newIterator(read)) {
                if (reverse) {
                    it.seekToLast();
                } else {
                    it.seekToFirst();
                }
                for (; it.isValid(); n++) {
                    touch(it);
                    if (reverse) {
                        it.prev();
                    } else {
                        it.next();
                    }
                }
                it.status();
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
            return n;
        }

        @Override
        public long scanFrom(byte[] from, int limit) {
            long n = 0;
            try (RocksIterator it = db.newIterator(read)) {
                for (it.seek(from); it.isValid() && n < limit; it.next()) {
                    touch(it);
                    n++;
                }
                it.status();
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
            return n;
        }

        @Override
        public void close() {
            read.close();
            db.releaseSnapshot(snapshot);
        }
    }
}
