package org.skipstore.pagestore.internal;

import java.io.IOException;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * A store problem met inside the store, with its {@link Problem} named. Checked, an
 * {@link IOException}, on purpose: the internal code's {@code catch (IOException)} blocks (roll
 * a commit back, poison the store, close anyway) must handle it as they handle the file
 * system's own failures. The API translates it, once, into the unchecked
 * {@link SkipstoreException} with the same problem, message and cause ({@link #toPublic()}).
 */
public class StoreFailure extends IOException {

    private static final long serialVersionUID = 1L;

    private final Problem problem;

    public StoreFailure(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public StoreFailure(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }

    /**
     * The exception the API throws for this one: same problem, message and cause, and this
     * one's stack trace, which shows where the problem was met (the API's frames included).
     */
    public SkipstoreException toPublic() {
        SkipstoreException e = new SkipstoreException(problem, getMessage(), getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }
}
