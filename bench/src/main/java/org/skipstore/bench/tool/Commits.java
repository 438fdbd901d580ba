package org.skipstore.bench.tool;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The stores' one-put durable commits: {@code commit}, one thread, each put committed on its own
 * before the next, its latencies beside the floor's ({@link CommitFloor}); and {@code group},
 * several threads doing the same at once, so that an engine can share a force among them.
 * Keys are distinct ({@link Run#key} of a random order), values a store's ({@link Run#storeValue}).
 */
final class Commits {

    /** Commits of the engine, then as many of the floor, alternately, in blocks of this many. */
    static final int BLOCK = 100;

    private final Options o;
    private final String engine;
    private final Progress progress;

    Commits(Options o, String engine, Progress progress) {
        this.o = o;
        this.engine = engine;
        this.progress = progress;
    }

    /**
     * {@code --commits} one-put commits into {@code s} by this thread, alternating in blocks of
     * {@value #BLOCK} with as many commits of the floor in {@code root}: both see the disk as it
     * is at the time. The time of the result is the engine's commits' alone.
     */
    Result commit(KvEngine.Store s, Path root) throws IOException {
        int n = o.commits();
        int[] order = Run.permutation(n, o.seed() + 13);
        Latencies engineLatencies = new Latencies(n);
        Latencies floorLatencies = new Latencies(n);
        byte[] k = new byte[o.keySize()];
        byte[] v = new byte[o.valueSize()];
        long nanos = 0;
        try (CommitFloor floor = new CommitFloor(root)) {
            for (int from = 0; from < n; from += BLOCK) {
                int to = Math.min(n, from + BLOCK);
                for (int i = from; i < to; i++) {
                    Run.key(k, order[i]);
                    Run.storeValue(v, order[i]);
                    long t0 = System.nanoTime();
                    s.commitOne(k, v);
                    long t = System.nanoTime() - t0;
                    engineLatencies.add(t);
                    nanos += t;
                    progress.report(i);
                }
                for (int i = from; i < to; i++) {
                    long t0 = System.nanoTime();
                    floor.commit();
                    floorLatencies.add(System.nanoTime() - t0);
                }
            }
        }
        progress.finish();
        return new Result("commit", engine, n, Math.max(1, nanos)).withLatency(engineLatencies.summary(),
                floorLatencies.summary());
    }

    /**
     * {@code --group-num} one-put commits into {@code s} by {@code --group-threads} threads, each
     * its share of distinct keys, timed from a start gate to the last thread's end
     * ({@link Workers}); the latencies of every commit of every thread.
     */
    Result group(KvEngine.Store s) {
        int threads = o.groupThreads();
        int n = o.groupNum() / threads * threads;
        int[] order = Run.permutation(n, o.seed() + 17);
        Latencies[] latencies = new Latencies[threads];
        for (int t = 0; t < threads; t++) {
            latencies[t] = new Latencies(n / threads);
        }
        long nanos = Workers.run("group-" + engine, threads, t -> {
            byte[] k = new byte[o.keySize()];
            byte[] v = new byte[o.valueSize()];
            Latencies l = latencies[t];
            for (int i = t * (n / threads), end = i + n / threads, done = 0; i < end; i++, done++) {
                Run.key(k, order[i]);
                Run.storeValue(v, order[i]);
                long t0 = System.nanoTime();
                s.commitOne(k, v);
                l.add(System.nanoTime() - t0);
                progress.report(done);
            }
        });
        progress.finish();
        return new Result("group", threads, engine, n, nanos, -1, Latencies.merge(latencies), null, null, null);
    }
}
