package org.skipstore.pagestore.internal.engine;

import java.io.IOException;

/**
 * The named points of the engine's write and flush paths where a crash is simulated in tests
 * (a {@link Hook} that throws there), as the pager's {@code Pager.Point}.
 */
public enum Point {
    /** A group's records are written to the log, not yet forced. */
    LOG_WRITTEN,
    /** The group's log write is forced; nothing applied to the memtable yet. */
    LOG_FORCED,
    /** A group is applied to the memtable, not yet published to readers. */
    APPLIED,
    /** A flush has written the memtable into its store transaction, not yet committed. */
    FLUSH_WRITTEN,
    /** A flush is committed in the store; the read state still lists the memtable, the log is not trimmed. */
    FLUSH_COMMITTED,
    /** A flush is published; the log segments it made redundant are not yet deleted. */
    FLUSH_PUBLISHED,
    /** The log is trimmed after a flush. */
    LOG_TRIMMED;

    /** Called at each point; throwing simulates a crash there. Tests only. */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = p -> { };

        void at(Point point) throws IOException;
    }
}
