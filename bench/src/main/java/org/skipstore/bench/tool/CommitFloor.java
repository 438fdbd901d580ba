package org.skipstore.bench.tool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The floor of a durable commit on a disk: one 4 KiB write plus {@code FileChannel.force(false)}
 * (fdatasync) of a file whose 64 MiB were written and forced before, so that no write changes
 * its size or allocates a block, and the force has only the page to write and the device's cache
 * to flush: the least any durable commit can cost there. {@code CommitBenchmark}'s {@code floor},
 * for the bench tool.
 */
final class CommitFloor implements AutoCloseable {

    static final int PAGE = 4096;
    private static final long FILE_BYTES = 64L << 20;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
    private long position;

    /** Creates and preallocates the floor's file in {@code dir}. */
    CommitFloor(Path dir) throws IOException {
        file = dir.resolve("commit-floor.bin");
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
            zeros.clear();
            while (zeros.hasRemaining()) {
                channel.write(zeros, at + zeros.position());
            }
        }
        channel.force(true);
    }

    /** One commit of the floor: a page written and forced. */
    void commit() throws IOException {
        page.clear();
        page.putLong(0, position);
        while (page.hasRemaining()) {
            channel.write(page, position + page.position());
        }
        channel.force(false);
        position = (position + PAGE) % FILE_BYTES;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }
}
