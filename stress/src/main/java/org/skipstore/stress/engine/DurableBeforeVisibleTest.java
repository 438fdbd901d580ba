package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.pagestore.WriteDurability;
import org.skipstore.pagestore.internal.engine.Engine;
import org.skipstore.pagestore.internal.engine.EngineOptions;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * In the durable modes no reader sees a write before it is durable. The engine's hook at
 * {@link Point#LOG_FORCED} (the log force of a group has returned) raises a flag; a reader that
 * sees the write must see the flag raised. Through the engine's internal API, which takes the
 * hook (the public builder keeps it to the package's tests). Fields: whether the reader saw the
 * write, and whether the force had happened by then. One nested test per durable mode.
 */
@Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "Not seen yet, or seen after its force.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Seen before its force.")
@Outcome(expect = FORBIDDEN, desc = "A call threw.")
public class DurableBeforeVisibleTest {

    static final byte[] KEY = Dbs.key(1);

    /** One database and its force flag. */
    abstract static class Db {
        final Path dir = Dbs.directory();
        volatile boolean forced;
        final Engine engine;
        final MemorySegment key = Dbs.nativeKey(KEY);
        final MemorySegment batch = Dbs.putBatch(KEY, Dbs.value(1));

        Db(WriteDurability mode) {
            EngineOptions o = new EngineOptions(1 << 20, 2, mode, 64 << 10, PosixFilePermissions.fromString("rw-------"),
                    false, 1024, true, 2);
            try {
                engine = Engine.open(dir, o, p -> {
                    if (p == Point.LOG_FORCED) {
                        forced = true;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void write(WriteDurability mode) {
            try {
                engine.write(batch, 256, mode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void read(LL_Result r) {
            try {
                byte[] v = engine.get(key);
                boolean f = forced;
                r.r1 = v == null ? 0 : Dbs.number(v);
                r.r2 = f ? 1 : 0;
            } catch (RuntimeException e) {
                r.r1 = e.toString();
            }
        }

        void close() {
            try {
                engine.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Dbs.delete(dir);
        }
    }

    @JCStressTest
    @JCStressMeta(DurableBeforeVisibleTest.class)
    @State
    public static class Sync extends Db {
        public Sync() {
            super(WriteDurability.SYNC);
        }

        @Actor
        public void writer() {
            write(WriteDurability.SYNC);
        }

        @Actor
        public void reader(LL_Result r) {
            read(r);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            close();
        }
    }

    @JCStressTest
    @JCStressMeta(DurableBeforeVisibleTest.class)
    @State
    public static class Group extends Db {
        public Group() {
            super(WriteDurability.GROUP);
        }

        @Actor
        public void writer() {
            write(WriteDurability.GROUP);
        }

        @Actor
        public void reader(LL_Result r) {
            read(r);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            close();
        }
    }
}
