/**
 * Skipstore's core: keys and their order, and (from the memtable issue on) the lock-free
 * arena-backed concurrent skip list with its Entry, Cursor and Snapshot contracts.
 */
module org.skipstore.core {
    requires transitive org.skipstore.arena;
    requires jdk.jfr; // the memtable's seal and backpressure events

    exports org.skipstore.core;
}
