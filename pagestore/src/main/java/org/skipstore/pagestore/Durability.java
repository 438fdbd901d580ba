package org.skipstore.pagestore;

/**
 * What a commit promises about a crash (power loss, kernel panic, {@code kill -9}) after it
 * returns. Every mode keeps commits atomic: after a crash the store holds the state of one
 * commit, never a mixture of two.
 */
public enum Durability {
    /**
     * Every commit forces its pages and then its meta page to stable storage before it returns.
     * A crash loses nothing that a returned commit wrote.
     */
    SYNC,
    /**
     * Every commit is durable when it returns, as with {@link #SYNC}, with one barrier instead of
     * two: the commit writes its pages and its meta page together and forces them once. The meta
     * carries the CRC32C of every block the commit wrote, and recovery trusts it only when all of
     * them check out, falling back to the commit before otherwise (which a crash in the middle of
     * the force cannot touch). A crash loses nothing that a returned commit wrote.
     */
    SYNC_SINGLE_BARRIER,
    /**
     * Commits are forced in groups: a commit returns once one force has covered it, and threads
     * that commit at the same time share the force. A crash loses nothing that a returned commit
     * wrote; throughput rises with the number of committing threads.
     */
    GROUP,
    /**
     * Commits are not forced when they return; the operating system writes pages back when it
     * likes, and the store forces a checkpoint now and then (when the pages written since the last
     * one, or the space they hold back from reuse, grow large) so that freed space can be reused.
     * Each meta carries the CRC32C of every block written since the last checkpoint, and recovery
     * trusts it only when all of them check out. A crash of the process alone loses nothing (the
     * page cache survives it); a crash of the machine goes back to the last checkpoint or to a
     * later commit, never to a mixture.
     */
    NO_SYNC
}
