package org.skipstore.bench.store;

import java.nio.file.Path;
import java.util.Locale;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * H2's MVStore with its default options (among them the background writer, which also commits
 * and compacts about every second), one {@link MVMap} of {@code byte[]} keys and values in
 * unsigned order ({@link ByteArrayDataType}). A batch ends with {@link MVStore#commit()}, which
 * writes the changes to the file, and then {@link MVStore#sync()}, which forces the file to disk.
 * Puts copy the caller's arrays (the map keeps references); readers read the live map, which only
 * this thread changes, and get the map's own arrays (no copy). Part of the {@code peers} build only.
 */
final class MvStoreKv implements KvStore {

    private final MVStore store;
    private final MVMap<byte[], byte[]> map;

    public MvStoreKv(Path dir) {
        store = new MVStore.Builder().fileName(dir.resolve("store.mv.db").toString()).open();
        map = store.openMap("bench", new MVMap.Builder<byte[], byte[]>().keyType(ByteArrayDataType.INSTANCE)
                .valueType(ByteArrayDataType.INSTANCE));
    }

    @Override
    public String engine() {
        return "mvstore";
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key.clone(), value.clone());
    }

    @Override
    public void commit() {
        store.commit();
        store.sync();
    }

    @Override
    public Reader reader() {
        return new ArrayReader() {

            private void touch(byte[] k, byte[] v) {
                touchEntry(k, k.length, v, v.length);
            }

            @Override
            public int get(byte[] key) {
                return touchValue(map.get(key));
            }

            @Override
            public long scan(boolean reverse) {
                long n = 0;
                for (Cursor<byte[], byte[]> c = map.cursor(null, null, reverse); c.hasNext(); n++) {
                    touch(c.next(), c.getValue());
                }
                return n;
            }

            @Override
            public long scanFrom(byte[] from, int limit) {
                long n = 0;
                for (Cursor<byte[], byte[]> c = map.cursor(from, null, false); n < limit && c.hasNext(); n++) {
                    touch(c.next(), c.getValue());
                }
                return n;
            }
        };
    }

    @Override
    public String details() {
        return String.format(Locale.ROOT, "MVStore file %,d B, fill rate %d %%, chunks fill rate %d %%",
                store.getFileStore().size(), store.getFileStore().getFillRate(), store.getFileStore().getChunksFillRate());
    }

    @Override
    public void close() {
        store.close();
    }
}
