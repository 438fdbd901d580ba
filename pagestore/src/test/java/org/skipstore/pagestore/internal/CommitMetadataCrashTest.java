package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.SimulatedPageFile.CrashAt;
import org.skipstore.pagestore.internal.SimulatedPageFile.SimulatedCrash;

/**
 * Commit metadata survives crashes as the data does: crashes at seeded random points of the commit
 * protocol (and machine crashes that lose unforced pages or tear them), in every durability mode;
 * after recovery the metadata is exactly the one committed with the recovered data, never the
 * previous commit's or the next one's. Each transaction writes data ({@link Workload}) and, most
 * of the time, metadata naming that data ({@code "state"}: the transaction and its items), plus a
 * blob of random length (so its block changes size), or removes it. Replay a run with
 * {@code -Dskipstore.seed=<seed printed>}.
 */
class CommitMetadataCrashTest {

    static final int RUNS = Integer.getInteger("skipstore.crashRuns", 1000) / 2;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void afterACrashMetadataAndDataAreFromTheSameCommit(Durability mode) throws IOException {
        long seed0 = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("afterACrashMetadataAndDataAreFromTheSameCommit " + mode + " seed=" + seed0
                + " (replay with -Dskipstore.seed=" + seed0 + ")");
        int runs = Long.getLong("skipstore.seed") != null ? 1 : RUNS;
        int crashes = 0;
        int withMetadata = 0;
        for (int run = 0; run < runs; run++) {
            int[] r = runOnce(mode, seed0 + run);
            crashes += r[0];
            withMetadata += r[1];
        }
        System.out.println("  " + mode + ": " + runs + " runs, " + crashes + " crashes, " + withMetadata
                + " recovered states with metadata");
        assertThat(crashes).isGreaterThan(runs / 2);
        assertThat(withMetadata).isGreaterThan(runs / 2);
    }

    /** Returns {crashed, recovered state has metadata}. */
    private static int[] runOnce(Durability mode, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int pageSize = random.nextBoolean() ? 4096 : 512;
        SimulatedPageFile sim = SimulatedPageFile.fresh(pageSize);
        CrashAt hook = new CrashAt();
        Pager pager = Pager.create(sim, mode, hook);
        pager.checkpointAfter(8 + random.nextInt(120), 8 + random.nextInt(120));
        Workload w = new Workload(random);
        Map<Long, String> data = new HashMap<>();
        Map<Long, String> metadata = new HashMap<>();
        data.put(1L, Workload.describe(List.of()));
        metadata.put(1L, show(new TreeMap<>()));
        long acked = 1;
        hook.left = random.nextInt(60);
        hook.armed = true;
        boolean crashed = false;
        try {
            for (int i = 0; i < 30; i++) {
                try (WriteTxn t = pager.begin()) {
                    List<long[]> next = w.change(t, 3);
                    int what = random.nextInt(8);
                    if (what < 5) {
                        t.putMetadata("state", (t.id() + " " + Workload.describe(next).hashCode())
                                .getBytes(StandardCharsets.UTF_8));
                        byte[] blob = new byte[random.nextInt(3000)];
                        random.nextBytes(blob);
                        t.putMetadata("blob", blob);
                    } else if (what == 5) {
                        t.putMetadata("state", null);
                        t.putMetadata("blob", null);
                    } // else: unchanged, the base's block carries over
                    data.put(t.id(), Workload.describe(next));
                    metadata.put(t.id(), show(t.metadata()));
                    t.commit();
                    acked = t.id();
                    w.items = next;
                }
            }
        } catch (SimulatedCrash c) {
            crashed = true;
        }
        long baseAtCrash = pager.baseTxn();
        boolean machine = random.nextInt(4) != 0;
        byte[] image = machine ? sim.crash(random, new int[1]) : sim.processCrashImage();
        SimulatedPageFile again = SimulatedPageFile.of(image, pageSize);
        Pager recovered = Pager.open(again, mode, Pager.Hook.NONE, "seed " + seed);
        Meta m = recovered.committed();
        long lowest = mode == Durability.NO_SYNC && machine ? baseAtCrash : acked;
        long highest = crashed ? acked + 1 : acked;
        if (m.txnId < lowest || m.txnId > highest) {
            fail("seed " + seed + " " + mode + ": recovered transaction " + m.txnId + ", expected " + lowest + ".."
                    + highest);
        }
        assertThat(Workload.describe(Workload.readAndCheck(again, m))).as("seed %d: data of %d", seed, m.txnId)
                .isEqualTo(data.get(m.txnId));
        SortedMap<String, byte[]> md;
        try (ReadView v = recovered.read()) {
            md = v.metadata();
        }
        assertThat(show(md)).as("seed %d: metadata of %d", seed, m.txnId).isEqualTo(metadata.get(m.txnId));
        return new int[] {crashed ? 1 : 0, md.isEmpty() ? 0 : 1};
    }

    /** A comparable rendering of a metadata map (names, value lengths and hashes). */
    static String show(SortedMap<String, byte[]> md) {
        StringBuilder s = new StringBuilder();
        md.forEach((k, v) -> s.append(k).append('=').append(v.length).append('#')
                .append(java.util.Arrays.hashCode(v)).append(';'));
        return s.toString();
    }
}
