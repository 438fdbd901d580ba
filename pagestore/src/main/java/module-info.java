/**
 * Skipstore's durable tier: a memory-mapped page file with copy-on-write two-phase commit, the
 * B-skip-list on it, and the engine that puts the memtable in front (built by the page-layer,
 * B-skip-list and engine issues).
 */
module org.skipstore.pagestore {
    requires transitive org.skipstore.core;
    requires jdk.jfr;

    exports org.skipstore.pagestore;
}
