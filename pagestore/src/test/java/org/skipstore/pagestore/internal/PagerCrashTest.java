package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.internal.SimulatedPageFile.CrashAt;
import org.skipstore.pagestore.internal.SimulatedPageFile.SimulatedCrash;

/**
 * Crashes at seeded random instants of the commit protocol, in every durability mode, through
 * the fault-injecting {@link SimulatedPageFile}: after recovery the state must be exactly the last
 * acknowledged commit or the one in flight (for NO_SYNC after a machine crash: any commit from
 * the last checkpoint on), never a mixture, and structurally sound. Replay one run with
 * {@code -Dskipstore.seed=<seed printed>}.
 */
class PagerCrashTest {

    static final int PAGE = 4096;
    static final int RUNS = Integer.getInteger("skipstore.crashRuns", 1000);

    /** Thrown by the hook: the simulated crash. */
    static final Map<Durability, int[]> TOTALS = new HashMap<>();

    @ParameterizedTest
    @EnumSource(Durability.class)
    void crashesAtRandomPointsRecoverAWholeCommittedState(Durability mode) throws IOException {
        long seed0 = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("crashesAtRandomPointsRecoverAWholeCommittedState " + mode + " seed=" + seed0
                + " (replay with -Dskipstore.seed=" + seed0 + ")");
        int runs = Long.getLong("skipstore.seed") != null ? 1 : RUNS;
        int crashes = 0;
        int torn = 0;
        int inFlightWon = 0;
        int fellBack = 0;
        Map<Pager.Point, Integer> points = new HashMap<>();
        for (int run = 0; run < runs; run++) {
            long seed = seed0 + run;
            // Odd runs use 512-byte pages: the free list outgrows the meta page (32 entries) and
            // lives in blocks of its own.
            int[] outcome = runOnce(mode, seed, run % 2 == 0 ? PAGE : 512, points);
            crashes += outcome[0];
            torn += outcome[1];
            inFlightWon += outcome[2];
            fellBack += outcome[3];
        }
        System.out.println("  " + mode + ": " + runs + " runs, " + crashes + " crashes (" + points + "), " + torn
                + " torn pages, in-flight commit recovered " + inFlightWon + " times, fell back past the last"
                + " acknowledged commit " + fellBack + " times (NO_SYNC machine crashes only), lost: 0");
        assertThat(crashes).isGreaterThan(runs / 2);
    }

    @org.junit.jupiter.api.Test
    void groupCommitsOfManyThreadsSurviveMachineCrashes() throws Exception {
        long seed0 = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("groupCommitsOfManyThreadsSurviveMachineCrashes seed=" + seed0);
        int runs = Long.getLong("skipstore.seed") != null ? 1 : RUNS / 10;
        int shared = 0;
        long commitsTotal = 0;
        long forcesTotal = 0;
        for (int run = 0; run < runs; run++) {
            long seed = seed0 + run;
            SplittableRandom random = new SplittableRandom(seed);
            SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
            Pager pager = Pager.create(sim, Durability.GROUP, Pager.Hook.NONE);
            Map<Long, String> model = new java.util.concurrent.ConcurrentHashMap<>();
            model.put(1L, Workload.describe(List.of()));
            java.util.concurrent.atomic.AtomicLong maxAcked = new java.util.concurrent.atomic.AtomicLong(1);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                long threadSeed = random.nextLong();
                threads[i] = new Thread(() -> {
                    Workload w = new Workload(new SplittableRandom(threadSeed));
                    while (!stop.get()) {
                        try (WriteTxn t = pager.begin()) {
                            w.items = Workload.itemsOf(t);
                            List<long[]> next = w.change(t, 2);
                            model.put(t.id(), Workload.describe(next));
                            t.commit();
                            maxAcked.accumulateAndGet(t.id(), Math::max);
                        } catch (IOException | RuntimeException e) {
                            return; // the crash test's store is abandoned
                        }
                    }
                });
                threads[i].start();
            }
            Thread.sleep(random.nextInt(1, 20));
            long acked = maxAcked.get(); // read before the crash: all of these were durable before it
            byte[] image = sim.crash(random, new int[1]);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            commitsTotal += pager.commits();
            forcesTotal += pager.checkpoints();
            Pager again = Pager.open(SimulatedPageFile.of(image, PAGE), Durability.GROUP, Pager.Hook.NONE, "seed " + seed);
            Meta m = again.committed();
            assertThat(m.txnId).as("seed %d: recovered transaction", seed).isGreaterThanOrEqualTo(acked);
            assertThat(Workload.describe(Workload.readAndCheck(again.file(), m))).as("seed %d: state %d", seed, m.txnId)
                    .isEqualTo(model.get(m.txnId));
            shared += m.txnId > acked ? 1 : 0;
        }
        System.out.println("  GROUP, 4 threads: " + runs + " machine crashes, " + commitsTotal + " commits shared "
                + forcesTotal + " forces, recovered past the last acknowledged commit " + shared + " times, lost: 0");
        assertThat(forcesTotal).isLessThan(commitsTotal); // forces were shared
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void aMetaTornInsideItsSectorFallsBackToTheBase(Durability mode) throws IOException {
        // Sectors are written whole on most disks, and the meta lies in the first one; a disk
        // without that promise may tear inside it. The CRC must catch every such tear.
        for (int cut = 1; cut < 700; cut += 7) { // the header ends at 204, the inline free list starts at 256
            SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
            CrashAt hook = new CrashAt();
            Pager pager = Pager.create(sim, mode, hook);
            Workload w = new Workload(new SplittableRandom(cut));
            List<long[]> before = null;
            for (int i = 0; i < 3; i++) {
                try (WriteTxn t = pager.begin()) {
                    before = w.change(t, 2);
                    t.commit();
                    w.items = before;
                }
            }
            pager.checkpoint();
            long acked = pager.committed().txnId;
            int slot = -1;
            try (WriteTxn t = pager.begin()) {
                w.change(t, 2);
                hook.only = Pager.Point.AFTER_META_WRITE;
                hook.left = 0;
                hook.armed = true;
                t.commit();
                fail("the hook should have crashed the commit");
            } catch (SimulatedCrash expected) {
                assertThat(hook.hit).isEqualTo(Pager.Point.AFTER_META_WRITE);
            }
            byte[] cache = sim.processCrashImage();
            byte[] disk = sim.crash(new SplittableRandom(cut), new int[1]);
            // The new meta went to the slot that is not the base's: the one whose cached txn is acked + 1.
            for (int s2 = 0; s2 < 2; s2++) {
                MemorySegmentView v = new MemorySegmentView(cache, s2 * PAGE);
                if (v.txn() == acked + 1) {
                    slot = s2;
                }
            }
            assertThat(slot).isNotNegative();
            System.arraycopy(sim.durableImage(), slot * PAGE, disk, slot * PAGE, PAGE); // the old meta...
            System.arraycopy(cache, slot * PAGE, disk, slot * PAGE, cut); // torn after `cut` bytes
            Pager again = Pager.open(SimulatedPageFile.of(disk, PAGE), mode, Pager.Hook.NONE, "torn");
            long txn = again.committed().txnId;
            assertThat(txn).as("cut at %d", cut).isIn(acked, acked + 1);
            if (txn == acked) {
                assertThat(Workload.describe(Workload.readAndCheck(again.file(), again.committed())))
                        .isEqualTo(Workload.describe(before));
            } else {
                Workload.readAndCheck(again.file(), again.committed());
            }
        }
    }

