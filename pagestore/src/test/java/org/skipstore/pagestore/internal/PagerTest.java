package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;

/** Transactions, copy-on-write, reuse of freed blocks, and failures of the page layer. */
class PagerTest {

    static final int PAGE = 4096;

    static Pager fresh(Durability mode) throws IOException {
        return Pager.create(SimulatedPageFile.fresh(PAGE), mode, Pager.Hook.NONE);
    }

    @Test
    void aNewStoreIsEmptyAndSound() throws IOException {
        Pager p = fresh(Durability.SYNC);
        Meta m = p.committed();
        assertThat(m.txnId).isEqualTo(1);
        assertThat(m.pageCount).isEqualTo(Chunks.MIN_PAGES);
        Workload.readAndCheck(p.file(), m);
        PagerStats s = p.stats();
        assertThat(s.pagesInUse()).isEqualTo(2); // the two meta pages (the free list is inline)
        assertThat(s.freePages() + s.pagesInUse() + s.heldPages()).isEqualTo(s.pageCount());
    }

    @Test
    void committedPagesAreNeverWrittenInPlace() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(0);
            t.write(page).set(JAVA_LONG_UNALIGNED, 0, 42);
            t.setRoot(0, page);
            t.commit();
        }
        try (WriteTxn t = p.begin()) {
            assertThatThrownBy(() -> t.write(page)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("never written in place");
            assertThatThrownBy(() -> t.write(0)).isInstanceOf(IllegalStateException.class);
            assertThat(t.read(page, 1).get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(42);
            assertThatThrownBy(() -> t.read(page, 1).set(JAVA_LONG_UNALIGNED, 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        }
    }

    @Test
    void abortDropsEverythingTheTransactionDid() throws IOException {
        Pager p = fresh(Durability.SYNC);
        PagerStats before = p.stats();
        Meta m = p.committed();
        try (WriteTxn t = p.begin()) {
            for (int i = 0; i < 20; i++) {
                t.allocate(i % 3); // grows the file, too
            }
            t.setRoot(3, 99);
            t.abort();
        }
        assertThat(p.committed()).isSameAs(m);
        PagerStats after = p.stats();
        assertThat(after.pagesInUse()).isEqualTo(before.pagesInUse());
        assertThat(after.commits()).isEqualTo(before.commits());
        try (WriteTxn t = p.begin()) { // the next transaction starts from the same state
            assertThat(t.id()).isEqualTo(m.txnId + 1);
            assertThat(t.root(3)).isZero();
        }
    }

    @Test
    void aFreedBlockIsNotReusedWhileAReaderCanSeeIt() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(0);
            t.write(page).set(JAVA_LONG_UNALIGNED, 0, 7);
            t.setRoot(0, page);
            t.commit();
        }
        ReadView reader = p.read();
        try (WriteTxn t = p.begin()) {
            t.free(page, 0);
            t.setRoot(0, 0);
            t.commit();
        }
        for (int i = 0; i < 50; i++) { // many transactions: the block must not come back
            try (WriteTxn t = p.begin()) {
                long q = t.allocate(0);
                assertThat(q).isNotEqualTo(page);
                t.write(q).set(JAVA_LONG_UNALIGNED, 0, -1);
                t.commit();
            }
            assertThat(reader.read(page, 1).get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(7);
            assertThat(reader.root(0)).isEqualTo(page);
        }
        assertThat(p.heldPages()).isPositive();
        reader.close();
        boolean reused = false;
        try (WriteTxn t = p.begin()) {
            for (int i = 0; i < 64 && !reused; i++) {
                reused = t.allocate(0) == page;
            }
        }
        assertThat(reused).as("the block returns once the reader is gone").isTrue();
    }

    @Test
    void inTwoPhaseModeABlockFreedInTIsReusedFromTPlusOne() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(0);
            t.commit();
        }
        try (WriteTxn t = p.begin()) {
            t.free(page, 0);
            assertThat(t.allocate(0)).as("not within T").isNotEqualTo(page);
            t.commit();
        }
        try (WriteTxn t = p.begin()) {
            assertThat(t.allocate(0)).isEqualTo(page);
        }
    }

    @Test
    void aLargeFreeListMovesIntoABlockAndBackIntoTheMeta() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(512); // 32 entries fit in a 512-byte meta
        Pager p = Pager.create(sim, Durability.SYNC, Pager.Hook.NONE);
        long[] pages = new long[200];
        try (WriteTxn t = p.begin()) {
            for (int i = 0; i < pages.length; i++) {
                pages[i] = t.allocate(0);
            }
            t.commit();
        }
        assertThat(p.committed().freeList).as("few free blocks: inline").isZero();
        try (WriteTxn t = p.begin()) {
            for (int i = 0; i < pages.length; i += 2) {
                t.free(pages[i], 0); // 100 blocks whose buddies stay in use: no merging
            }
            t.commit();
        }
        Meta m = p.committed();
        assertThat(m.freeList).as("a free list in a block").isNotZero();
        assertThat(m.freeCount).isGreaterThan(100);
        Checker used = new Checker(p.file(), m);
        for (int i = 1; i < pages.length; i += 2) {
            used.used(pages[i], 0);
        }
        used.verify();
        Pager again = Pager.open(SimulatedPageFile.of(sim.crash(new SplittableRandom(1), new int[1]), 512),
                Durability.SYNC, Pager.Hook.NONE, "x");
        assertThat(again.committed().txnId).isEqualTo(m.txnId);
        assertThat(again.stats().freePages()).isEqualTo(p.stats().freePages() + p.stats().heldPages());
        try (WriteTxn t = again.begin()) {
            for (int i = 0; i < pages.length; i += 2) {
                t.allocate(0); // takes the freed blocks back
            }
            t.commit();
        }
        assertThat(again.committed().freeList).as("back in the meta").isZero();
    }

    @Test
    void aHeldBlockCannotBeFreedTwice() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(0);
            t.commit();
        }
        try (ReadView reader = p.read()) { // keeps the freed block held
            try (WriteTxn t = p.begin()) {
                t.free(page, 0);
                t.commit();
            }
            try (WriteTxn t = p.begin()) {
                assertThatThrownBy(() -> t.free(page, 0)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("double free");
            }
        }
    }

    @Test
    void closingWhileGroupCommitsRunLosesNoAcknowledgedCommit() throws Exception {
        for (int round = 0; round < 30; round++) {
            SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
            Pager p = Pager.create(sim, Durability.GROUP, Pager.Hook.NONE);
            java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    for (;;) {
                        try (WriteTxn t = p.begin()) {
                            t.write(t.allocate(0)).set(JAVA_LONG_UNALIGNED, 0, 1);
                            t.commit();
                            acked.accumulateAndGet(t.id(), Math::max);
                        } catch (IOException | RuntimeException e) {
                            return; // closed
                        }
                    }
                });
                threads[i].start();
            }
            Thread.sleep(1 + round % 5);
            p.close();
            for (Thread t : threads) {
                t.join();
            }
            Pager again = Pager.open(SimulatedPageFile.of(sim.crash(new SplittableRandom(round), new int[1]), PAGE),
                    Durability.GROUP, Pager.Hook.NONE, "x");
            assertThat(again.committed().txnId).as("round %d", round).isGreaterThanOrEqualTo(acked.get());
        }
    }

    @Test
    void badFreesAreClearErrors() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(1);
            t.commit();
        }
        try (WriteTxn t = p.begin()) {
            assertThatThrownBy(() -> t.free(page + 1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.free(0, 1)).isInstanceOf(IllegalArgumentException.class);
            t.free(page, 1);
            assertThatThrownBy(() -> t.free(page, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("double free");
            long q = t.allocate(0);
            assertThatThrownBy(() -> t.free(q, 2)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFinishedTransactionAndAClosedStoreRefuseUse() throws IOException {
        Pager p = fresh(Durability.SYNC);
        WriteTxn t = p.begin();
        t.commit();
        assertThatThrownBy(() -> t.allocate(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::commit).isInstanceOf(IllegalStateException.class);
        ReadView r = p.read();
        p.close();
        assertThatThrownBy(p::begin).isInstanceOf(StoreFailure.class)
                .satisfies(e -> assertThat(((StoreFailure) e).problem()).isEqualTo(Problem.CLOSED));
        assertThatThrownBy(() -> r.read(2, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(p::read).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedMetaWriteIsNamedAFailedWriteNotAFailedForce() throws IOException {
        SimulatedPageFile[] sim = {SimulatedPageFile.fresh(PAGE)};
        boolean[] armed = {false};
        Pager p = Pager.create(sim[0], Durability.SYNC, point -> {
            if (armed[0] && point == Pager.Point.AFTER_PHASE_1) {
                sim[0].writesFail = true; // the blocks are forced; the meta's write fails
            }
        });
        armed[0] = true;
        Workload w = new Workload(new SplittableRandom(3));
        try (WriteTxn t = p.begin()) {
            w.change(t, 1);
            assertThatThrownBy(t::commit).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        }
        sim[0].writesFail = false;
        assertThatThrownBy(p::begin).isInstanceOf(StoreFailure.class)
                .satisfies(e -> assertThat(((StoreFailure) e).problem()).isEqualTo(Problem.FAILED_WRITE))
                .hasMessageContaining("refuses further writes");
    }

    @Test
    void aFailedForcePoisonsTheStoreAndReopenRecoversTheLastDurableCommit() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
        Pager p = Pager.create(sim, Durability.SYNC, Pager.Hook.NONE);
        Workload w = new Workload(new SplittableRandom(1));
        List<long[]> durable;
        try (WriteTxn t = p.begin()) {
            durable = w.change(t, 2);
            t.commit();
            w.items = durable;
        }
        sim.forcesUntilFailure = 1; // phase 1 passes, phase 2 fails
        try (WriteTxn t = p.begin()) {
            w.change(t, 2);
            assertThatThrownBy(t::commit).isInstanceOf(StoreFailure.class)
                    .satisfies(e -> assertThat(((StoreFailure) e).problem()).isEqualTo(Problem.FAILED_FORCE));
        }
        sim.forcesUntilFailure = -1; // even once the disk works again: never assume success
        assertThatThrownBy(p::begin).isInstanceOf(StoreFailure.class).hasMessageContaining("refuses further writes");
        // Readers still read the last committed state.
        try (ReadView r = p.read()) {
            assertThat(r.txnId()).isEqualTo(2);
        }
        for (int seed = 0; seed < 20; seed++) {
            byte[] image = sim.crash(new SplittableRandom(seed), new int[1]);
            Pager again = Pager.open(SimulatedPageFile.of(image, PAGE), Durability.SYNC, Pager.Hook.NONE, "x");
            long txn = again.committed().txnId;
            assertThat(txn).isBetween(2L, 3L); // the failed commit may or may not have reached the disk
            if (txn == 2) {
                assertThat(Workload.describe(Workload.readAndCheck(again.file(), again.committed())))
                        .isEqualTo(Workload.describe(durable));
            } else {
                Workload.readAndCheck(again.file(), again.committed());
            }
        }
    }

    @Test
    void aFullDiskAtTheCommitsWritesFailsItCleanlyInTheForcedModesAndPoisonsTheOthers() throws IOException {
        for (Durability mode : Durability.values()) {
            SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
            Pager p = Pager.create(sim, mode, Pager.Hook.NONE);
            Workload w = new Workload(new SplittableRandom(5));
            List<long[]> committed;
            try (WriteTxn t = p.begin()) {
                committed = w.change(t, 3);
                t.commit();
                w.items = committed;
            }
            sim.writesFail = true;
            try (WriteTxn t = p.begin()) {
                w.change(t, 3);
                boolean forced = mode == Durability.SYNC || mode == Durability.SYNC_SINGLE_BARRIER;
                assertThatThrownBy(t::commit).as(mode.name()).isInstanceOf(forced ? StoreFailure.class : IOException.class)
                        .satisfies(e -> {
                            if (forced) {
                                assertThat(((StoreFailure) e).problem()).isEqualTo(Problem.NO_SPACE);
                            }
                        });
            }
            sim.writesFail = false;
            if (mode == Durability.SYNC || mode == Durability.SYNC_SINGLE_BARRIER) { // still usable, nothing lost
                assertThat(Workload.describe(Workload.readAndCheck(p.file(), p.committed())))
                        .isEqualTo(Workload.describe(committed));
                try (WriteTxn t = p.begin()) {
                    w.items = committed;
                    List<long[]> next = w.change(t, 3);
                    t.commit();
                    assertThat(Workload.describe(Workload.readAndCheck(p.file(), p.committed())))
                            .isEqualTo(Workload.describe(next));
                }
            } else {
                assertThatThrownBy(p::begin).isInstanceOf(StoreFailure.class);
            }
        }
    }

    @Test
    void aFullDiskDuringGrowthFailsTheTransactionAndKeepsTheStoreUsable() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
        Pager p = Pager.create(sim, Durability.SYNC, Pager.Hook.NONE);
        sim.diskFull = true;
        try (WriteTxn t = p.begin()) {
            assertThatThrownBy(() -> t.allocate(6)).isInstanceOf(IOException.class).hasMessageContaining("No space");
        }
        sim.diskFull = false;
        try (WriteTxn t = p.begin()) {
            long page = t.allocate(6);
            t.setRoot(0, page);
            t.commit();
        }
        assertThat(p.committed().pageCount).isGreaterThan(64);
        new Checker(p.file(), p.committed()).used(p.committed().root(0), 6).verify();
    }

    @Test
    void theCheckerFindsLeaksAndOverlaps() throws IOException {
        Pager p = fresh(Durability.SYNC);
        long page;
        try (WriteTxn t = p.begin()) {
            page = t.allocate(1);
            t.commit();
        }
        Meta m = p.committed();
        assertThatThrownBy(() -> new Checker(p.file(), m).verify()).hasMessageContaining("leaked");
        new Checker(p.file(), m).used(page, 1).verify();
        assertThatThrownBy(() -> new Checker(p.file(), m).used(page, 1).used(page + 1, 0))
                .hasMessageContaining("overlaps");
        // page + 2 is free, past the pages the commit wrote: no state may use it
        assertThatThrownBy(() -> new Checker(p.file(), m).used(page, 1).used(page + 2, 0))
                .hasMessageContaining("passes the file's " + m.filePages + " pages");
        assertThatThrownBy(() -> new Checker(p.file(), m).used(m.pageCount, 0)).hasMessageContaining("logical length");
        long freed;
        try (WriteTxn t = p.begin()) {
            freed = t.allocate(0);
            t.commit();
        }
        try (WriteTxn t = p.begin()) {
            t.free(freed, 0);
            t.commit();
        }
        Meta later = p.committed();
        assertThatThrownBy(() -> new Checker(p.file(), later).used(page, 1).used(freed, 0).verify())
                .hasMessageContaining("both used and free");
    }

    @Test
    void unforcedModesCheckpointAndKeepTheBaseBlocksUntilThen() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
        Pager p = Pager.create(sim, Durability.NO_SYNC, Pager.Hook.NONE);
        int forces = sim.forces;
        Workload w = new Workload(new SplittableRandom(2));
        for (int i = 0; i < 20; i++) {
            try (WriteTxn t = p.begin()) {
                w.items = w.change(t, 1);
                t.commit();
            }
        }
        assertThat(sim.forces).as("NO_SYNC commits do not force").isEqualTo(forces);
        assertThat(p.baseTxn()).isEqualTo(1);
        p.checkpoint();
        assertThat(sim.forces).isEqualTo(forces + 1);
        assertThat(p.baseTxn()).isEqualTo(p.committed().txnId);
        p.close();
        Pager again = Pager.open(SimulatedPageFile.of(sim.crash(new SplittableRandom(3), new int[1]), PAGE),
                Durability.NO_SYNC, Pager.Hook.NONE, "x");
        assertThat(Workload.describe(Workload.readAndCheck(again.file(), again.committed())))
                .isEqualTo(Workload.describe(w.items));
    }

    @Test
    void groupCommitsReturnOnlyOnceForced() throws Exception {
        SimulatedPageFile sim = SimulatedPageFile.fresh(PAGE);
        Pager p = Pager.create(sim, Durability.GROUP, Pager.Hook.NONE);
        Thread[] threads = new Thread[4];
        long[][] acked = new long[threads.length][];
        for (int i = 0; i < threads.length; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                acked[id] = new long[50];
                for (int k = 0; k < 50; k++) {
                    try (WriteTxn t = p.begin()) {
                        MemorySegment b = t.write(t.allocate(0));
                        b.set(JAVA_LONG_UNALIGNED, 0, k);
                        t.commit();
                        acked[id][k] = t.id();
                        // durable now: the base is at least this commit
                        if (p.baseTxn() < t.id()) {
                            throw new AssertionError("commit " + t.id() + " returned before a force covered it");
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(p.commits()).isEqualTo(1 + 200);
        assertThat(p.checkpoints()).isBetween(1L, 200L);
        System.out.println("group commit: 200 commits by 4 threads shared " + p.checkpoints() + " forces");
    }
}
