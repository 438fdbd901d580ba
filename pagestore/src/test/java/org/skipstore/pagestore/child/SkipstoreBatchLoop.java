package org.skipstore.pagestore.child;

import java.nio.file.Path;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;

/**
 * The child process of {@code SkipstoreKillTest}: opens the database (recovering it), prints
 * {@code OPEN}, then {@link KillBatches#WRITERS} threads commit their batches
 * ({@link KillBatches#ops}) in the given mode until the process is killed, each printing
 * {@code ACK <writer> <n>} once batch n returned. A failed write halts the process with exit
 * code 2 (the test expects 137, SIGKILL's).
 *
 * <p>Arguments: the directory, SYNC or GROUP, the run number (a part of every value).
 */
public final class SkipstoreBatchLoop {

    private SkipstoreBatchLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        WriteDurability mode = WriteDurability.valueOf(args[1]);
        int run = Integer.parseInt(args[2]);
        Skipstore db = KillBatches.builder(mode).open(dir);
        System.out.println("OPEN");
        System.out.flush();
        Thread[] writers = new Thread[KillBatches.WRITERS];
        for (int w = 0; w < writers.length; w++) {
            int writer = w;
            writers[w] = Thread.ofPlatform().name("writer " + w).uncaughtExceptionHandler((t, e) -> {
                e.printStackTrace();
                Runtime.getRuntime().halt(2);
            }).start(() -> {
                for (long n = 1; ; n++) {
                    db.write(KillBatches.batch(run, writer, n));
                    synchronized (System.out) {
                        System.out.println("ACK " + writer + " " + n);
                        System.out.flush();
                    }
                }
            });
        }
        for (Thread t : writers) {
            t.join();
        }
    }
}
