package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.child.ChildJvm;
import org.skipstore.pagestore.child.StoreCommitLoop;

/**
 * A child JVM ({@link StoreCommitLoop}) commits through the PageStore API on a real mapped file
 * and is killed with SIGKILL at a random moment, again and again on the same file, in every
 * durability mode. After each kill the store must hold exactly the state of the last
 * acknowledged commit, or of the one in flight, and pass {@link PageStore#verify()}.
 * {@code -Dskipstore.kills=N} for a longer run.
 */
class StoreKillTest {

    static final int KILLS = Integer.getInteger("skipstore.kills", 40);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitThroughThePageStoreSurvivesSigkill() throws Exception {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("everyAcknowledgedCommitThroughThePageStoreSurvivesSigkill seed=" + seed + " kills=" + KILLS);
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("killed.skip");
        long lastAcked = 0;
        long acks = 0;
        int inFlight = 0;
        Durability[] modes = Durability.values();
        for (int kill = 0; kill < KILLS; kill++) {
            Durability mode = modes[kill % modes.length];
            Process child = new ProcessBuilder(ChildJvm.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                    ChildJvm.classPath(), StoreCommitLoop.class.getName(), file.toString(), mode.name())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("child output").isEqualTo("OPEN " + lastAcked);
            if (kill == 0) {
                assertThatThrownBy(() -> PageStore.open(file)).isInstanceOfSatisfying(SkipstoreException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
            }
            long want = 1 + random.nextInt(30);
            for (long seen = 0; seen < want && (line = out.readLine()) != null; ) {
                if (line.startsWith("ACK ")) {
                    lastAcked = Long.parseLong(line.substring(4));
                    seen++;
                    acks++;
                }
            }
            child.toHandle().destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // 128 + SIGKILL: a child that had died on its own would end the reads early, unseen
            assertThat(child.exitValue()).as("kill %d: the child's exit", kill).isEqualTo(137);
            while ((line = out.readLine()) != null) { // acknowledged before the kill landed
                if (line.startsWith("ACK ")) {
                    lastAcked = Long.parseLong(line.substring(4));
                    acks++;
                }
            }
            try (PageStore store = PageStore.builder().durability(mode).open(file)) {
                store.verify();
                byte[] c = store.get(StoreCommitLoop.COUNTER);
                long n = c == null ? 0 : ByteBuffer.wrap(c).getLong();
                assertThat(n).as("kill %d (%s): recovered commit", kill, mode).isBetween(lastAcked, lastAcked + 1);
                List<KeyValue> all = store.list(Range.all());
                assertThat(all).as("kill %d: the state of commit %d", kill, n).isEqualTo(StoreCommitLoop.expected(n));
                try (ReadTransaction r = store.read()) { // the commit metadata is the recovered commit's
                    assertThat(r.metadata(StoreCommitLoop.METADATA)).as("kill %d: metadata of commit %d", kill, n)
                            .isEqualTo(n == 0 ? null : ByteBuffer.allocate(8).putLong(n).array());
                }
                if (n > lastAcked) {
                    inFlight++;
                    lastAcked = n;
                }
            }
        }
        System.out.println("  " + KILLS + " SIGKILLs, " + acks + " acknowledged commits, " + inFlight
                + " in-flight commits recovered, lost: 0");
        assertThat(acks).isGreaterThan(KILLS);
    }
}
