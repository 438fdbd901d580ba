package org.skipstore.bench.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.Stores;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Cursor;
import org.skipstore.core.InsertResult;

/** One engine under test, behind the few operations the tool runs. */
interface KvEngine extends AutoCloseable {

    /** The in-memory engines: Skipstore's memtable and its peer. */
    List<String> MEMORY = List.of("memtable", "cslm");

    String name();

    /** Writes a new value for the key; the engine may keep {@code key} and {@code value} only by copy. */
    void put(byte[] key, byte[] value);

    /** Ends a phase of puts: a store commits the batch it has open. */
    default void endWrites() {
    }

    /** Whether the key has a live value. */
    boolean get(byte[] key);

    /** Visits every entry in key order; returns the number of entries and consumes key and value bytes. */
    long scan();

    /** As {@link #scan()}, in descending key order (stores only). */
    default long scanReverse() {
        throw new UnsupportedOperationException(name() + " has no reverse scan phase");
    }

    /** Entries the engine holds, or -1 when it cannot count them cheaply (the stores). */
    default long size() {
        return -1;
    }

    /** Bytes the engine's data occupies (stores: their files on disk), or -1 when it cannot tell. */
    long memoryBytes();

    @Override
    void close();

    /** Whether {@code name} is a durable store (as opposed to an in-memory structure). */
    static boolean isStore(String name) {
        return Stores.isStore(name);
    }

    /** Every engine name the tool knows. */
    static List<String> known() {
        return java.util.stream.Stream.concat(MEMORY.stream(), Stores.all().stream()).toList();
    }

    /** An in-memory engine. */
    static KvEngine create(String name) {
        return switch (name) {
            case "memtable" -> new Memtable();
            case "cslm" -> new Cslm();
            default -> throw new IllegalArgumentException("unknown engine '" + name + "' (known: "
                    + String.join(", ", known()) + ")");
        };
    }

    /** Skipstore's off-heap memtable; keys and values are copied into its arena. */
    final class Memtable implements KvEngine {
        private final ConcurrentSkipList list = new ConcurrentSkipList();

        @Override
        public String name() {
            return "memtable";
        }

        @Override
        public void put(byte[] key, byte[] value) {
            inserted(list.put(key, value));
        }

        /** The same put through the memtable's {@code MemorySegment} API. */
        public void put(MemorySegment key, MemorySegment value) {
            inserted(list.put(key, value));
        }

        private static void inserted(InsertResult r) {
            if (r != InsertResult.INSERTED) {
                throw new IllegalStateException("memtable put failed: " + r);
            }
        }

        @Override
        public long size() {
            return list.size();
        }

        @Override
        public boolean get(byte[] key) {
            return list.containsKey(key);
        }

        @Override
        public long scan() {
            long n = 0;
            long bytes = 0;
            try (Cursor c = list.cursor()) {
                while (c.next()) {
                    bytes += c.keyLength() + c.valueLength();
                    n++;
                }
            }
            return bytes >= 0 ? n : -1;
        }

        @Override
        public long memoryBytes() {
            return list.memoryUsage();
        }

        @Override
        public void close() {
            list.close();
        }
    }

    /** The JDK's {@code ConcurrentSkipListMap<byte[], byte[]>} in unsigned key order; keys are copied on put. */
    final class Cslm implements KvEngine {
        private final ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

        @Override
        public String name() {
            return "cslm";
        }

        @Override
        public void put(byte[] key, byte[] value) {
            map.put(key.clone(), value.clone());
        }

        @Override
        public boolean get(byte[] key) {
            return map.get(key) != null;
        }

        @Override
        public long size() {
            return map.size();
        }

        @Override
        public long scan() {
            long n = 0;
            long bytes = 0;
            for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
                bytes += e.getKey().length + e.getValue().length;
                n++;
            }
            return bytes >= 0 ? n : -1;
        }

        @Override
        public long memoryBytes() {
            return -1;
        }

        @Override
        public void close() {
            map.clear();
        }
    }

    /**
     * A durable store ({@link KvStore}) in a directory of its own: puts go into batches that a
     * durable commit ends every {@code batch} puts (the batch's last put and the commit are one
     * {@link KvStore#putAndCommit}) and at {@link #endWrites()}; reads go through one reader (a
     * snapshot or read transaction), opened by the first read after the last write. One thread at
     * a time, but for {@link #commitOne}. {@link #close()} leaves the directory: the run deletes
     * every store at its end ({@link DbBench}).
     */
    final class Store implements KvEngine {
        private final KvStore store;
        private final Path dir;
        private final int batch;
        private int pending;
        private KvStore.Reader reader;

        Store(String name, Path dir, int batch, KvStore.Writes writes) throws IOException {
            this.store = Stores.open(name, dir, writes);
            this.dir = dir;
            this.batch = batch;
        }

        @Override
        public String name() {
            return store.engine();
        }

        /** {@link KvStore#offHeapBytes}. */
        long offHeapBytes() {
            return store.offHeapBytes();
        }

        /** The adapter, for what a phase measures beyond this interface. */
        KvStore store() {
            return store;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            endReads();
            try {
                if (++pending == batch) {
                    pending = 0;
                    store.putAndCommit(key, value);
                } else {
                    store.put(key, value);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** One put committed durably on its own ({@link KvStore#commitOne}); thread-safe. */
        void commitOne(byte[] key, byte[] value) {
            unchecked(() -> store.commitOne(key, value));
        }

        @Override
        public void endWrites() {
            pending = 0;
            unchecked(store::commit);
        }

        /** Waits for the background work of the last writes ({@link KvStore#quiesce()}), ending any reader. */
        void quiesce() {
            endReads();
            unchecked(store::quiesce);
        }

        /** Brings the store to its steady state for reading ({@link KvStore#settle()}), ending any reader. */
        void settle() {
            endReads();
            unchecked(store::settle);
        }

        /** A call of the store whose {@code IOException} becomes an {@code UncheckedIOException}. */
        private interface StoreCall {
            void run() throws IOException;
        }

        private static void unchecked(StoreCall call) {
            try {
                call.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private KvStore.Reader reader() {
            if (reader == null) {
                try {
                    reader = store.reader();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return reader;
        }

        private void endReads() {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }

        @Override
        public boolean get(byte[] key) {
            return reader().get(key) >= 0;
        }

        @Override
        public long scan() {
            return reader().scan(false);
        }

        @Override
        public long scanReverse() {
            return reader().scan(true);
        }

        /** The bytes of the store's files. */
        @Override
        public long memoryBytes() {
            try {
                return Stores.fileBytes(dir);
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() {
            endReads();
            try {
                store.close(); // its directory stays until the end of the run (DbBench)
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
