package org.skipstore.bench.tool;

import java.nio.file.Path;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.SkipstoreKv;
import org.skipstore.bench.store.Stores;
import org.skipstore.pagestore.EngineStats;

/**
 * The child JVM of the {@code replay} phase ({@link Replay}): opens a new database in the given
 * directory with the default settings, writes the given number of entries as the fills do
 * ({@code NO_SYNC} puts, every {@code batch}-th a {@code SYNC} one, the last forced too), prints
 * {@value #FILLED} and its statistics once every write is in the log and no memtable was sealed
 * (else {@value #SEALED}), and waits to be killed.
 *
 * <pre>java -cp ... org.skipstore.bench.tool.ReplayChild DIR ENTRIES KEY_SIZE VALUE_SIZE BATCH SEED</pre>
 */
public final class ReplayChild {

    static final String FILLED = "filled";
    static final String SEALED = "sealed";

    private ReplayChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        byte[] k = new byte[Integer.parseInt(args[2])];
        byte[] v = new byte[Integer.parseInt(args[3])];
        int batch = Integer.parseInt(args[4]);
        int[] order = Run.permutation(n, Long.parseLong(args[5]));
        KvStore kv = Stores.open(Options.ENGINE, dir, KvStore.Writes.PER_PUT); // never closed: killed
        for (int i = 0; i < n; i++) {
            Run.key(k, order[i]);
            Run.storeValue(v, order[i]);
            if ((i + 1) % batch == 0) {
                kv.putAndCommit(k, v);
            } else {
                kv.put(k, v);
            }
        }
        kv.commit();
        EngineStats s = ((SkipstoreKv) kv).database().stats();
        boolean whole = s.flushes() == 0 && s.sealedMemtables() == 0;
        System.out.println((whole ? FILLED : SEALED) + " " + s);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
