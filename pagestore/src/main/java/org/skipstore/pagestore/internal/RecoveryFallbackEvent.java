package org.skipstore.pagestore.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event of a recovery that skipped a newer (or damaged) meta slot: see {@link Fallback}. */
@Name("org.skipstore.RecoveryFallback")
@Label("Skipstore Recovery Fallback")
@Category("Skipstore")
@Description("Opening a store skipped a newer or damaged meta slot and recovered an earlier commit")
@StackTrace(false)
final class RecoveryFallbackEvent extends Event {

    @Label("Store")
    String store;

    @Label("Slot")
    int slot;

    @Label("Skipped Transaction")
    @Description("The transaction the skipped slot holds or claims; -1 when unreadable")
    long fromTxn;

    @Label("Recovered Transaction")
    long toTxn;

    @Label("Cause")
    @Description("INCOMPLETE_COMMIT (a crash during a commit not yet durable) or DAMAGED_META")
    String cause;

    @Label("Reason")
    String reason;
}
