package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A transaction's buffers past the pool are freed when it ends, not left for a collection; the
 * pool's own, and a meta page that may outlive the transaction, stay usable.
 */
class BufferPoolTest {

    private static final int PAGE = 4096;

    @Test
    void buffersPastThePoolAreFreedWhenTheTransactionEnds() {
        try (BufferPool pool = new BufferPool(PAGE)) {
            List<MemorySegment> taken = new ArrayList<>();
            for (long bytes = 0; bytes <= BufferPool.POOLED_BYTES + BufferPool.SLAB_BYTES; bytes += PAGE) {
                taken.add(pool.take(0));
            }
            MemorySegment pooled = taken.getFirst();
            MemorySegment sliced = taken.getLast();
            MemorySegment large = pool.take(Block.orderFor(BufferPool.SLICED_MAX / PAGE) + 1);
            assertThat(large.byteSize()).isGreaterThan(BufferPool.SLICED_MAX);
            MemorySegment meta = pool.takeLasting(0);
            sliced.set(ValueLayout.JAVA_LONG, 0, 42);
            large.set(ValueLayout.JAVA_LONG, 0, 43);

            pool.endTransaction();

            assertThatThrownBy(() -> sliced.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> large.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            pooled.set(ValueLayout.JAVA_LONG, 0, 1);
            meta.set(ValueLayout.JAVA_LONG, 0, 2);
            assertThat(meta.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(2);

            MemorySegment next = pool.take(0); // the next transaction passes the pool again: a fresh arena
            next.set(ValueLayout.JAVA_LONG, 0, 3);
            assertThat(next.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(3);
            pool.endTransaction();
        }
    }

    /** A store's writeBufferPoolBytes: a pool of none keeps nothing between transactions. */
    @Test
    void aPoolLimitedToNothingFreesEveryBufferWhenTheTransactionEnds() {
        try (BufferPool pool = new BufferPool(PAGE)) {
            pool.limit(0);
            MemorySegment b = pool.take(0);
            MemorySegment meta = pool.takeLasting(0);
            pool.endTransaction();
            assertThatThrownBy(() -> b.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            meta.set(ValueLayout.JAVA_LONG, 0, 1);
        }
    }
}
