package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.skipstore.pagestore.Durability;

/** The commit metadata's encoding ({@link CommitMetadata}) and its life in the pager's states. */
class CommitMetadataTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void randomMapsRoundTripThroughTheEncoding() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("randomMapsRoundTripThroughTheEncoding seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(CommitMetadata.MAX_BYTES);
            for (int round = 0; round < 500; round++) {
                TreeMap<String, byte[]> m = new TreeMap<>();
                int n = r.nextInt(12);
                for (int i = 0; i < n; i++) {
                    String name = (r.nextBoolean() ? "offset-" : "größe\u20ac-") + r.nextInt(1000);
                    byte[] v = new byte[r.nextInt(200)];
                    r.nextBytes(v);
                    m.put(name, v);
                }
                long bytes = CommitMetadata.encode(m, block);
                assertThat(bytes).isEqualTo(CommitMetadata.size(m));
                SortedMap<String, byte[]> back = CommitMetadata.decode(block.asSlice(0, bytes));
                assertThat(back.keySet()).containsExactlyElementsOf(m.keySet());
                assertThat(CommitMetadata.same(back, m)).as("seed %d round %d", seed, round).isTrue();
            }
        }
    }

    @Test
    void badNamesAndOversizedMetadataAreRefusedAndChangeNothing() throws IOException {
        Pager p = Pager.create(new MemoryPageFile(512), Durability.SYNC, Pager.Hook.NONE);
        try (WriteTxn t = p.begin()) {
            t.putMetadata("a", b("1"));
            assertThatThrownBy(() -> t.putMetadata("", b("x"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.putMetadata("n".repeat(256), b("x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
            assertThatThrownBy(() -> t.putMetadata("big", new byte[CommitMetadata.MAX_BYTES]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
            assertThatThrownBy(() -> t.putMetadata(null, b("x"))).isInstanceOf(NullPointerException.class);
            assertThat(t.metadata().keySet()).containsExactly("a");
            t.commit();
        }
        try (ReadView v = p.read()) {
            assertThat(s(v.metadata().get("a"))).isEqualTo("1");
        }
    }

    @Test
    void damagedEncodingsAreReportedNotMisread() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(256);
            TreeMap<String, byte[]> m = new TreeMap<>();
            m.put("offset", b("42"));
            long bytes = CommitMetadata.encode(m, block);
            assertThatThrownBy(() -> CommitMetadata.decode(block.asSlice(0, bytes - 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("damaged");
            assertThatThrownBy(() -> CommitMetadata.decode(block.asSlice(0, bytes + 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("after the last entry");
            block.set(JAVA_BYTE, CommitMetadata.HEADER.byteSize() + CommitMetadata.ENTRY.byteSize(), (byte) 0xFF);
            assertThatThrownBy(() -> CommitMetadata.decode(block.asSlice(0, bytes)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("UTF-8");
        }
    }

    @Test
    void metadataIsReadFromSnapshotsAndAfterReopenAndCarriedByCommitsThatDoNotChangeIt() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(512);
        Pager p = Pager.create(sim, Durability.SYNC, Pager.Hook.NONE);
        try (WriteTxn t = p.begin()) {
            t.putMetadata("flushed", b("100"));
            t.putMetadata("offset/0", b("7"));
            t.commit();
        }
        Meta.Stored first = p.committed().metadata;
        assertThat(first.isNone()).isFalse();
        ReadView old = p.read();
        try (WriteTxn t = p.begin()) {
            long page = t.allocate(0);
            t.setRoot(0, page); // data only: the metadata block is shared, not copied
            t.commit();
        }
        assertThat(p.committed().metadata).isEqualTo(first);
        try (WriteTxn t = p.begin()) {
            t.putMetadata("flushed", b("200"));
            t.putMetadata("offset/0", null);
            assertThat(s(t.metadata().get("flushed"))).isEqualTo("200"); // the transaction sees its own
            t.commit();
        }
        assertThat(p.committed().metadata).isNotEqualTo(first); // copy-on-write: a new block
        assertThat(s(old.metadata().get("flushed"))).isEqualTo("100"); // the snapshot keeps its state's
        assertThat(old.metadata()).containsKey("offset/0");
        old.close();
        try (WriteTxn t = p.begin()) {
            t.putMetadata("flushed", b("200")); // the same values: no new block
            t.commit();
        }
        Meta.Stored same = p.committed().metadata;
        p.close();
        Pager again = Pager.open(SimulatedPageFile.of(sim.processCrashImage(), 512), Durability.SYNC,
                Pager.Hook.NONE, "reopen");
        assertThat(again.committed().metadata).isEqualTo(same);
        try (ReadView v = again.read()) {
            assertThat(v.metadata().keySet()).containsExactly("flushed");
            assertThat(s(v.metadata().get("flushed"))).isEqualTo("200");
            new Checker(again.file(), v.meta()).used(v.root(0), 0).verify(); // no block leaked
        }
        try (WriteTxn t = again.begin()) {
            t.putMetadata("flushed", null); // removing the last name frees the block
            t.commit();
        }
        assertThat(again.committed().metadata.isNone()).isTrue();
        try (ReadView v = again.read()) {
            assertThat(v.metadata()).isEmpty();
            new Checker(again.file(), v.meta()).used(v.root(0), 0).verify();
        }
    }

    @Test
    void aDamagedMetadataBlockMakesRecoveryFallBackAndReadsReportIt() throws IOException {
        SimulatedPageFile sim = SimulatedPageFile.fresh(512);
        Pager p = Pager.create(sim, Durability.SYNC, Pager.Hook.NONE);
        try (WriteTxn t = p.begin()) {
            t.putMetadata("flushed", b("1"));
            t.commit();
        }
        long before = p.committed().txnId;
        try (WriteTxn t = p.begin()) {
            t.putMetadata("flushed", b("2"));
            t.commit();
        }
        Meta.Stored md = p.committed().metadata;
        p.close();
        byte[] image = sim.processCrashImage();
        image[(int) (md.page() * 512) + md.bytes() - 1] ^= 1; // the last byte of the value
        Pager again = Pager.open(SimulatedPageFile.of(image, 512), Durability.SYNC, Pager.Hook.NONE, "damaged");
        assertThat(again.committed().txnId).isEqualTo(before); // the damaged state is not taken
        assertThat(again.recovery()).isNotNull();
        try (ReadView v = again.read()) {
            assertThat(s(v.metadata().get("flushed"))).isEqualTo("1");
        }
        // A state whose block is damaged after it was opened: the read names the block.
        Pager live = Pager.create(new MemoryPageFile(512), Durability.SYNC, Pager.Hook.NONE);
        try (WriteTxn t = live.begin()) {
            t.putMetadata("k", b("v"));
            t.commit();
        }
        Meta.Stored at = live.committed().metadata;
        live.file().write(at.page(), MemorySegment.ofArray(new byte[512]));
        try (ReadView v = live.read()) {
            assertThatThrownBy(v::metadata).isInstanceOf(CorruptBlockException.class)
                    .hasMessageContaining("page " + at.page());
        }
    }
}
