package org.skipstore.bench.kafka;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The peak of the JVM's native allocations for FFM arenas and direct buffers (Native Memory
 * Tracking's category "Other"), which is what Skipstore's stores allocate outside the heap: their
 * memtables, their write and flush buffers. Unlike the resident-memory figures of
 * {@link ResidentMemory} it leaves out the JVM's own malloc (the JIT's arenas peak at tens of
 * megabytes while a run warms up) and the mapped file pages. RocksDB allocates with its own
 * malloc, which the JVM does not track: its figure is near zero and means nothing. The child runs
 * with {@code -XX:NativeMemoryTracking=summary}; without it the figure is -1.
 */
final class NativeAllocations {

    // "Other (reserved=...)" then "(malloc=20514KB tag=Other #3) (peak=31510KB #723)" or "(at peak)"
    private static final Pattern OTHER = Pattern.compile(
            "Other \\(reserved=[^)]*\\)\\s*\\(malloc=(\\d+)KB[^)]*\\)\\s*\\((?:peak=(\\d+)KB[^)]*|at peak)\\)");

    private NativeAllocations() {
    }

    /** The peak bytes of FFM and direct-buffer allocations since the JVM started, or -1 when not tracked. */
    static long peakBytes() {
        try {
            String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=KB"}}, new String[] {String[].class.getName()});
            return parse(summary);
        } catch (JMException | RuntimeException e) {
            return -1;
        }
    }

    /** The peak in an NMT summary (in KB), in bytes; -1 when it has no such figure (NMT off). */
    static long parse(String summary) {
        Matcher m = OTHER.matcher(summary);
        if (!m.find()) {
            return -1;
        }
        return Long.parseLong(m.group(2) != null ? m.group(2) : m.group(1)) * 1024;
    }
}
