package org.skipstore.pagestore.internal.engine;

import java.nio.ByteBuffer;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/** Longs in commit metadata (the database id, the flushed sequence): 8 bytes, big-endian. */
final class Sequences {

    private Sequences() {
    }

    static byte[] bytes(long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    static long read(byte[] b, String name) throws StoreFailure {
        if (b == null || b.length != Long.BYTES) {
            throw new StoreFailure(Problem.CORRUPT, "commit metadata " + name + " is "
                    + (b == null ? "missing" : b.length + " bytes, not 8"));
        }
        return ByteBuffer.wrap(b).getLong();
    }
}
