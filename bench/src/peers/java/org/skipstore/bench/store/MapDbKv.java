package org.skipstore.bench.store;

import java.util.Iterator;
import java.util.Map;
import java.nio.file.Path;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * MapDB 3 with transactions enabled (its write-ahead log; {@link DB#commit()} syncs it by default),
 * one {@link BTreeMap} of {@code byte[]} keys and values ({@link Serializer#BYTE_ARRAY}: unsigned
 * order). A batch ends with {@link DB#commit()}. Puts copy the caller's arrays; readers read the
 * live map (only this thread changes it), whose gets and iterators deserialize new arrays. Part of
 * the {@code peers} build only.
 */
final class MapDbKv implements KvStore {

    private final DB db;
    private final BTreeMap<byte[], byte[]> map;

    public MapDbKv(Path dir) {
        db = DBMaker.fileDB(dir.resolve("store.mapdb").toFile()).transactionEnable().make();
        map = db.treeMap("bench", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    }

    @Override
    public String engine() {
        return "mapdb";
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key.clone(), value.clone());
    }

    @Override
    public void commit() {
        db.commit();
    }

    @Override
    public Reader reader() {
        return new ArrayReader() {

            private long visit(Iterator<Map.Entry<byte[], byte[]>> it, long limit) {
                long n = 0;
                for (; n < limit && it.hasNext(); n++) {
                    Map.Entry<byte[], byte[]> e = it.next();
                    byte[] k = e.getKey();
                    byte[] v = e.getValue();
                    touchEntry(k, k.length, v, v.length);
                }
                return n;
            }

            @Override
            public int get(byte[] key) {
                return touchValue(map.get(key));
            }

            @Override
            public long scan(boolean reverse) {
                return visit(reverse ? map.descendingEntryIterator() : map.entryIterator(), Long.MAX_VALUE);
            }

            @Override
            public long scanFrom(byte[] from, int limit) {
                return visit(map.entryIterator(from, true, null, false), limit);
            }
        };
    }

    @Override
    public void close() {
        db.close();
    }
}
