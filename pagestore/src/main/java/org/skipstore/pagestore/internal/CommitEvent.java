package org.skipstore.pagestore.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR event of one commit of the page layer: what it wrote and how long each phase took. */
@Name("org.skipstore.Commit")
@Label("Skipstore Commit")
@Category("Skipstore")
@Description("A page-store commit: blocks written, and the time of its forces")
@StackTrace(false)
final class CommitEvent extends Event {

    @Label("Transaction")
    long txn;

    @Label("Durability")
    String durability;

    @Label("Blocks Written")
    @Description("Blocks the commit wrote, and those its transaction wrote ahead of it (spilled)")
    int blocks;

    @Label("Bytes Written")
    @Description("Bytes of those blocks")
    @DataAmount
    long bytes;

    @Label("Phase 1 (force of the blocks)")
    @Timespan
    long phase1;

    @Label("Phase 2 (meta written and forced)")
    @Timespan
    long phase2;
}
