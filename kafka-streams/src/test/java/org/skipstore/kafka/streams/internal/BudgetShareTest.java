package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MemoryBudget}'s shares on their own: what a share takes, and that it gives it back once. */
class BudgetShareTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path instance;

    @Test
    void aShareGivesItsBytesBackOnceAndTheLastTakesTheInstancesEntryAway() {
        MemoryBudget.Share a = MemoryBudget.reserve("a", instance, 20 * MIB, 4 * MIB, m -> 2 * m, MIB);
        MemoryBudget.Share b = MemoryBudget.reserve("b", instance, 20 * MIB, 8 * MIB, m -> 2 * m, MIB);
        assertThat(a.memtableBytes()).isEqualTo(4 * MIB);
        assertThat(b.memtableBytes()).as("(20 - 8) / 2").isEqualTo(6 * MIB);
        assertThat(MemoryBudget.reservedBytes(instance)).isEqualTo(20 * MIB);
        a.close();
        a.close();
        assertThat(MemoryBudget.reservedBytes(instance)).isEqualTo(12 * MIB);
        b.close();
        assertThat(MemoryBudget.reservedBytes(instance)).isZero();
        // an instance started again starts from nothing, whatever its budget now
        MemoryBudget.Share c = MemoryBudget.reserve("c", instance, 6 * MIB, 4 * MIB, m -> 2 * m, MIB);
        assertThat(c.memtableBytes()).isEqualTo(3 * MIB);
        c.close();
    }

    @Test
    void aStoreThatDoesNotFitTakesTheLargestMemtablesWhoseStoreFits() {
        java.util.function.LongUnaryOperator store = m -> 3 * m + m / 16 + MIB; // memtables, batch and buffers
        MemoryBudget.Share a = MemoryBudget.reserve("a", instance, 40 * MIB, 16 * MIB, store, MIB);
        long m = a.memtableBytes();
        assertThat(store.applyAsLong(m)).isLessThanOrEqualTo(40 * MIB);
        assertThat(store.applyAsLong(m + 1)).as("the largest that fits").isGreaterThan(40 * MIB);
        assertThat(MemoryBudget.reservedBytes(instance)).isEqualTo(store.applyAsLong(m));
        MemoryBudget.Share b = MemoryBudget.reserve("b", instance, 40 * MIB, 16 * MIB, store, MIB);
        assertThat(b.memtableBytes()).as("nothing left: the smallest, past the budget").isEqualTo(MIB);
        assertThat(MemoryBudget.reservedBytes(instance)).isEqualTo(store.applyAsLong(m) + store.applyAsLong(MIB));
        a.close();
        b.close();
    }

    @Test
    void anUnboundedShareTakesWhatItAsksAndReservesNothing() {
        MemoryBudget.Share s = MemoryBudget.Share.unbounded(5 * MIB);
        assertThat(s.memtableBytes()).isEqualTo(5 * MIB);
        s.close();
        assertThat(MemoryBudget.reservedBytes(instance)).isZero();
    }
}
