package org.skipstore.pagestore.internal.engine;

/**
 * What readers see, published in one volatile write: the read state, the memtable sequence up
 * to which its active memtable is visible, and the last log sequence visible. One object, so
 * that a reader never pairs a read state with a bound meant for another (a batch split across
 * a memtable switch becomes visible in both memtables at once).
 */
record Published(ReadState state, long activeBound, long sequence) {
}
