package org.skipstore.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.skipstore.core.internal.WriteHook;

/**
 * A writer held at one point of the write protocol, as a preempted thread would be: started by
 * {@link #start}, it runs its write on a thread of its own until the write reaches {@code point},
 * and stays there until {@link #release()}. The hook applies to that thread only.
 */
final class ParkedWriter<T> implements AutoCloseable {

    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final Thread thread;

    private ParkedWriter(int point, Supplier<T> write) {
        thread = Thread.ofPlatform().name("parked-writer").unstarted(() -> {
            try {
                result.complete(write.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        Thread parked = thread;
        WriteHook.install(p -> {
            if (p == point && Thread.currentThread() == parked && arrived.getCount() > 0) {
                arrived.countDown();
                await(released);
            }
        });
    }

    /** Starts {@code write} and returns once it is held at {@code point}. */
    static <T> ParkedWriter<T> start(int point, Supplier<T> write) {
        ParkedWriter<T> w = new ParkedWriter<>(point, write);
        w.thread.start();
        if (!await(w.arrived)) {
            w.close();
            throw new AssertionError("the writer never reached hook point " + point + ": " + w.result);
        }
        return w;
    }

    /** Whether its write has returned. */
    boolean done() {
        return result.isDone();
    }

    /** Lets the write go on and returns its result. */
    T release() {
        released.countDown();
        return result.orTimeout(60, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        released.countDown();
        WriteHook.install(null);
    }

    /** Waits for a latch, with a deadline that only a hang reaches. */
    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
