/**
 * Skipstore's core: keys and their order, and (from the memtable issue on) the lock-free
 * arena-backed concurrent skip list with its Entry, Cursor and Snapshot contracts.
 */
@SuppressWarnings("module") // the qualified export's target is built after this module: javac cannot see it yet
module org.skipstore.core {
    requires transitive org.skipstore.arena;
    requires jdk.jfr; // the memtable's seal and backpressure events

    exports org.skipstore.core;
    // The page store's partitions keep key prefixes (KeyBytes.prefix) as the memtable's nodes keep windows:
    // shared with that module only, not part of the users' API.
    exports org.skipstore.core.internal to org.skipstore.pagestore;
}
