package org.skipstore.kafka.streams.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link CountingApp} in a child JVM, on the test run's class path and module path (all on the
 * class path: the child needs no module), and its stdout lines. The child's stderr goes to the
 * test's.
 */
final class AppProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>(); // guarded by this
    private boolean ended; // guarded by this: stdout closed

    private AppProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readLines, "app-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static AppProcess start(String bootstrap, Path stateDir) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(),
                CountingApp.class.getName(), bootstrap, stateDir.toString());
        return new AppProcess(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** This module's classes and tests, and everything the test run has on its paths. */
    private static String classPath() {
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        cp.add(Path.of("target", "classes").toAbsolutePath().toString());
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(key);
            if (v != null && !v.isEmpty()) {
                cp.add(v);
            }
        }
        return String.join(File.pathSeparator, cp);
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the child was killed: its lines end here
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for the first line from index {@code from} on that {@code matches}, and returns its
     * index; fails when the child reports an error or ends first, or after {@code seconds}.
     */
    synchronized int await(int from, Predicate<String> matches, String what, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = from; ; ) {
            for (; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("ERROR ")) {
                    throw new AssertionError("the application failed while waiting for " + what + ": " + line);
                }
                if (matches.test(line)) {
                    return i;
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new AssertionError((ended ? "the application ended" : "timed out") + " waiting for "
                        + what + "; its last lines: " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The restores reported so far: each changelog partition's records restored. */
    synchronized Map<Integer, Long> restored() {
        Map<Integer, Long> out = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("RESTORED")) {
                out.merge(Integer.parseInt(f[2]), Long.parseLong(f[3]), Long::sum);
            }
        }
        return out;
    }

    /** The restore starts reported so far: each changelog partition's start offset (the first one). */
    synchronized Map<Integer, Long> restoreStarts() {
        Map<Integer, Long> out = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("RESTORE")) {
                out.putIfAbsent(Integer.parseInt(f[2]), Long.parseLong(f[3]));
            }
        }
        return out;
    }

    /** The store's content through an interactive query in the child. */
    Map<String, Long> dump() throws IOException, InterruptedException {
        int from;
        synchronized (this) {
            from = lines.size();
        }
        OutputStream in = process.getOutputStream();
        in.write("DUMP\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
        int end = await(from, "DUMPED"::equals, "the store's dump", 60);
        Map<String, Long> out = new TreeMap<>();
        for (String line : lines().subList(from, end)) {
            String[] f = line.split(" ");
            if (f[0].equals("COUNT")) {
                out.put(f[1], Long.parseLong(f[2]));
            }
        }
        return out;
    }

    /** SIGKILL: the application stops with no close, no commit, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the killed application did not end");
        }
        if (process.exitValue() != 137) { // 128 + SIGKILL: not one that died on its own
            throw new AssertionError("the application's exit: " + process.exitValue());
        }
    }

    /** Closes the application cleanly (its stdin) and waits for its exit 0. */
    void stop() throws IOException, InterruptedException {
        process.getOutputStream().close();
        await(0, "CLOSED"::equals, "a clean close", 90);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("the application did not exit 0 after its close");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
