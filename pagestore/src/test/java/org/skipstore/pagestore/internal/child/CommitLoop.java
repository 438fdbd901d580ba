package org.skipstore.pagestore.internal.child;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.Workload;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * The child process of {@code KillTest}: opens (or creates) the store, recovers its items from
 * the directory, and commits workload transactions until it is killed, printing
 * {@code ACK <txn> <items>} after each commit returns (and so is acknowledged). Each commit also
 * sets the commit metadata {@code "state"} to {@link #state} of the data it commits.
 */
public final class CommitLoop {

    private CommitLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Durability mode = Durability.valueOf(args[1]);
        long seed = Long.parseLong(args[2]);
        Pager p = PageFiles.open(path, 4096, mode, true, Pager.Hook.NONE);
        Workload w = new Workload(new SplittableRandom(seed));
        w.items = Workload.readAndCheck(p.file(), p.committed());
        System.out.println("OPEN " + p.committed().txnId);
        System.out.flush();
        for (;;) {
            try (WriteTxn t = p.begin()) {
                List<long[]> next = w.change(t, 3);
                t.putMetadata("state", state(t.id(), next)); // committed with the data it names
                t.commit();
                w.items = next;
                System.out.println("ACK " + t.id() + " " + Workload.describe(next).hashCode());
                System.out.flush();
            }
            if (w.items.size() > 200) { // keep the store small: drop most items now and then
                try (WriteTxn t = p.begin()) {
                    for (int i = 0; i < w.items.size(); i += 2) {
                        long[] it = w.items.get(i);
                        t.free(it[0], (int) it[1]);
                    }
                    List<long[]> kept = new java.util.ArrayList<>();
                    for (int i = 1; i < w.items.size(); i += 2) {
                        kept.add(w.items.get(i));
                    }
                    Workload rewrite = new Workload(new SplittableRandom(seed));
                    rewrite.items = kept;
                    // rewrite.change frees some more and adds some, and writes the directory
                    List<long[]> next = rewrite.change(t, 3);
                    t.putMetadata("state", state(t.id(), next));
                    t.commit();
                    w.items = next;
                    System.out.println("ACK " + t.id() + " " + Workload.describe(next).hashCode());
                    System.out.flush();
                }
            }
        }
    }

    /** The metadata a commit of transaction {@code txn} with {@code items} sets: {@code "<txn> <items' hash>"}. */
    public static byte[] state(long txn, List<long[]> items) {
        return (txn + " " + Workload.describe(items).hashCode()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
