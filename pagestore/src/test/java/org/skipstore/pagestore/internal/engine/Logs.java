package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The log tests' fixture: payloads that follow from their sequence (so a replay can check every
 * byte it gets), writing groups, replaying into a list, and editing segment files in place.
 */
final class Logs {

    static final long DB = 0x5EED_DB01L;

    private Logs() {
    }

    /** The payload of record {@code sequence}: 0 to 299 bytes, all drawn from the sequence. */
    static byte[] payload(long sequence) {
        SplittableRandom r = new SplittableRandom(sequence * 0x9E37_79B9_7F4A_7C15L);
        byte[] b = new byte[r.nextInt(300)];
        r.nextBytes(b);
        return b;
    }

    /** Writes {@code groups} groups of 1 to {@code maxGroup} records after the writer's last sequence. */
    static void writeGroups(LogWriter w, int groups, int maxGroup, SplittableRandom r) throws IOException {
        LogRecords g = new LogRecords(64);
        for (int i = 0; i < groups; i++) {
            g.clear();
            int n = 1 + r.nextInt(maxGroup);
            for (int k = 0; k < n; k++) {
                long s = w.lastSequence() + 1 + k;
                byte[] p = payload(s);
                if (r.nextBoolean()) {
                    g.add(s, p, 0, p.length);
                } else {
                    g.add(s, MemorySegment.ofArray(p));
                }
            }
            w.write(g);
        }
    }

    /** Writes one group of one record per sequence in {@code [from, to]}. */
    static void writeGroup(LogWriter w, long from, long to) throws IOException {
        LogRecords g = new LogRecords();
        for (long s = from; s <= to; s++) {
            byte[] p = payload(s);
            g.add(s, p, 0, p.length);
        }
        w.write(g);
    }

    /** A replay and the sequences it handed on, each payload checked against {@link #payload}. */
    record Replayed(LogReader.Replay replay, List<Long> sequences) {
    }

    static Replayed replay(Path dir, long after, boolean tolerant) throws IOException {
        List<Long> seen = new ArrayList<>();
        LogReader.Replay r = LogReader.replay(dir, DB, after, (sequence, payload) -> {
            assertThat(payload.isReadOnly()).isTrue();
            assertThat(payload.toArray(ValueLayout.JAVA_BYTE)).as("payload of %d", sequence).isEqualTo(payload(sequence));
            seen.add(sequence);
        }, tolerant);
        assertThat(r.recordsReplayed()).isEqualTo(seen.size());
        return new Replayed(r, seen);
    }

    /** The sequences {@code from..to}. */
    static List<Long> range(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            l.add(s);
        }
        return l;
    }

    /** The segment files in {@code dir}, oldest first. */
    static List<Path> segments(Path dir) throws IOException {
        return new ArrayList<>(LogFiles.list(dir).values());
    }

    /** Offsets of the records in a whole, valid segment file. */
    static List<Long> recordOffsets(Path segment) throws IOException {
        MemorySegment s = MemorySegment.ofArray(Files.readAllBytes(segment));
        List<Long> at = new ArrayList<>();
        for (long p = LogFormat.HEADER_BYTES; p < s.byteSize(); ) {
            long n = LogFormat.checkedRecordBytes(s, p, s.byteSize());
            assertThat(n).as("record at %d of %s", p, segment).isPositive();
            at.add(p);
            p += n;
        }
        return at;
    }

    static void flipBit(Path file, long at, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            ch.write(b.rewind(), at);
        }
    }

    /** Rewrites a segment's header with {@code edit} applied and a CRC that matches again. */
    static void editHeader(Path segment, java.util.function.Consumer<MemorySegment> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        MemorySegment s = MemorySegment.ofArray(bytes);
        edit.accept(s);
        s.set(LogFormat.U32, LogFormat.H_CRC, LogFormat.headerCrc(s));
        Files.write(segment, bytes);
    }

    /** Gives the record at {@code at} of {@code segment} another sequence, with a CRC that matches again. */
    static void setSequence(Path segment, long at, long sequence) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        MemorySegment s = MemorySegment.ofArray(bytes);
        s.set(LogFormat.U64, at + LogFormat.R_SEQUENCE, sequence);
        long end = at + LogFormat.RECORD_BYTES + Integer.toUnsignedLong(s.get(LogFormat.U32, at + LogFormat.R_LENGTH));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, (int) (at + LogFormat.R_CHECKED), (int) (end - at - LogFormat.R_CHECKED));
        s.set(LogFormat.U32, at + LogFormat.R_CRC, (int) crc.getValue());
        Files.write(segment, bytes);
    }

    /** Copies every file of {@code from} into the new directory {@code to}. */
    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    static long seed(String test) {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        return seed;
    }
}
