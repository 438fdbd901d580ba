package org.skipstore.kafka.streams.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * The memory budgets of the Kafka Streams instances of this JVM, each shared by the Skipstore
 * stores of one instance ({@code skipstore.memory.budget.bytes}; {@code SkipstoreStreamsConfig}
 * says what it bounds and how it is split).
 *
 * <h2>Protocol</h2>
 * A store {@link #reserve}s its memory before it opens its engine and gets a {@link Share}: the
 * memtable size it may open with, and the bytes reserved for it, what a store with memtables of
 * that size holds at most (its memtables and its buffers: {@code bytesOf}). The size is the one
 * asked for if the budget, less what the instance's open stores hold, has room for it; else the
 * largest that has room; and at least the engine's smallest, which may pass the budget (logged as
 * a warning: failing the store would fail its task, after a rebalance perhaps).
 * {@link Share#close} gives the bytes back, once; the store closes its share after its engine, and
 * when its open fails. An instance's entry goes when its last share does, so an instance started
 * again begins from nothing. One lock, this class's, guards the entries: stores open rarely.
 */
public final class MemoryBudget {

    private static final System.Logger LOG = System.getLogger(MemoryBudget.class.getName());

    /** Bytes reserved per instance, by its application state directory; only instances holding some. */
    private static final Map<Path, Long> RESERVED = new HashMap<>();

    private MemoryBudget() {
    }

    /**
     * A share of {@code instance}'s budget for store {@code store}, which asks for memtables of
     * {@code memtableBytes} (at least {@code minMemtableBytes}) and holds {@code bytesOf} the
     * memtable size at most (a function that grows with it).
     */
    public static Share reserve(String store, Path instance, long budgetBytes, long memtableBytes, LongUnaryOperator bytesOf,
                                long minMemtableBytes) {
        Objects.requireNonNull(instance, "instance");
        synchronized (MemoryBudget.class) {
            long reserved = RESERVED.getOrDefault(instance, 0L);
            long left = Math.max(0, budgetBytes - reserved);
            boolean fits = bytesOf.applyAsLong(minMemtableBytes) <= left;
            long granted = fits ? largestFitting(minMemtableBytes, memtableBytes, bytesOf, left) : minMemtableBytes;
            long bytes = bytesOf.applyAsLong(granted);
            RESERVED.put(instance, reserved + bytes);
            if (!fits) {
                LOG.log(System.Logger.Level.WARNING, "Skipstore store " + store + " opens with the smallest memtable, "
                        + granted + " bytes, past the memory budget of " + budgetBytes + " bytes: the stores of "
                        + instance + " now reserve " + (reserved + bytes));
            } else if (granted < memtableBytes) {
                LOG.log(System.Logger.Level.INFO, "Skipstore store " + store + " opens with a memtable of " + granted
                        + " bytes instead of " + memtableBytes + ", the rest of the memory budget of " + budgetBytes
                        + " bytes of " + instance);
            }
            return new Share(instance, granted, bytes);
        }
    }

    /** The largest memtable size in {@code [min, max]} whose store takes at most {@code left}; {@code min}'s does. */
    private static long largestFitting(long min, long max, LongUnaryOperator bytesOf, long left) {
        if (bytesOf.applyAsLong(max) <= left) {
            return max;
        }
        long lo = min; // fits
        long hi = max; // does not
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (bytesOf.applyAsLong(mid) <= left) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The bytes the open stores of {@code instance} hold of its budget. */
    public static long reservedBytes(Path instance) {
        synchronized (MemoryBudget.class) {
            return RESERVED.getOrDefault(instance, 0L);
        }
    }

    /** A store's memtable size and, under a budget, its reservation; closing gives it back. */
    public static final class Share implements AutoCloseable {

        private final Path instance; // null: no budget
        private final long memtableBytes;
        private final long bytes;
        private boolean released; // guarded by MemoryBudget.class

        private Share(Path instance, long memtableBytes, long bytes) {
            this.instance = instance;
            this.memtableBytes = memtableBytes;
            this.bytes = bytes;
        }

        /** The share of a store under no budget: the memtable it asks for. */
        public static Share unbounded(long memtableBytes) {
            return new Share(null, memtableBytes, 0);
        }

        /** The memtable size the store opens with. */
        public long memtableBytes() {
            return memtableBytes;
        }

        @Override
        public void close() {
            if (instance == null) {
                return;
            }
            synchronized (MemoryBudget.class) {
                if (released) {
                    return;
                }
                released = true;
                long left = RESERVED.get(instance) - bytes;
                if (left == 0) {
                    RESERVED.remove(instance);
                } else {
                    RESERVED.put(instance, left);
                }
            }
        }
    }
}
