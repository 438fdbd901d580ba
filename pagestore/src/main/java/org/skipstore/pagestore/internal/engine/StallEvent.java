package org.skipstore.pagestore.internal.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event of a write stall: its start and end (the event's duration) and its cause. */
@Name("org.skipstore.WriteStall")
@Label("Skipstore Write Stall")
@Category("Skipstore")
@Description("Writers waited for a flush: every memtable allowed was sealed and waiting")
@StackTrace(false)
final class StallEvent extends Event {

    @Label("Cause")
    String cause;

    @Label("Sealed Memtables")
    int sealed;
}
