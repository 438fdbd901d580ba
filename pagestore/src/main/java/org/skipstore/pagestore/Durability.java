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
     * Commits are forced in groups: a commit returns once one force has covered it, and threads
     * that commit at the same time share the force. A crash loses nothing that a returned commit
     * wrote; throughput rises with the number of committing threads.
     */
    GROUP,
    /**
     * Commits are never forced by the store; the operating system writes pages back when it
     * likes. A crash of the process alone loses nothing (the page cache survives it); a crash of
     * the machine may go back to any earlier commit, never to a mixture.
     */
    NO_SYNC
}
