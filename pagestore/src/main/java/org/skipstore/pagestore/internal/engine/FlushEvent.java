package org.skipstore.pagestore.internal.engine;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event of one flush: sealed memtables merged into the store and committed. */
@Name("org.skipstore.Flush")
@Label("Skipstore Flush")
@Category("Skipstore")
@Description("Sealed memtables written into the page store in one transaction")
@StackTrace(false)
final class FlushEvent extends Event {

    @Label("Memtable")
    @Description("The newest memtable flushed")
    long memtable;

    @Label("Memtables")
    int memtables;

    @Label("Entries")
    long entries;

    @Label("Tombstones")
    long tombstones;

    @Label("Memtable Bytes")
    @Description("What the memtables flushed took, together")
    @DataAmount
    long memtableBytes;

    @Label("Flushed Sequence")
    long flushedSequence;

    @Label("Log Segments Deleted")
    int segmentsDeleted;
}
