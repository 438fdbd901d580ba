package org.skipstore.kafka.streams;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;

/** Opening stores under test, and the small conversions the tests share. */
final class Fixture {

    private Fixture() {
    }

    /** A store named "store" opened in {@code stateDir}, with its context. */
    static SkipstoreKeyValueStore open(TestContext context) {
        return open(context, SkipstoreStoreConfig.builder().memtableBytes(1 << 20).build());
    }

    static SkipstoreKeyValueStore open(TestContext context, SkipstoreStoreConfig config) {
        return open(context, SkipstoreStores.persistentKeyValueStore("store", config));
    }

    /** A store of timestamped values named "store" opened in {@code stateDir}, with its context. */
    static SkipstoreKeyValueStore openTimestamped(TestContext context) {
        return open(context, SkipstoreStores.persistentTimestampedKeyValueStore("store",
                SkipstoreStoreConfig.builder().memtableBytes(1 << 20).build()));
    }

    private static SkipstoreKeyValueStore open(TestContext context, KeyValueBytesStoreSupplier supplier) {
        SkipstoreKeyValueStore store = (SkipstoreKeyValueStore) supplier.get();
        store.init(context, store);
        return store;
    }

    static TestContext context(Path stateDir) {
        return new TestContext(stateDir);
    }

    /** A key of the given unsigned byte values. */
    static Bytes key(int... unsigned) {
        byte[] b = new byte[unsigned.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) unsigned[i];
        }
        return Bytes.wrap(b);
    }

    static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] value(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** The iterator's entries as "key=value" strings (keys as UTF-8), closing it. */
    static List<String> drain(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            List<String> out = new ArrayList<>();
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                out.add(string(kv.key.get()) + "=" + string(kv.value));
            }
            return out;
        }
    }

    /** The iterator's keys, closing it. */
    static List<Bytes> keys(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            List<Bytes> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(it.next().key);
            }
            return out;
        }
    }
}
