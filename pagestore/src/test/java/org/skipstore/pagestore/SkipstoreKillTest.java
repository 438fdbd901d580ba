package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.child.ChildJvm;
import org.skipstore.pagestore.child.KillBatches;
import org.skipstore.pagestore.child.SkipstoreBatchLoop;

/**
 * A child JVM ({@link SkipstoreBatchLoop}) commits batches from four writer threads in SYNC or
 * GROUP mode, printing each acknowledged one, and is killed with SIGKILL at a random moment (now
 * and then while it is still recovering), again and again on the same directory. After each
 * kill every writer's keys must hold exactly what a prefix of its batches leaves ({@link
 * KillBatches}): the prefix ends at its last acknowledged batch or the one after (in flight),
 * never earlier, and no batch is there in part. {@code -Dskipstore.kills=N} for a longer run,
 * {@code -Dskipstore.seed=S} replays the kill moments' draws.
 */
class SkipstoreKillTest {

    static final int KILLS = Integer.getInteger("skipstore.kills", 50);

    @TempDir
    Path dir;

    /** What each writer's keys hold after the last verified kill. */
    final List<TreeMap<String, String>> state = new ArrayList<>();
    long acks;
    long inFlightKept;
    long earlyKills;
    long replayed;
    long flushedSequences;
    long lastFlushed;

    @Test
    void everyAcknowledgedBatchSurvivesSigkillWholeInSyncAndGroup() throws Exception {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("everyAcknowledgedBatchSurvivesSigkillWholeInSyncAndGroup seed=" + seed + " kills=" + KILLS);
        SplittableRandom random = new SplittableRandom(seed);
        Path db = dir.resolve("db");
        for (int w = 0; w < KillBatches.WRITERS; w++) {
            state.add(new TreeMap<>());
        }
        long start = System.nanoTime();
        for (int kill = 0; kill < KILLS; kill++) {
            WriteDurability mode = kill % 2 == 0 ? WriteDurability.SYNC : WriteDurability.GROUP;
            Process child = new ProcessBuilder(ChildJvm.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                    ChildJvm.classPath(), SkipstoreBatchLoop.class.getName(), db.toString(), mode.name(),
                    Integer.toString(kill)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            long[] lastAck = new long[KillBatches.WRITERS];
            if (kill > 0 && random.nextInt(10) == 0) { // during its start or recovery, whatever it reached
                earlyKills++;
                Thread.sleep(random.nextInt(500));
            } else {
                assertThat(out.readLine()).as("child output").isEqualTo("OPEN");
                if (kill == 0) {
                    assertThatThrownBy(() -> KillBatches.builder(mode).open(db)).isInstanceOfSatisfying(
                            SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
                }
                long want = 1 + random.nextInt(300);
                String line;
                for (long seen = 0; seen < want && (line = out.readLine()) != null; ) {
                    if (ack(line, lastAck)) {
                        seen++;
                    }
                }
            }
            child.toHandle().destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // 128 + SIGKILL: a child that had died on its own would end the reads early, unseen
            assertThat(child.exitValue()).as("kill %d: the child's exit", kill).isEqualTo(137);
            for (String line; (line = out.readLine()) != null; ) { // acknowledged before the kill landed
                ack(line, lastAck);
            }
            verify(db, mode, kill, lastAck, random.nextBoolean());
        }
        System.out.printf("  %d SIGKILLs (%d during the start), %d acknowledged batches, %d batches in flight "
                        + "recovered, lost: 0; %d log records replayed, the store's flushed sequence moved %d times; %.1f s%n",
                KILLS, earlyKills, acks, inFlightKept, replayed, flushedSequences, (System.nanoTime() - start) / 1e9);
        assertThat(acks).isGreaterThan(KILLS);
    }

    /** The keys whose values differ, each with the batch tokens found and expected (the values are long). */
    private static List<String> differences(Map<String, String> got, Map<String, String> expected) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(got.keySet());
        keys.addAll(expected.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String g = got.get(k);
            String e = expected.get(k);
            if (!java.util.Objects.equals(g, e)) {
                out.add(k + ": " + (g == null ? "absent" : g.substring(0, g.indexOf('|'))) + ", expected "
                        + (e == null ? "absent" : e.substring(0, e.indexOf('|'))));
            }
        }
        return out;
    }

    /** Records an {@code ACK <writer> <n>} line; whether it was one. */
    private boolean ack(String line, long[] lastAck) {
        if (!line.startsWith("ACK ")) {
            return false;
        }
        String[] f = line.split(" ");
        int w = Integer.parseInt(f[1]);
        long n = Long.parseLong(f[2]);
        assertThat(n).as("writer %d acknowledges in order", w).isEqualTo(lastAck[w] + 1);
        lastAck[w] = n;
        acks++;
        return true;
    }

    /**
     * Opens the killed database and checks each writer's keys against the prefix of its batches of
     * run {@code run} that the newest token there names; ends with a clean close or a crash.
     */
    private void verify(Path db, WriteDurability mode, int run, long[] lastAck, boolean crash) {
        try (Skipstore s = KillBatches.builder(mode).open(db)) {
            replayed += s.stats().replayedRecords();
            if (s.stats().flushedSequence() != lastFlushed) {
                flushedSequences++;
                lastFlushed = s.stats().flushedSequence();
            }
            List<TreeMap<String, String>> got = new ArrayList<>();
            for (int w = 0; w < KillBatches.WRITERS; w++) {
                got.add(new TreeMap<>());
            }
            for (KeyValue kv : s.list(Range.all())) {
                String k = SkipstoreTest.s(kv.key());
                int w = Integer.parseInt(k.substring(1, k.indexOf('-')));
                got.get(w).put(k, SkipstoreTest.s(kv.value()));
            }
            for (int w = 0; w < KillBatches.WRITERS; w++) {
                long last = 0; // the newest batch of this run the writer's keys show
                String prefix = "r" + run + "-w" + w + "-n";
                for (String v : got.get(w).values()) {
                    String token = v.substring(0, v.indexOf('|'));
                    if (token.startsWith(prefix)) {
                        last = Math.max(last, Long.parseLong(token.substring(prefix.length())));
                    }
                }
                assertThat(last).as("kill %d (%s), writer %d: the last batch recovered", run, mode, w)
                        .isBetween(lastAck[w], lastAck[w] + 1);
                TreeMap<String, String> expected = new TreeMap<>(state.get(w));
                for (long n = 1; n <= last; n++) {
                    for (Map.Entry<String, String> op : KillBatches.ops(run, w, n).entrySet()) {
                        if (op.getValue() == null) {
                            expected.remove(op.getKey());
                        } else {
                            expected.put(op.getKey(), op.getValue());
                        }
                    }
                }
                assertThat(differences(got.get(w), expected)).as("kill %d (%s), writer %d: keys that differ from the "
                        + "state after its batch %d (every batch whole)", run, mode, w, last).isEmpty();
                if (last > lastAck[w]) {
                    inFlightKept++;
                }
                state.set(w, expected);
            }
            if (crash) {
                s.crash(); // the child then recovers from a crash of this process too
            }
        }
    }
}
