package org.skipstore.core;

/**
 * The one exception family of Skipstore: what the memtable and the page store throw when they
 * cannot do what was asked for a reason of their own (closed, full, damaged, an I/O failure),
 * with the reason as a {@link Problem} code and the original failure as the cause. Unchecked,
 * as lmdbjava's {@code LmdbException}: a caller that can act on a reason switches on
 * {@link #problem()}; one that cannot lets it propagate. Programming errors stay plain Java
 * exceptions (see the package comment).
 */
public class SkipstoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Problem {
        /** The memtable, store, transaction, snapshot or cursor is closed or has ended. */
        CLOSED,
        /** The memtable reached its memory or entry limit (it stays open and refuses the write). */
        MEMTABLE_FULL,
        /** The memtable is sealed: write to its {@link ConcurrentSkipList#successor()}. */
        SEALED,
        /** The file does not start with a Skipstore meta page (another format, or garbage). */
        NOT_A_STORE,
        /** The store is damaged: neither meta page is valid, or a block failed its checksum. */
        CORRUPT,
        /** The file is shorter than its valid meta pages say, or was cut short while open. */
        TRUNCATED,
        /** The file has another page size than the one asked for. */
        PAGE_SIZE,
        /** The file has a format version this code does not read. */
        VERSION,
        /** The file is open already, in this process or another. */
        LOCKED,
        /** The path is a directory, or the file cannot be opened for reading and writing. */
        NOT_WRITABLE,
        /** Growing the file failed (disk full, file size limit, the store's maximum size): nothing was committed. */
        NO_SPACE,
        /** A force (fdatasync) failed: the store refuses further writes, see {@link #getCause()}. */
        FAILED_FORCE,
        /**
         * Writing a commit failed for another reason than space (an I/O error, or an interrupt that
         * closed the file): when its blocks failed in a forced mode, nothing was committed and the
         * store stays usable; otherwise (its meta, or an unforced mode) what reached the disk is
         * unknown and the store refuses further writes until reopened. See {@link #getCause()}.
         */
        FAILED_WRITE,
        /** The store's file does not exist and was not to be created. */
        NOT_FOUND,
        /** A file in the database's directory belongs to another database (its id differs). */
        FOREIGN,
        /** Another I/O error of the file system, see {@link #getCause()}. */
        IO
    }

    private final Problem problem;

    public SkipstoreException(Problem problem, String message) {
        this(problem, message, null);
    }

    public SkipstoreException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = java.util.Objects.requireNonNull(problem, "problem");
    }

    /** Why. */
    public Problem problem() {
        return problem;
    }

    @Override
    public String toString() {
        return getClass().getName() + " (" + problem + "): " + getMessage();
    }
}
