package org.skipstore.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.Stores;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteBatch;

import static org.skipstore.bench.jmh.CommitBenchmark.delete;
import static org.skipstore.bench.jmh.CommitBenchmark.tempDir;

/** The states of {@link CommitBenchmark}'s one-put commits of the engine and of RocksDB. */
public final class CommitStates {

    private CommitStates() {
    }

    /** A Skipstore database with the default settings, shared by the threads that commit to it. */
    @State(Scope.Benchmark)
    public static class Database {
        Path dir;
        Skipstore db;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("engine");
            db = Skipstore.open(dir);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            System.out.println("[skipstore: " + db.stats() + "]");
            db.close();
            delete(dir);
        }
    }

    /** A committing thread's batch and keys: distinct, so that every commit adds an entry. */
    @State(Scope.Thread)
    public static class OnePut {
        private static final AtomicLong THREADS = new AtomicLong();
        final WriteBatch batch = new WriteBatch();
        final byte[] key = new byte[16];
        final byte[] value = new byte[100];
        final long thread = THREADS.incrementAndGet();
        long counter;

        /** The next key of this thread: its number and a counter, big-endian. */
        byte[] next() {
            ByteBuffer.wrap(key).putLong(0, thread).putLong(8, ++counter);
            ByteBuffer.wrap(value).putLong(0, counter);
            return key;
        }
    }

    /** RocksDB with the default options, shared by the threads that commit to it. */
    @State(Scope.Benchmark)
    public static class Rocks {
        Path dir;
        KvStore db;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("rocksdb");
            db = Stores.open("rocksdb", dir, KvStore.Writes.PER_PUT);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            db.close();
            delete(dir);
        }
    }
}
