package org.skipstore.bench.tool;

import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/**
 * Runs one body on several platform threads at once and times them from a start gate to the end
 * of the last one.
 *
 * <p>Every thread is started and parked at the gate before the clock starts, so thread creation
 * is not timed, and the time ends at the last thread's own end, not when the caller notices it
 * (join). The gate is a latch, not a spinning barrier: with more threads than cores, spinning
 * waiters would take the cores from the threads still starting.
 */
final class Workers {

    private Workers() {
    }

    /**
     * Runs {@code body.accept(t)} for {@code t = 0 .. threads-1}, each on a thread of its own
     * named {@code name-t}.
     *
     * @return nanoseconds from opening the gate to the end of the last thread (at least 1)
     * @throws IllegalStateException with the first failure of a thread as its cause, after all
     *         threads ended
     */
    static long run(String name, int threads, IntConsumer body) {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch gate = new CountDownLatch(1);
        long[] ends = new long[threads];
        Throwable[] failure = new Throwable[1];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = Thread.ofPlatform().name(name + "-" + id).start(() -> {
                try {
                    ready.countDown();
                    gate.await();
                    body.accept(id);
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                } finally {
                    ends[id] = System.nanoTime(); // join() publishes it to the caller
                }
            });
        }
        long start;
        try {
            ready.await();
            start = System.nanoTime();
            gate.countDown();
            for (Thread w : workers) {
                w.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " was interrupted", e);
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException(name + " failed: " + failure[0], failure[0]);
            }
        }
        long last = start;
        for (long end : ends) {
            last = Math.max(last, end);
        }
        return Math.max(1, last - start);
    }
}
