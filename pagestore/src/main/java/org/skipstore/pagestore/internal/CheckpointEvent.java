package org.skipstore.pagestore.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event of a checkpoint (NO_SYNC, GROUP): the force that made commits durable. */
@Name("org.skipstore.Checkpoint")
@Label("Skipstore Checkpoint")
@Category("Skipstore")
@Description("A force that made the commits since the last one durable")
@StackTrace(false)
final class CheckpointEvent extends Event {

    @Label("From Transaction")
    long fromTxn;

    @Label("To Transaction")
    long toTxn;
}
