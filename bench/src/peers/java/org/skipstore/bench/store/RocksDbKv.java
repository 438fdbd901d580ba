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
 * RocksDB through rocksdbjni with its default options (write-ahead log on, default compression),
 * in its durable mode: a batch is one {@link WriteBatch} written with {@code WriteOptions.sync =
 * true} (the log is synced before the write returns). A reader reads one {@link Snapshot}; its
 * gets and iterators copy into reusable arrays (the cheapest byte[] calls rocksdbjni has).
 * {@link #settle()} flushes the memtable and compacts the whole key range (untimed, before reads).
 * Part of the {@code peers} build only.
 */
final class RocksDbKv implements KvStore {

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync;
    private final WriteBatch batch = new WriteBatch();

    public RocksDbKv(Path dir) throws IOException {
        options = new Options().setCreateIfMissing(true);
        try {
            db = RocksDB.open(options, dir.resolve("rocksdb").toString());
        } catch (RocksDBException e) {
            options.close();
            throw new IOException(e);
        }
        sync = new WriteOptions().setSync(true);
    }

    @Override
    public String engine() {
        return "rocksdb";
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void commit() throws IOException {
        if (batch.count() == 0) {
            return;
        }
        try {
            db.write(sync, batch);
        } catch (RocksDBException e) {
            throw new IOException(e);
        } finally {
            batch.clear();
        }
    }

    @Override
    public Reader reader() {
        return new RocksReader();
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
