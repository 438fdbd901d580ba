package org.skipstore.core;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event spanning a memtable's backpressure: it begins when a limit is 90 % used and ends
 * when the memtable is sealed or closed (a memtable never frees memory while it takes writes).
 */
@Name("org.skipstore.MemtableBackpressure")
@Label("Skipstore Memtable Backpressure")
@Category("Skipstore")
@Description("A memtable at 90 % of its memory or entry limit, until it was sealed or closed")
@StackTrace(false)
final class MemtableBackpressureEvent extends Event {

    @Label("Memory Reserved at Start")
    @DataAmount
    long memory;

    @Label("Memory Limit")
    @DataAmount
    long memoryLimit;

    @Label("Entries at Start")
    long entries;

    @Label("Entry Limit")
    long entryLimit;
}
