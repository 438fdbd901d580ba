package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.child.ChildJvm;
import org.skipstore.pagestore.internal.child.CommitLoop;

/**
 * Real processes: a child JVM ({@link CommitLoop}) commits in a loop on a real mapped file and is
 * killed with SIGKILL at a random moment; the store is reopened and must hold every acknowledged
 * commit (a killed process loses nothing in any mode: the page cache survives it), exactly, and be
 * structurally sound. The same file goes through every kill, so recovery after recovery is tested
 * too. {@code -Dskipstore.kills=N} for a longer run.
 */
class KillTest {

    static final int KILLS = Integer.getInteger("skipstore.kills", 50);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesSigkill() throws Exception {
        long seed0 = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("everyAcknowledgedCommitSurvivesSigkill seed=" + seed0 + " kills=" + KILLS);
        SplittableRandom random = new SplittableRandom(seed0);
        Path store = dir.resolve("killed.db");
        Map<Long, Integer> acked = new HashMap<>();
        long lastAcked = 0;
        int inFlightRecovered = 0;
        long totalAcks = 0;
        Durability[] modes = Durability.values();
        for (int kill = 0; kill < KILLS; kill++) {
            Durability mode = modes[kill % modes.length];
            Process child = start(store, mode, seed0 + kill);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("child output").startsWith("OPEN ");
            if (kill == 0) { // the child holds the file: another process may not open it
                assertThatThrownBy(() -> PageFiles.open(store, 4096, mode, false, Pager.Hook.NONE))
                        .isInstanceOf(StoreFailure.class).hasMessageContaining("another process")
                        .satisfies(e -> assertThat(((StoreFailure) e).problem()).isEqualTo(Problem.LOCKED));
            }
            long wantAcks = 1 + random.nextInt(40);
            long acksThisRun = 0;
            while (acksThisRun < wantAcks && (line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f[0].equals("ACK")) {
                    long txn = Long.parseLong(f[1]);
                    acked.put(txn, Integer.parseInt(f[2]));
                    lastAcked = txn;
                    acksThisRun++;
                }
            }
            child.toHandle().destroyForcibly(); // SIGKILL (the handle keeps the output stream open to drain)
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // 128 + SIGKILL: a child that had died on its own would end the reads early, unseen
            assertThat(child.exitValue()).as("kill %d: the child's exit", kill).isEqualTo(137);
            // Whatever the child printed after we stopped reading was acknowledged too.
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f[0].equals("ACK")) {
                    acked.put(Long.parseLong(f[1]), Integer.parseInt(f[2]));
                    lastAcked = Long.parseLong(f[1]);
                }
            }
            totalAcks += acksThisRun;
            Pager p = PageFiles.open(store, 4096, mode, false, Pager.Hook.NONE);
            try {
                Meta m = p.committed();
                assertThat(m.txnId).as("kill %d (%s): recovered transaction", kill, mode)
                        .isBetween(lastAcked, lastAcked + 1);
                List<long[]> items = Workload.readAndCheck(p.file(), m);
                if (m.txnId > 1) { // the metadata is the one committed with this data, acknowledged or in flight
                    try (ReadView v = p.read()) {
                        assertThat(v.metadata().get("state")).as("kill %d: metadata of %d", kill, m.txnId)
                                .isEqualTo(CommitLoop.state(m.txnId, items));
                    }
                }
                if (m.txnId == lastAcked) {
                    assertThat(Workload.describe(items).hashCode()).as("kill %d: state of %d", kill, m.txnId)
                            .isEqualTo(acked.get(m.txnId));
                } else {
                    inFlightRecovered++;
                    lastAcked = m.txnId; // the next child continues from it
                }
            } finally {
                p.close();
            }
        }
        System.out.println("  " + KILLS + " SIGKILLs, " + totalAcks + " acknowledged commits, " + inFlightRecovered
                + " in-flight commits recovered, lost: 0");
    }

    private static Process start(Path store, Durability mode, long seed) throws IOException {
        List<String> cmd = List.of(ChildJvm.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", ChildJvm.classPath(),
                CommitLoop.class.getName(), store.toString(), mode.name(), Long.toString(seed));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
