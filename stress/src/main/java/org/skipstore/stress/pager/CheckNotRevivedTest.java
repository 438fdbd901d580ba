package org.skipstore.stress.pager;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;
import org.skipstore.pagestore.internal.BlockChecks;
import org.skipstore.pagestore.internal.Checksums;
import org.skipstore.pagestore.internal.CorruptBlockException;
import org.skipstore.pagestore.internal.PageSource;

/**
 * The writer's clearing of a block's "checked" bit (it is about to write the block anew) is not
 * undone by a reader that marks another block of the same 64-page word as checked at the same
 * moment. Were the mark a plain read-modify-write of the word, the reader could write back the
 * old word with the writer's bit still set, and the new, never checked bytes would be trusted.
 * The arbiter reads block 2 with a wrong checksum: it must be checked again, and fail.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "Block 1 marked checked, block 2's mark cleared.")
@Outcome(id = "true, false", expect = FORBIDDEN, desc = "The cleared mark of block 2 came back: a check was lost.")
@Outcome(expect = FORBIDDEN, desc = "Block 1 was not accepted.")
@State
public class CheckNotRevivedTest {

    private static final MemorySegment GOOD = sealed(true);
    private static final MemorySegment BAD = sealed(false);

    final BlockChecks checks = new BlockChecks(64);

    public CheckNotRevivedTest() {
        checks.check(2, GOOD); // block 2 passed its check once
    }

    @Actor
    public void reader(ZZ_Result r) {
        r.r1 = checks.check(1, GOOD) == GOOD;
    }

    @Actor
    public void writer() {
        checks.written(2); // block 2 is reused: its next read must check it again
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        try {
            checks.check(2, BAD);
            r.r2 = false; // trusted without a check
        } catch (CorruptBlockException e) {
            r.r2 = true;
        }
    }

    /** A 64-byte block whose checksum matches (or not). */
    private static MemorySegment sealed(boolean good) {
        MemorySegment b = Arena.global().allocate(64);
        b.fill((byte) 7);
        int crc = Checksums.crc32c(b, PageSource.CHECKSUM.byteSize(), b.byteSize());
        b.set(PageSource.CHECKSUM, 0, good ? crc : ~crc);
        return b;
    }
}
