package org.skipstore.bench.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Locale;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.EngineStats;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteBatch;
import org.skipstore.pagestore.WriteDurability;

/**
 * Skipstore's engine ({@link Skipstore}) with its defaults (64 MiB memtables, 2 sealed at most,
 * {@link WriteDurability#GROUP}), the database in the directory itself. How a batch of puts is
 * written depends on the {@link KvStore.Writes} mode:
 * <ul>
 *   <li>{@code PER_PUT} (the default) and {@code GROUP}: each put is a write of its own with
 *       {@code NO_SYNC} (logged, not forced); the batch's last put is a {@code SYNC} write, which
 *       forces the log, so it and every write before it are durable when it returns; a
 *       {@link #commit()} without such a put calls {@link Skipstore#sync()}. This is RocksDB's
 *       {@code sync = false} puts with a {@code sync = true} one every batch: the same writes,
 *       system calls and forces.</li>
 *   <li>{@code BATCH}: the puts collect in one {@link WriteBatch}, written with {@code SYNC} at
 *       the commit (RocksDB's {@code WriteBatch} with {@code sync = true}).</li>
 * </ul>
 * {@link #commitOne} is one put written with {@code SYNC} ({@code GROUP} in that mode: threads
 * that come together share a force). A reader is one {@link DbSnapshot}; its gets copy the value
 * ({@link Skipstore}'s only form), its scans read the cursor's views in place.
 * {@link #quiesce()} waits for the flushes of the sealed memtables, {@link #settle()} is
 * {@link Skipstore#flush()}.
 */
public final class SkipstoreKv implements KvStore {

    /** Per thread: the batch of {@link #commitOne}. */
    private static final ThreadLocal<WriteBatch> ONE = ThreadLocal.withInitial(WriteBatch::new);

    private final Skipstore db;
    private final Writes writes;
    private final WriteDurability one;
    private final WriteBatch batch = new WriteBatch();
    /** Writes since the last force ({@code PER_PUT}, {@code GROUP}). */
    private boolean unforced;

    SkipstoreKv(Path dir, Writes writes) {
        this.db = Skipstore.open(dir);
        this.writes = writes;
        this.one = writes == Writes.GROUP ? WriteDurability.GROUP : WriteDurability.SYNC;
    }

    @Override
    public String engine() {
        return "skipstore";
    }

    /** The memtables, the active one and the sealed ones (the store's pages are its mapped file). */
    @Override
    public long offHeapBytes() {
        return db.stats().memtableBytes();
    }

    /** The database, for what the tool measures beyond the stores' common interface. */
    public Skipstore database() {
        return db;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        if (writes == Writes.BATCH) {
            batch.put(key, value);
            return;
        }
        db.write(batch.clear().put(key, value), WriteDurability.NO_SYNC);
        unforced = true;
    }

    @Override
    public void putAndCommit(byte[] key, byte[] value) {
        if (writes == Writes.BATCH) {
            batch.put(key, value);
            commit();
            return;
        }
        db.write(batch.clear().put(key, value), WriteDurability.SYNC);
        unforced = false;
    }

    @Override
    public void commit() {
        if (writes == Writes.BATCH) {
            if (!batch.isEmpty()) {
                try {
                    db.write(batch, WriteDurability.SYNC);
                } finally {
                    batch.clear();
                }
            }
        } else if (unforced) {
            db.sync();
            unforced = false;
        }
    }

    /** Thread-safe: a batch of the calling thread's own. */
    @Override
    public void commitOne(byte[] key, byte[] value) {
        db.write(ONE.get().clear().put(key, value), one);
    }

    @Override
    public Reader reader() {
        return new SnapshotReader(db.snapshot());
    }

    /**
     * Waits until no sealed memtable waits for a flush (polling {@link Skipstore#stats()}), then
     * 50 ms more: a flush publishes the store's new state before its last steps (the log's trim,
     * the flush counters of the statistics), which this lets end.
     */
    @Override
    public void quiesce() {
        try {
            while (db.stats().sealedMemtables() > 0) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void settle() {
        db.flush();
    }

    @Override
    public String details() {
        EngineStats s = db.stats();
        return String.format(Locale.ROOT, "Skipstore %,d flushes of %,d entries, %d sealed waiting, %,d writes not"
                        + " flushed, memtables %.1f MiB (peak %.1f), log %.1f MiB written (%.2f writes a group),"
                        + " store file %.1f MiB",
                s.flushes(), s.flushedEntries(), s.sealedMemtables(), s.sequence() - s.flushedSequence(),
                s.memtableBytes() / 1048576.0,
                s.peakMemtableBytes() / 1048576.0, s.logBytesWritten() / 1048576.0, s.meanGroupSize(),
                s.storeFileBytes() / 1048576.0);
    }

    @Override
    public void close() {
        db.close();
    }

    private static final class SnapshotReader implements Reader {
        private final DbSnapshot snapshot;
        private long sum;

        SnapshotReader(DbSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public int get(byte[] key) {
            byte[] v = snapshot.get(key);
            if (v == null) {
                return -1;
            }
            sum += v.length == 0 ? 0 : v[0];
            return v.length;
        }

        private void touch(OrderedCursor c) {
            MemorySegment k = c.key();
            MemorySegment v = c.value();
            long n = v.byteSize();
            sum += k.get(ValueLayout.JAVA_BYTE, k.byteSize() - 1) + n + (n == 0 ? 0 : v.get(ValueLayout.JAVA_BYTE, 0));
        }

        @Override
        public long scan(boolean reverse) {
            long n = 0;
            try (OrderedCursor c = snapshot.cursor()) {
                for (boolean ok = reverse ? c.last() : c.first(); ok; ok = reverse ? c.prev() : c.next()) {
                    touch(c);
                    n++;
                }
            }
            return n;
        }

        @Override
        public long scanFrom(byte[] from, int limit) {
            long n = 0;
            try (OrderedCursor c = snapshot.cursor()) {
                for (boolean ok = c.seek(from); ok && n < limit; ok = c.next()) {
                    touch(c);
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
            snapshot.close();
        }
    }
}