    /** Reads the transaction id of a meta slot in an image. */
    private record MemorySegmentView(byte[] image, int offset) {
        long txn() {
            return java.nio.ByteBuffer.wrap(image, offset + 16, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    /** One seeded run: commits until the hook crashes, then recovers (twice, sometimes) and checks. */
    private static int[] runOnce(Durability mode, long seed, int pageSize, Map<Pager.Point, Integer> points)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        SimulatedPageFile sim = SimulatedPageFile.fresh(pageSize);
        CrashAt hook = new CrashAt();
        Pager pager = Pager.create(sim, mode, hook);
        pager.checkpointAfter(8 + random.nextInt(120), 8 + random.nextInt(120)); // NO_SYNC: checkpoints happen
        Workload w = new Workload(random);
        w.spill = random.nextBoolean();
        Map<Long, List<long[]>> model = new HashMap<>();
        model.put(1L, List.of());
        long acked = 1;
        hook.left = random.nextInt(40);
        hook.armed = true;
        boolean crashed = false;
        long baseAtCrash = 1;
        try {
            for (int i = 0; i < 30; i++) {
                try (WriteTxn t = pager.begin()) {
                    List<long[]> next = w.change(t, 3);
                    model.put(t.id(), next);
                    t.commit();
                    acked = t.id();
                    w.items = next;
                }
            }
        } catch (SimulatedCrash c) {
            crashed = true;
            points.merge(hook.hit, 1, Integer::sum);
        }
        baseAtCrash = pager.baseTxn();
        boolean machine = random.nextInt(4) != 0;
        int[] tornPages = {0};
        byte[] image = machine ? sim.crash(random, tornPages) : sim.processCrashImage();
        int[] result = {crashed ? 1 : 0, tornPages[0], 0, 0};
        // Recover; sometimes crash again right after recovery (before any commit), and recover again.
        for (int round = 0; round < (random.nextBoolean() ? 2 : 1); round++) {
            SimulatedPageFile again = SimulatedPageFile.of(image, pageSize);
            Pager recovered = Pager.open(again, mode, Pager.Hook.NONE, "seed " + seed);
            Meta m = recovered.committed();
            long lowest = mode == Durability.NO_SYNC && machine ? baseAtCrash : acked;
            long highest = crashed ? acked + 1 : acked;
            if (m.txnId < lowest || m.txnId > highest) {
                fail("seed " + seed + " " + mode + (machine ? " machine" : " process") + " crash: recovered transaction "
                        + m.txnId + ", expected " + lowest + ".." + highest);
            }
            List<long[]> items = Workload.readAndCheck(again, m);
            assertThat(Workload.describe(items)).as("seed %d: state of transaction %d", seed, m.txnId)
                    .isEqualTo(Workload.describe(model.get(m.txnId)));
            result[2] += m.txnId == acked + 1 ? 1 : 0;
            result[3] += m.txnId < acked ? 1 : 0;
            // Recovery forced the state it chose: a second machine crash now changes nothing.
            image = again.crash(new SplittableRandom(seed ^ round), new int[1]);
            if (round == 0) {
                // The recovered store takes new commits, and they survive a clean reopen.
                Workload w2 = new Workload(new SplittableRandom(seed * 31));
                w2.items = items;
                long last = m.txnId;
                List<long[]> committedItems = items;
                for (int i = 0; i < 3; i++) {
                    try (WriteTxn t = recovered.begin()) {
                        List<long[]> next = w2.change(t, 3);
                        t.commit();
                        w2.items = next;
                        committedItems = next;
                        last = t.id();
                    }
                }
                recovered.close();
                image = again.processCrashImage();
                Pager reopened = Pager.open(SimulatedPageFile.of(image, pageSize), mode, Pager.Hook.NONE, "reopen");
                assertThat(reopened.committed().txnId).isEqualTo(last);
                assertThat(Workload.describe(Workload.readAndCheck(reopened.file(), reopened.committed())))
                        .isEqualTo(Workload.describe(committedItems));
                break;
            }
        }
        return result;
    }
}
