package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * What a {@link SkipstoreModelTest} run did, to print and to check that it reached what it is
 * meant to: crashes in every mode and at every point, reopens, automatic flushes.
 */
final class ModelTally {

    long writes;
    /** Batches that set commit metadata. */
    long batchMetadata;
    long snapshotChecks;
    long flushes;
    long checkpoints;
    /** Flushes the engines made on their own, at least: their flushes less the checkpoints asked of them. */
    long automaticFlushes;
    /** Times writers waited for a flush. */
    long stalls;
    long reopens;
    long plainCrashes;
    final Map<WriteDurability, Long> crashes = new EnumMap<>(WriteDurability.class);
    final Map<Point, Long> struck = new EnumMap<>(Point.class);
    /** Writes whose call threw, found after the crash or not. */
    long doubtKept;
    long doubtLost;
    /** Crashes of NO_LOG databases that lost acknowledged writes (allowed: after the last checkpoint). */
    long noLogLost;

    ModelTally() {
        for (WriteDurability m : WriteDurability.values()) {
            crashes.put(m, 0L);
        }
        for (Point p : Point.values()) {
            struck.put(p, 0L);
        }
    }

    /** An engine about to be closed or crashed: what it did on its own; {@code checkpointed}: the checkpoints it was asked for. */
    void engine(EngineStats st, long checkpointed) {
        automaticFlushes += Math.max(0, st.flushes() - checkpointed);
        stalls += st.stalls();
    }

    /** A round's hook: where it struck. */
    void hook(CrashHook hook) {
        for (Point p : Point.values()) {
            struck.merge(p, hook.fires(p), Long::sum);
        }
    }

    /** A crash recovered to sequence {@code s}, of {@code all} writes, {@code acknowledged} of them returned. */
    void recovered(long s, long all, long acknowledged) {
        if (acknowledged < all) {
            if (s == all) {
                doubtKept++;
            } else {
                doubtLost++;
            }
        }
        if (s < acknowledged) {
            noLogLost++;
        }
    }

    void print(long ops, int rounds, double seconds) {
        System.out.printf("  %d operations in %d rounds, %.1f s: %d writes (%d with metadata), %d snapshot checks, %d flushes, "
                        + "%d checkpoints, at least %d automatic flushes, %d stalls, %d reopens, %d plain crashes, "
                        + "hooked crashes by mode %s, hook struck at %s, writes in doubt kept %d / lost %d, "
                        + "NO_LOG crashes that lost acknowledged writes %d%n", ops, rounds, seconds, writes, batchMetadata,
                snapshotChecks, flushes, checkpoints, automaticFlushes, stalls, reopens, plainCrashes, crashes, struck,
                doubtKept, doubtLost, noLogLost);
    }

    /** Reopens and crashes came up; with {@code everything}, a crash in every mode and at every point. */
    void assertReached(boolean everything) {
        assertThat(reopens).isPositive();
        assertThat(batchMetadata).as("batches with metadata").isPositive();
        assertThat(plainCrashes + crashes.values().stream().mapToLong(Long::longValue).sum()).isPositive();
        if (everything) {
            assertThat(crashes).as("hooked crashes by mode").allSatisfy((m, n) -> assertThat(n).as("%s", m).isPositive());
            assertThat(struck).as("crashes by point").allSatisfy((p, n) -> assertThat(n).as("%s", p).isPositive());
        }
    }
}
