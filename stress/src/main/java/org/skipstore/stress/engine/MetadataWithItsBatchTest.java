package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.file.Path;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteBatch;
import org.skipstore.pagestore.WriteDurability;

/**
 * Commit metadata that rides in a batch ({@code WriteBatch.putMetadata}, as a changelog's offsets
 * do) is visible exactly with the batch's writes: a reader that sees the metadata sees the write.
 * The writer writes key A and metadata "offset" to 1 in one batch; the reader reads the metadata
 * first, then A (reads in that order can only see the metadata early, never late). Fields: the
 * reader's metadata, the reader's A, the metadata at the end.
 */
@JCStressTest
@Outcome(id = {"0, 0, 1", "0, 1, 1", "1, 1, 1"}, expect = ACCEPTABLE,
        desc = "Nothing seen yet, or the write seen (with its metadata or after the metadata read).")
@Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "The metadata seen before its batch's write.")
@Outcome(expect = FORBIDDEN, desc = "The metadata lost at the end, a torn value (-1), or a call threw.")
@State
public class MetadataWithItsBatchTest {

    static final byte[] A = Dbs.key(1);
    static final String OFFSET = "offset";

    final Path dir = Dbs.directory();
    final Skipstore db = Dbs.open(dir, WriteDurability.GROUP);

    @Actor
    public void writer() {
        db.write(new WriteBatch().put(A, Dbs.value(1)).putMetadata(OFFSET, Dbs.value(1)));
    }

    @Actor
    public void reader(LLL_Result r) {
        try {
            r.r1 = Dbs.number(db.metadata().get(OFFSET));
            r.r2 = Dbs.number(db.get(A));
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            r.r3 = Dbs.number(db.metadata().get(OFFSET));
        } finally {
            db.close();
            Dbs.delete(dir);
        }
    }
}
