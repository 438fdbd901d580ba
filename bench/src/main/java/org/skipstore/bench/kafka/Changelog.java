package org.skipstore.bench.kafka;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A store's changelog as the processing run left it, kept in a file between the child JVMs: per
 * record its key, its value (a delete's is null) and its timestamp, in the topic's order.
 * Format, a record after another: {@code int keyLength, key, int valueLength (-1: null), value,
 * long timestamp}, big-endian ({@link DataOutputStream}).
 */
record Changelog(List<byte[]> keys, List<byte[]> values, long[] timestamps) {

    int size() {
        return keys.size();
    }

    /** Appends what the driver's changelog topic holds now to a file, emptying the topic. */
    static final class Writer implements AutoCloseable {
        private final DataOutputStream out;

        Writer(Path file) throws IOException {
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }

        void drain(TestOutputTopic<byte[], byte[]> topic) throws IOException {
            for (TestRecord<byte[], byte[]> r : topic.readRecordsToList()) {
                out.writeInt(r.key().length);
                out.write(r.key());
                if (r.value() == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(r.value().length);
                    out.write(r.value());
                }
                out.writeLong(r.timestamp());
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    static Changelog read(Path file) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            while (true) {
                int keyLength;
                try {
                    keyLength = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                keys.add(bytes(in, keyLength));
                int valueLength = in.readInt();
                values.add(valueLength < 0 ? null : bytes(in, valueLength));
                timestamps.add(in.readLong());
            }
        }
        return new Changelog(keys, values, timestamps.stream().mapToLong(Long::longValue).toArray());
    }

    private static byte[] bytes(DataInputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("the changelog file ends inside a record");
        }
        return b;
    }
}
