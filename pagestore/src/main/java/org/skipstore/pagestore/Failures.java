package org.skipstore.pagestore;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.NoSuchFileException;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.CorruptBlockException;
import org.skipstore.pagestore.internal.MappedPageFile;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The API boundary of the store's failures: every public method that reaches the internals
 * passes what they throw through {@link #translate} once, so the user sees the one unchecked
 * family, {@link SkipstoreException}, with the cause kept (as Lucene's
 * {@code MemorySegmentIndexInput} turns its segment failures into {@code IOException}s at its
 * API). The internals may go on throwing checked {@link IOException}s ({@link StoreFailure} for
 * the store's own problems, the file system's otherwise).
 *
 * <p>What reading damaged or vanished pages throws deep inside is recorded as damage of the
 * store, which then refuses writes, and becomes {@link Problem#CORRUPT} (or
 * {@link Problem#TRUNCATED} for a file cut short under the mapping):
 * <ul>
 *   <li>{@link CorruptBlockException}: a block failed its checksum;</li>
 *   <li>{@link IndexOutOfBoundsException}: a length or reference in a block leads out of it or of
 *       the file (every access is bounds-checked, so damage that passed a checksum, or a bug,
 *       ends here rather than in a wild read);</li>
 *   <li>{@link InternalError} from the JDK: a mapped page was gone (SIGBUS), because another
 *       program truncated the file.</li>
 * </ul>
 * Use of a closed store (the JDK's {@link IllegalStateException} of an unmapped file, a closed
 * channel) becomes {@link Problem#CLOSED}. Other runtime exceptions (the arguments' checks, a
 * call out of order) pass through unchanged, as do errors.
 */
final class Failures {

    private Failures() {
    }

    /**
     * The exception a public method throws for {@code e}.
     *
     * @param pager the store's pager, or null while a store is being opened
     * @param name  the store, for the message
     */
    static RuntimeException translate(Pager pager, String name, Throwable e) {
        if (e instanceof SkipstoreException s) {
            return s;
        }
        if (e instanceof StoreFailure f) {
            return f.toPublic();
        }
        if (pager != null && pager.isClosed()
                && (e instanceof IllegalStateException || e instanceof ClosedChannelException)) {
            return closed(name, e);
        }
        if (pager != null) {
            SkipstoreException damage = damage(pager, name, e);
            if (damage != null) {
                return damage;
            }
        }
        if (e instanceof NoSuchFileException n) {
            return new SkipstoreException(Problem.NOT_FOUND, name + " does not exist", n);
        }
        if (e instanceof IOException io) {
            return new SkipstoreException(Problem.IO, name + ": " + io, io);
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        throw (Error) e; // the checked exceptions are all IOExceptions, handled above
    }

    /** {@link Problem#CLOSED} for {@code name}; {@code cause} may be null. */
    static SkipstoreException closed(String name, Throwable cause) {
        return new SkipstoreException(Problem.CLOSED, name + " is closed", cause);
    }

    /** A {@link Problem#CORRUPT} or {@link Problem#TRUNCATED} when {@code e} is a symptom of damage (recorded), else null. */
    private static SkipstoreException damage(Pager pager, String name, Throwable e) {
        if (e instanceof CorruptBlockException c) {
            pager.checks().damaged(c);
            return new SkipstoreException(Problem.CORRUPT, name + " is damaged: " + c.getMessage(), c);
        }
        if (e instanceof IndexOutOfBoundsException o) {
            pager.checks().damaged(o);
            return new SkipstoreException(Problem.CORRUPT, name + " is damaged: a length or reference leads out of "
                    + "its block or the file (" + o.getMessage() + ")", o);
        }
        if (e instanceof InternalError i && String.valueOf(i.getMessage()).contains("memory access")) {
            pager.checks().damaged(new IllegalStateException("a mapped page faulted: " + i.getMessage(), i));
            String size = fileSize(pager);
            return size != null
                    ? new SkipstoreException(Problem.TRUNCATED, name + " was truncated while open: " + size
                            + "; close it and restore the file", i)
                    : new SkipstoreException(Problem.CORRUPT, name + ": reading a mapped page failed ("
                            + i.getMessage() + ")", i);
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
