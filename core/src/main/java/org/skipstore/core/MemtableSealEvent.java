package org.skipstore.core;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR event of one memtable seal, committed when the writes under way at the seal have finished. */
@Name("org.skipstore.MemtableSeal")
@Label("Skipstore Memtable Seal")
@Category("Skipstore")
@Description("A memtable sealed (automatically when full, or on request): what it holds, and how long "
        + "the writes under way at the seal took to finish (no writer waits for that)")
@StackTrace(false)
final class MemtableSealEvent extends Event {

    @Label("Automatic")
    boolean automatic;

    @Label("Versions")
    long versions;

    @Label("Memory Used")
    @DataAmount
    long bytes;

    @Label("Drain (writes under way finishing)")
    @Timespan
    long drain;
}
