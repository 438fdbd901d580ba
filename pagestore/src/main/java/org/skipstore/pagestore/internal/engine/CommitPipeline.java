package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Write groups: concurrent writers queue, and one of them, the <em>leader</em>, commits the
 * writes at the head of the queue together (one log write, one force, then the memtable
 * inserts) while the others, its <em>followers</em>, wait for it, as RocksDB's write groups and
 * Pebble's commit pipeline do. One group is committed at a time, in queue order: that is what
 * makes the log, the sequences and the memtables agree.
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>A writer enqueues its {@link Ticket} under {@link #lock}; when no leader is at work it
 *       becomes the leader at once, otherwise it parks until it is either done or made leader.</li>
 *   <li>The leader takes a group from the head of the queue (itself first), {@link #formGroup}:
 *       tickets in order until the group's bytes pass {@link #maxGroupBytes}; a ticket marked
 *       {@code alone} (a SYNC write, an exclusive action) is a group of its own.</li>
 *   <li>The leader runs {@link Committer#commit} for the group outside the lock: the log, the
 *       force, the memtable inserts, the publication. The queue keeps filling meanwhile, which
 *       is what makes the next group bigger when the disk is slow.</li>
 *   <li>It marks every ticket of the group done (with the group's failure, if any) and unparks
 *       their writers; then, under the lock, hands the leadership to the ticket now at the head
 *       of the queue (unparking it), or ends it when the queue is empty.</li>
 * </ol>
 * A follower waits for the leader's force: that is the point of a group, and a write in a
 * durable mode cannot return earlier. The waits are parks, never spins. An interrupt does not
 * end a wait (the write is under way and cannot be taken back); the thread's interrupt status is
 * kept for its caller. A leader clears it while it leads: an interrupt during a {@code FileChannel}
 * write closes the channel, which would stop the database's writes (one arriving while it leads
 * still can: the log is then poisoned and the database must be reopened).
 */
final class CommitPipeline {

    /** Commits one group; the tickets' writes, in order. */
    interface Committer {
        void commit(List<Ticket> group) throws IOException;
    }

    /** One writer's place in the queue. */
    static final class Ticket {
        private static final int WAITING = 0;
        private static final int LEAD = 1;
        private static final int DONE = 2;

        /** What to commit (the committer's to interpret). */
        final Object work;
        /** Bytes it adds to a group. */
        final long bytes;
        /** Whether it must be a group of its own. */
        final boolean alone;
        /** Whether it needs the log forced before it returns. */
        final boolean force;
        private final Thread thread = Thread.currentThread();
        private volatile int state = WAITING;
        /** Why its group failed; null when it committed. Written before {@link #state} is DONE. */
        private Throwable failure;
        /** Set by the committer: the log sequence the write got. */
        long sequence;

        Ticket(Object work, long bytes, boolean alone, boolean force) {
            this.work = work;
            this.bytes = bytes;
            this.alone = alone;
            this.force = force;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private final Committer committer;
    private final long maxGroupBytes;
    /** Guarded by {@link #lock}: whether a leader is at work. */
    private boolean leading;
    /** Groups committed, and tickets in them: for stats. */
    private long groups;
    private long tickets;

    CommitPipeline(Committer committer, long maxGroupBytes) {
        this.committer = committer;
        this.maxGroupBytes = maxGroupBytes;
    }

    /** Commits {@code t} (step 1), leading as many groups as fall to this thread; throws its group's failure. */
    void commit(Ticket t) throws IOException {
        lock.lock();
        try {
            queue.addLast(t);
            if (!leading) {
                leading = true;
                t.state = Ticket.LEAD;
            }
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (t.state == Ticket.WAITING) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted(); // or park would return at once from now on
        }
        if (t.state == Ticket.LEAD) {
            // the log's channel closes when a thread interrupted in its I/O: the leader works uninterrupted
            interrupted |= Thread.interrupted();
            lead();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = t.failure;
        if (f != null) {
            if (f instanceof IOException io) {
                throw io;
            }
            if (f instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) f;
        }
    }

    private void lead() {
        List<Ticket> group;
        lock.lock();
        try {
            group = formGroup();
        } finally {
            lock.unlock();
        }
        Throwable failure = null;
        try {
            committer.commit(group); // step 3
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        }
        Ticket next;
        lock.lock();
        try {
            groups++;
            tickets += group.size();
            next = queue.peekFirst();
            if (next == null) {
                leading = false;
            } else {
                next.state = Ticket.LEAD;
            }
        } finally {
            lock.unlock();
        }
        for (Ticket t : group) { // step 4
            t.failure = failure;
            t.state = Ticket.DONE;
            if (t.thread != Thread.currentThread()) {
                LockSupport.unpark(t.thread);
            }
        }
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
    }

    /** Step 2, under the lock: the group at the head of the queue. */
    private List<Ticket> formGroup() {
        List<Ticket> group = new ArrayList<>();
        long bytes = 0;
        for (Ticket t = queue.peekFirst(); t != null; t = queue.peekFirst()) {
            if (!group.isEmpty() && (t.alone || bytes + t.bytes > maxGroupBytes)) {
                break;
            }
            queue.pollFirst();
            group.add(t);
            bytes += t.bytes;
            if (t.alone) {
                break;
            }
        }
        return group;
    }

    /** Mean tickets per group so far. */
    double meanGroupSize() {
        lock.lock();
        try {
            return groups == 0 ? 0 : (double) tickets / groups;
        } finally {
            lock.unlock();
        }
    }
}
