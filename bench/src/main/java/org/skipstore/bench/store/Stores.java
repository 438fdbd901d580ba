package org.skipstore.bench.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The store engines by name, and the file-system helpers their benchmarks share.
 *
 * <ul>
 *   <li>{@code skipstore}: Skipstore's engine ({@code Skipstore}: log, memtables, page store),
 *       defaults ({@link SkipstoreKv});</li>
 *   <li>{@code rocksdb}: RocksDB through rocksdbjni, defaults ({@code RocksDbKv}). Its adapter is
 *       in every build, its jar (92 MB) never inside {@code benchmarks.jar}: {@code bench.sh} puts
 *       it on the class path ({@code bench/target/peers.classpath});</li>
 *   <li>{@code lmdb}: LMDB through lmdbjava, default flags (a commit syncs);</li>
 *   <li>{@code pagestore}: Skipstore's {@code PageStore} alone, defaults ({@code Durability.SYNC});</li>
 *   <li>{@code mvstore}, {@code mapdb}: the heavy peers (H2 MVStore, MapDB). Their adapters live in
 *       {@code src/peers/java} and their jars outside {@code benchmarks.jar}; both exist only in a
 *       build with the Maven profile {@code peers}, run with the peer jars on the class path
 *       ({@code bash bench/bench.sh --peers ...} does both).</li>
 * </ul>
 * The engines whose jars are outside {@code benchmarks.jar} are found by class name, so the jar
 * loads and runs without them and says how to get one when it is asked for.
 */
public final class Stores {

    /** The engines inside {@code benchmarks.jar}. */
    public static final List<String> BUILT_IN = List.of("skipstore", "lmdb", "pagestore");
    /** The engine of every build whose jar is outside {@code benchmarks.jar}, on the class path bench.sh makes. */
    public static final List<String> CLASS_PATH = List.of("rocksdb");
    /** The engines of the {@code peers} build. */
    public static final List<String> PEERS = List.of("mvstore", "mapdb");

    private static final String PEER_PACKAGE = Stores.class.getPackageName();

    private Stores() {
    }

    /** Every engine name: the engine, its two peers of the main job, then the others. */
    public static List<String> all() {
        return List.of("skipstore", "rocksdb", "lmdb", "pagestore", "mvstore", "mapdb");
    }

    /** Whether {@code name} is a store engine (present in this build or not). */
    public static boolean isStore(String name) {
        return all().contains(name);
    }

    /** Whether the store engine {@code name} can be opened here: built-in, or one whose classes load. */
    public static boolean available(String name) {
        if (BUILT_IN.contains(name)) {
            return true;
        }
        if (!isStore(name)) {
            return false;
        }
        try {
            Class.forName(outsideClass(name), true, Stores.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@link #open(String, Path, KvStore.Writes)} with {@link KvStore.Writes#PER_PUT}. */
    public static KvStore open(String name, Path dir) throws IOException {
        return open(name, dir, KvStore.Writes.PER_PUT);
    }

    /**
     * Opens a new store of engine {@code name} in the empty directory {@code dir}; {@code writes}
     * says how an engine without transactions takes batches ({@link KvStore.Writes}).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    for an engine this build or class path lacks, saying how to get it
     */
    public static KvStore open(String name, Path dir, KvStore.Writes writes) throws IOException {
        switch (name) {
            case "skipstore":
                return new SkipstoreKv(dir, writes);
            case "pagestore":
                return new PageStoreKv(dir);
            case "lmdb":
                return new LmdbKv(dir);
            default:
                break;
        }
        if (!isStore(name)) {
            throw new IllegalArgumentException("unknown store engine '" + name + "' (known: " + String.join(", ", all())
                    + ")");
        }
        Class<?> type;
        try {
            type = Class.forName(outsideClass(name), true, Stores.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw missingPeer(name, e);
        }
        try {
            try {
                return (KvStore) type.getConstructor(Path.class, KvStore.Writes.class).newInstance(dir, writes);
            } catch (NoSuchMethodException e) {
                return (KvStore) type.getConstructor(Path.class).newInstance(dir); // transactions only
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof LinkageError le) {
                throw missingPeer(name, le);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("opening " + name + ": " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the adapter of " + name + " cannot be made: " + e, e);
        } catch (LinkageError e) {
            throw missingPeer(name, e);
        }
    }

    /** The message for an engine this build or class path lacks. */
    public static String missingPeerMessage(String name) {
        if (CLASS_PATH.contains(name)) {
            return "engine '" + name + "' needs rocksdbjni on the class path, which this run lacks: run it through "
                    + "`bash bench/bench.sh`, which puts it there (the jars bench/target/peers.classpath names, "
                    + "written by the build), or java -cp bench/target/benchmarks.jar:$(cat bench/target/peers.classpath)";
        }
        return "engine '" + name + "' is a peer of the 'peers' build, which this run lacks: build and run with "
                + "the peers, e.g. `bash bench/bench.sh --peers --engine " + name + "` or `bash bench/bench.sh --peers "
                + "jmh StoreBenchmark` (Maven profile -Ppeers; the peer jars go on the class path from "
                + "bench/target/peers.classpath)";
    }

    private static IllegalStateException missingPeer(String name, Throwable cause) {
        return new IllegalStateException(missingPeerMessage(name) + " [" + cause + "]", cause);
    }

    private static String outsideClass(String name) {
        return PEER_PACKAGE + "." + switch (name) {
            case "rocksdb" -> "RocksDbKv";
            case "mvstore" -> "MvStoreKv";
            case "mapdb" -> "MapDbKv";
            default -> throw new IllegalArgumentException(name);
        };
    }

    // ---- files -----------------------------------------------------------------------------------

    /**
     * A new empty directory for a benchmark's stores under {@code parent} (null: the system's
     * temporary directory, {@code java.io.tmpdir}).
     */
    public static Path tempDirectory(Path parent, String prefix) throws IOException {
        if (parent == null) {
            return Files.createTempDirectory(prefix);
        }
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, prefix);
    }

    /** Deletes {@code dir} and everything under it; nothing when it is missing. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The sum of the (apparent) sizes of the regular files under {@code dir}. */
    public static long fileBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The disk blocks the files under {@code dir} occupy, by {@code du -s -B1} (a sparse file
     * counts only its written blocks), or -1 when {@code du} is not there or fails.
     */
    public static long allocatedBytes(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return -1;
            }
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * One line on the size of a store of {@code entries} entries of {@code rawBytes} each in
     * {@code dir}: its files' bytes and bytes per entry against the raw size, and the allocated
     * disk blocks.
     */
    public static String sizeLine(Path dir, long entries, int rawBytes) throws IOException {
        long bytes = fileBytes(dir);
        long allocated = allocatedBytes(dir);
        return String.format(Locale.ROOT, "%,d entries: files %.1f MiB = %.1f B/entry (raw %d B, %.2fx), "
                        + "allocated on disk %s", entries, bytes / 1048576.0, (double) bytes / Math.max(1, entries),
                rawBytes, (double) bytes / Math.max(1, entries) / rawBytes,
                allocated < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB = %.1f B/entry", allocated / 1048576.0,
                        (double) allocated / Math.max(1, entries)));
    }
}
