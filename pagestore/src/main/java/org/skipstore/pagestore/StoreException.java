package org.skipstore.pagestore;

import java.io.IOException;

/**
 * A store file that cannot be used as asked, with the {@link Problem} named: thrown by open for a
 * file that is not a Skipstore file, is damaged beyond what recovery may repair, is locked by
 * another open, and so on, and by writes once the store refuses them. Never thrown for a problem
 * that recovery repairs (a torn last commit falls back to the one before, silently).
 */
public class StoreException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Problem {
        /** The file does not start with a Skipstore meta page (another format, or garbage). */
        NOT_A_STORE,
        /** Neither meta page is valid: the file is damaged. */
        CORRUPT,
        /** The file is shorter than its valid meta pages say. */
        TRUNCATED,
        /** The file has another page size than the one asked for. */
        PAGE_SIZE,
        /** The file has a format version this code does not read. */
        VERSION,
        /** The file is open already, in this process or another. */
        LOCKED,
        /** The path is a directory, or the file cannot be opened for reading and writing. */
        NOT_WRITABLE,
        /** Growing the file failed (disk full, file size limit): nothing was committed. */
        NO_SPACE,
        /** A force (msync/fsync) failed: the store refuses further writes, see {@link #getCause()}. */
        FAILED_FORCE,
        /**
         * Writing a commit failed for another reason than space (an I/O error, or an interrupt that
         * closed the file): when its blocks failed in a forced mode, nothing was committed and the
         * store stays usable; otherwise (its meta, or an unforced mode) what reached the disk is
         * unknown and the store refuses further writes until reopened. See {@link #getCause()}.
         */
        FAILED_WRITE,
        /** The store or transaction is closed. */
        CLOSED
    }

    private final Problem problem;

    public StoreException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public StoreException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }
}
