package org.skipstore.bench.tool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.skipstore.bench.store.Stores;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.InsertResult;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.EngineStats;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.SkipstoreBuilder;

/**
 * Skipstore's reopen after a crash with a full memtable's worth of log ({@code replay}):
 * <ol>
 *   <li>How many entries fill one memtable: a memtable made as the engine makes its own (default
 *       size, shards as the engine's default) takes the phase's entries until it refuses one;
 *       the child writes {@value #FILL_PERCENT} % of that, so that its memtable is nearly full
 *       and never sealed (a seal would flush, and the flushed part not be replayed).</li>
 *   <li>A child JVM ({@link ReplayChild}) writes them as the fills do and says when every write
 *       is in the log; it is killed then ({@link Process#destroyForcibly()}: SIGKILL), with no
 *       close, flush or force.</li>
 *   <li>This JVM opens the database: the open replays the log into a memtable. Reported: the
 *       replayed records and entries, {@link EngineStats#replayNanos()} (the whole open, replay
 *       included) and their rate; a scan checks that every entry is there.</li>
 * </ol>
 * The open runs in this JVM, warm from the phases before (a restarted process would also
 * compile the replay's code as it goes).
 */
final class Replay {

    static final int FILL_PERCENT = 97;

    /** What the phase measured. */
    record Report(long entries, long records, long replayNanos, long openWallNanos, long logBytes) {

        Result result() {
            return new Result("replay", Options.ENGINE, entries, Math.max(1, replayNanos));
        }

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "-- skipstore, reopen after a SIGKILL with a full memtable of log: %,d entries in"
                            + " %,d log records (%s of segments), replayed by an open of %.2f s (wall %.2f s):"
                            + " %,.0f entries/s%n", entries, records, DbBench.mib(logBytes), replayNanos / 1e9,
                    openWallNanos / 1e9, entries * 1e9 / replayNanos);
        }
    }

    private final Options o;
    private final Path dir;
    private final boolean quiet;

    Replay(Options o, Path dir, boolean quiet) {
        this.o = o;
        this.dir = dir;
        this.quiet = quiet;
    }

    Report run() throws IOException, InterruptedException {
        int n = (int) (oneMemtable() * FILL_PERCENT / 100);
        long seed = o.seed() + 29;
        String filled = fillInChild(n, seed);
        long logBytes = Stores.fileBytes(dir) - Files.size(dir.resolve("store.skp"));
        long t0 = System.nanoTime();
        try (Skipstore db = Skipstore.open(dir)) {
            long wall = System.nanoTime() - t0;
            EngineStats s = db.stats();
            long count = 0;
            try (OrderedCursor c = db.cursor()) {
                while (c.next()) {
                    count++;
                }
            }
            if (count != n || s.replayedRecords() == 0) {
                throw new IllegalStateException("replay: the reopened database holds " + count + " entries after "
                        + s.replayedRecords() + " records replayed; the child wrote " + n + " (" + filled + ")");
            }
            Report r = new Report(n, s.replayedRecords(), s.replayNanos(), wall, logBytes);
            if (!quiet) {
                Progress.note(String.format(Locale.ROOT, "%-20s %-10s %,d entries of log, killed; the open replayed"
                        + " %,d records in %.2f s", "replay", Options.ENGINE, n, s.replayedRecords(), s.replayNanos() / 1e9));
            }
            return r;
        }
    }

    /** Entries of the phase's kind that one memtable of the default size takes. */
    private long oneMemtable() {
        int shards = Math.min(8, Runtime.getRuntime().availableProcessors()); // SkipstoreBuilder's default
        byte[] k = new byte[o.keySize()];
        byte[] v = new byte[o.valueSize()];
        try (ConcurrentSkipList m = ConcurrentSkipList.builder().maxMemoryBytes(SkipstoreBuilder.DEFAULT_MEMTABLE_BYTES)
                .shards(shards).whenFull(ConcurrentSkipList.WhenFull.REFUSE).build()) {
            for (long i = 0; ; i++) {
                long x = Run.mix(i) >>> 1; // distinct, in random order
                Run.key(k, x);
                Run.storeValue(v, x);
                if (m.put(k, v) != InsertResult.INSERTED) {
                    return i;
                }
            }
        }
    }

    /** Runs the child until it has written {@code n} entries, then kills it; its statistics line. */
    private String fillInChild(int n, long seed) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ReplayChild.class.getName(), dir.toString(),
                String.valueOf(n), String.valueOf(o.keySize()), String.valueOf(o.valueSize()),
                String.valueOf(o.batch()), String.valueOf(seed)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith(ReplayChild.FILLED + " ")) {
                    return line;
                }
                if (line.startsWith(ReplayChild.SEALED + " ")) {
                    throw new IllegalStateException("replay: the child's memtable was sealed before " + n
                            + " entries: " + line);
                }
            }
            throw new IllegalStateException("replay: the child ended without filling: " + output);
        } finally {
            p.destroyForcibly(); // SIGKILL: no close, no flush, no force
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("replay: the killed child did not end");
            }
        }
    }
}
