package org.skipstore.stress.pager;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.MemoryPageFile;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * Helpers of the page-layer stress tests: a pager on a file in memory (the concurrency of the
 * page layer does not depend on the file), and commits that point root 0 at a one-page block
 * holding a number.
 */
final class Fixtures {

    private Fixtures() {
    }

    /** A store whose state 2 has root 0 at a block holding {@code 1}. */
    static Pager withOne() {
        Pager p;
        try {
            p = Pager.create(new MemoryPageFile(512), Durability.SYNC, Pager.Hook.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            commitValue(p, 1);
            return p;
        } catch (RuntimeException e) {
            close(p); // the state is never built: nothing else would close it
            throw e;
        }
    }

    /**
     * Closes the pager: its write buffers live in a shared arena that only close frees (the
     * collector does not), so every state of a test must close its pager, in its arbiter.
     */
    static void close(Pager p) {
        try {
            p.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits a new block holding {@code value} as root 0 and frees the block it replaces. */
    static void commitValue(Pager p, long value) {
        try (WriteTxn t = p.begin()) {
            long b = t.allocate(0);
            t.write(b).set(JAVA_LONG_UNALIGNED, 0, value);
            long old = t.root(0);
            if (old != 0) {
                t.free(old, 0);
            }
            t.setRoot(0, b);
            t.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number in the block root 0 names, read through {@code view}. */
    static long value(ReadView view) {
        return view.read(view.root(0), 1).get(JAVA_LONG_UNALIGNED, 0);
    }

    static String name(Throwable t) {
        return t.getClass().getSimpleName();
    }
}
