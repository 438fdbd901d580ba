package org.skipstore.pagestore.child;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.KeyValue;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.WriteTransaction;

/**
 * The child process of {@code StoreKillTest}: commits numbered transactions through the
 * PageStore API until it is killed, printing {@code ACK <n>} after commit {@code n} returned.
 * Transaction {@code n} sets {@code "counter"} to {@code n}, puts {@link #PER_TXN} entries of its
 * own (some spanning pages) and deletes those of transaction {@code n - WINDOW}: the state after
 * commit {@code n} is a function of {@code n} alone ({@link #expected}).
 */
public final class StoreCommitLoop {

    static final int PER_TXN = 5;
    static final int WINDOW = 40;
    /** The key whose value is the number of the last commit. */
    public static final byte[] COUNTER = "counter".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** The commit metadata each commit sets: its number, as {@link #COUNTER}'s value. */
    public static final String METADATA = "commit";

    private StoreCommitLoop() {
    }

    static byte[] key(long n, int j) {
        return ByteBuffer.allocate(12).putLong(n * 7919 % 100_003).putInt(j).array(); // scattered, not appended
    }

    static byte[] value(long n, int j) {
        int len = j == 0 && n % 7 == 0 ? 20_000 : 10 + (int) ((n + j) % 90);
        byte[] v = new byte[len];
        for (int i = 0; i < len; i++) {
            v[i] = (byte) (n * 31 + j * 7 + i);
        }
        return v;
    }

    /** The entries after commit {@code n}, in key order. */
    public static java.util.List<KeyValue> expected(long n) {
        java.util.TreeMap<byte[], byte[]> m = new java.util.TreeMap<>(org.skipstore.core.Keys.BYTE_ARRAY_ORDER);
        if (n > 0) {
            m.put(COUNTER, ByteBuffer.allocate(8).putLong(n).array());
        }
        for (long t = Math.max(1, n - WINDOW + 1); t <= n; t++) {
            for (int j = 0; j < PER_TXN; j++) {
                m.put(key(t, j), value(t, j));
            }
        }
        java.util.List<KeyValue> out = new java.util.ArrayList<>();
        m.forEach((k, v) -> out.add(new KeyValue(k, v)));
        return out;
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Durability mode = Durability.valueOf(args[1]);
        // A bound of a few pages: most transactions write blocks ahead of their commit, so kills land there too.
        try (PageStore store = PageStore.builder().durability(mode).promotion(4).transactionBufferBytes(4096).open(path)) {
            byte[] c = store.get(COUNTER);
            long n = c == null ? 0 : ByteBuffer.wrap(c).getLong();
            System.out.println("OPEN " + n);
            System.out.flush();
            for (;;) {
                n++;
                try (WriteTransaction txn = store.write()) {
                    txn.put(COUNTER, ByteBuffer.allocate(8).putLong(n).array());
                    txn.putMetadata(METADATA, ByteBuffer.allocate(8).putLong(n).array()); // with the data it names
                    for (int j = 0; j < PER_TXN; j++) {
                        txn.put(key(n, j), value(n, j));
                    }
                    if (n > WINDOW) {
                        for (int j = 0; j < PER_TXN; j++) {
                            if (!txn.delete(key(n - WINDOW, j))) {
                                throw new IllegalStateException("transaction " + (n - WINDOW) + "'s entry " + j + " is missing");
                            }
                        }
                    }
                    txn.commit();
                }
                System.out.println("ACK " + n);
                System.out.flush();
            }
        }
    }
}
