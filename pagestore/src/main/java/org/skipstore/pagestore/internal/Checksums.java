package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** CRC32C over segment ranges (the JDK intrinsic, through a buffer view: no copy). */
public final class Checksums {

    private Checksums() {
    }

    /** CRC32C of bytes {@code [from, to)} of {@code segment}. */
    public static int crc32c(MemorySegment segment, long from, long to) {
        CRC32C crc = new CRC32C();
        crc.update(segment.asSlice(from, to - from).asByteBuffer());
        return (int) crc.getValue();
    }
}
