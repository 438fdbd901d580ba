package org.skipstore.pagestore.internal.child;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.StoreFailure;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.Workload;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * The child process of {@code DiskFullTest}, run under a file size limit ({@code ulimit -f}): commits
 * workload transactions with large blocks until the file cannot grow, then commits once more
 * within the space it has. Prints {@code FULL <last txn> <problem> <message>} and {@code OK <txn>}.
 */
public final class GrowUntilFull {

    private GrowUntilFull() {
    }

    public static void main(String[] args) throws Exception {
        Pager p = PageFiles.open(Path.of(args[0]), 4096, Durability.SYNC, true, Pager.Hook.NONE);
        Workload w = new Workload(new SplittableRandom(17));
        try {
            for (;;) {
                try (WriteTxn t = p.begin()) {
                    List<long[]> next = w.change(t, 7);
                    t.commit();
                    w.items = next;
                }
            }
        } catch (StoreFailure e) {
            System.out.println("FULL " + p.committed().txnId + " " + e.problem() + " " + e.getMessage());
        }
        try (WriteTxn t = p.begin()) { // the store goes on within its space
            t.setRoot(7, 1);
            t.commit();
        }
        System.out.println("OK " + p.committed().txnId);
        p.close();
    }
}
