package org.skipstore.bench.tool;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Cursor;
import org.skipstore.core.InsertResult;

/** One store under test, behind the few operations the tool runs. */
interface KvEngine extends AutoCloseable {

    String name();

    /** Writes a new value for the key; the engine may keep {@code key} and {@code value} only by copy. */
    void put(byte[] key, byte[] value);

    /** Whether the key has a live value. */
    boolean get(byte[] key);

    /** Visits every entry in key order; returns the number of entries and consumes key and value bytes. */
    long scan();

    /** Bytes the engine's data occupies, or -1 when it cannot tell. */
    long memoryBytes();

    @Override
    void close();

    static KvEngine create(String name) {
        return switch (name) {
            case "memtable" -> new Memtable();
            case "cslm" -> new Cslm();
            default -> throw new IllegalArgumentException("unknown engine '" + name + "' (known: memtable, cslm)");
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
            InsertResult r = list.put(key, value);
            if (r != InsertResult.INSERTED) {
                throw new IllegalStateException("memtable put failed: " + r);
            }
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
                for (boolean ok = c.isValid(); ok; ok = c.next()) {
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
}
