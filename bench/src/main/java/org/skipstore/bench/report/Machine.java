package org.skipstore.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a report's figures were measured: the processor, cores, memory, JDK and operating system,
 * and the load average when it started (other work on the machine shows in the figures).
 */
public record Machine(String cpu, int cores, long memoryBytes, String jdk, String os, double loadAverage) {

    /** This machine, now. */
    public static Machine current() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("java.vm.vendor") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** The processor's model name ({@code /proc/cpuinfo}), or the architecture where there is none. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture says something
        }
        return System.getProperty("os.arch");
    }

    /** One line: "AMD EPYC, 2 cores, 24.0 GiB, JDK ..., Linux ..., load 0.8". */
    public String describe() {
        return String.format(Locale.ROOT, "%s, %d cores, %s memory, %s, %s, load average %.1f at the start", cpu, cores,
                memoryBytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", memoryBytes / (double) (1L << 30)),
                jdk, os, loadAverage);
    }
}
