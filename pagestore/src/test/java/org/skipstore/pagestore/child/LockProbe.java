package org.skipstore.pagestore.child;

import java.nio.file.Path;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.PageStore;

/**
 * The child process of {@code StoreLockTest}: a child JVM's attempt to open a store; prints
 * {@code OPENED} (after a put and a commit), {@code LOCKED}, or the problem it met.
 */
public final class LockProbe {

    private LockProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (PageStore store = PageStore.open(Path.of(args[0]))) {
            store.put("probe".getBytes(), "written by another process".getBytes());
            System.out.println("OPENED");
        } catch (SkipstoreException e) {
            System.out.println(e.problem());
        }
    }
}
