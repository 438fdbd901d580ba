package org.skipstore.pagestore.internal.engine;

import java.util.Map;

/**
 * What readers see, published in one volatile write: the read state, the memtable sequence up
 * to which its active memtable is visible, the last log sequence visible, and the commit
 * metadata the active memtable's visible batches set ({@link Layer#metadata} as of the
 * publication). One object, so that a reader never pairs a read state with a bound meant for
 * another (a batch split across a memtable switch becomes visible in both memtables at once), nor
 * sees a batch's metadata without its writes.
 */
record Published(ReadState state, long activeBound, long sequence, Map<String, byte[]> activeMetadata) {
}
