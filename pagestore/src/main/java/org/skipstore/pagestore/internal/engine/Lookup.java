package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.skipstore.core.Entry;
import org.skipstore.core.Snapshot;

/**
 * A point read through a published state: the active memtable up to the published bound, then
 * the sealed memtables newest first, then the store. The first layer that has a version of the
 * key answers, and a tombstone answers "absent": it hides what older layers hold.
 */
final class Lookup {

    private Lookup() {
    }

    /** The value of {@code key} as {@code p} sees it, copied; null when absent. */
    static byte[] get(Published p, MemorySegment key) {
        ReadState rs = p.state();
        long h = KeyFilter.hash(key);
        Entry e = null;
        if (rs.active.keys.mayContain(h)) {
            try (Snapshot s = rs.active.table.snapshotAt(p.activeBound())) {
                e = s.get(key);
            }
        }
        for (int i = 0; e == null && i < rs.sealed.size(); i++) {
            Layer l = rs.sealed.get(i);
            if (l.keys.mayContain(h)) {
                e = l.table.get(key); // sealed: nothing is written any more, the newest is final
            }
        }
        if (e != null) {
            return e.isTombstone() ? null : e.value().toArray(ValueLayout.JAVA_BYTE);
        }
        MemorySegment v = rs.store.txn.get(key);
        return v == null ? null : v.toArray(ValueLayout.JAVA_BYTE);
    }
}
