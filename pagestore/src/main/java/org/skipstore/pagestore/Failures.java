package org.skipstore.pagestore;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.skipstore.pagestore.StoreException.Problem;
import org.skipstore.pagestore.internal.CorruptBlockException;
import org.skipstore.pagestore.internal.MappedPageFile;
import org.skipstore.pagestore.internal.Pager;

/**
 * What reading damaged or vanished pages throws deep inside the store, translated once, at the
 * API: a {@link StoreException} naming the problem ({@link Problem#CORRUPT}, or
 * {@link Problem#TRUNCATED} for a file cut short under the mapping), unchecked
 * ({@link UncheckedIOException}) from the methods that declare no {@code IOException}. The
 * symptoms:
 * <ul>
 *   <li>{@link CorruptBlockException}: a block failed its checksum;</li>
 *   <li>{@link IndexOutOfBoundsException}: a length or reference in a block leads out of it or of
 *       the file (every access is bounds-checked, so damage that passed a checksum, or a bug,
 *       ends here rather than in a wild read);</li>
 *   <li>{@link InternalError} from the JDK: a mapped page was gone (SIGBUS), because another
 *       program truncated the file.</li>
 * </ul>
 * Each is recorded as damage of the store, which then refuses writes. Anything else passes
 * through unchanged.
 */
final class Failures {

    private Failures() {
    }

    /** The exception for a read method to throw for {@code e}: translated, or {@code e} itself. */
    static RuntimeException onRead(Pager pager, String name, Throwable e) {
        StoreException s = translate(pager, name, e);
        if (s != null) {
            return new UncheckedIOException(s.getMessage(), s);
        }
        return rethrow(e);
    }

    /** The exception for a method that declares {@code IOException} to throw for {@code e}. */
    static IOException onWrite(Pager pager, String name, Throwable e) {
        StoreException s = translate(pager, name, e);
        if (s != null) {
            return s;
        }
        if (e instanceof IOException io) {
            return io;
        }
        throw rethrow(e);
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        throw (Error) e; // only Errors reach here: the checked exceptions are handled by the callers
    }

    /** A {@link StoreException} when {@code e} is a symptom of damage (recorded), else null. */
    static StoreException translate(Pager pager, String name, Throwable e) {
        if (e instanceof CorruptBlockException c) {
            pager.checks().damaged(c);
            return new StoreException(Problem.CORRUPT, name + " is damaged: " + c.getMessage(), c);
        }
        if (e instanceof IndexOutOfBoundsException o) {
            pager.checks().damaged(o);
            return new StoreException(Problem.CORRUPT, name + " is damaged: a length or reference leads out of its "
                    + "block or the file (" + o.getMessage() + ")", o);
        }
        if (e instanceof InternalError i && String.valueOf(i.getMessage()).contains("memory access")) {
            pager.checks().damaged(new IllegalStateException("a mapped page faulted: " + i.getMessage(), i));
            String size = fileSize(pager);
            return size != null
                    ? new StoreException(Problem.TRUNCATED, name + " was truncated while open: " + size
                            + "; close it and restore the file", i)
                    : new StoreException(Problem.CORRUPT, name + ": reading a mapped page failed (" + i.getMessage()
                            + ")", i);
        }
        return null;
    }

    /** "file N bytes, store M bytes" when the file is shorter than the pages mapped, else null. */
    private static String fileSize(Pager pager) {
        if (pager.file() instanceof MappedPageFile f) {
            try {
                long mapped = pager.file().pageCount() * pager.pageSize();
                long size = f.fileSize();
                return size < mapped ? "the file has " + size + " bytes, the store " + mapped : null;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
