package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.skipstore.pagestore.Recovery;
import org.skipstore.pagestore.Recovery.Cause;

/**
 * What {@link Pager#open} skipped to recover an earlier state, said in words: a log warning
 * (logger {@code org.skipstore.pagestore.internal.Pager}), a {@link RecoveryFallbackEvent}, and
 * the {@link Recovery} the stats report. The fallback itself is by design; being silent about it
 * was not: after the first commit the skipped slot is overwritten and the evidence gone.
 */
final class Fallback {

    private static final System.Logger LOG = System.getLogger(Pager.class.getName());

    private Fallback() {
    }

    /** A skipped slot: the transaction it holds or claims (-1: unreadable), the cause, what failed. */
    record Skip(int slot, long txn, Cause cause, String what) {
    }

    /**
     * A meta that checks out but was skipped: {@code what} is {@link Pager}'s reason, {@code inFile}
     * whether the file was as long as the meta says (else it was cut short, or the writes that
     * lengthened it never reached the disk). A block failing its CRC, or a file too short, is a
     * commit torn by a crash when the meta says its blocks may not have been forced: it has a
     * commit record (single-barrier, unforced); a CRC failure also when the block is its own
     * inline free list (the meta page written only in part). A two-phase commit forced its other
     * blocks and the file's length before its meta, so there a failure is damage, as is anything
     * out of range.
     */
    static Skip skip(int slot, Meta m, String what, boolean inFile) {
        boolean torn = inFile ? what.contains("fails its CRC") && (m.record != 0 || m.freeList == 0) : m.record != 0;
        return new Skip(slot, m.txnId, torn ? Cause.INCOMPLETE_COMMIT : Cause.DAMAGED_META,
                what.replace(" (the commit did not reach the disk whole)", "")); // the message says it
    }

    /**
     * Reports what open skipped to recover transaction {@code txn} from slot {@code chosen}:
     * {@code skip}, else the other slot when it is damaged (no valid meta, yet not a slot never
     * written). Returns null when there is nothing to report; else logs and records the event.
     */
    static Recovery report(String name, MemorySegment[] slots, Meta.Status[] status, int chosen, long txn, Skip skip) {
        int other = 1 - chosen;
        Skip s = skip != null ? skip : damagedSlot(other, slots[other], status[other], txn);
        if (s == null) {
            return null;
        }
        Recovery r = new Recovery(s.slot, s.txn, txn, s.cause, message(name, s, txn));
        LOG.log(System.Logger.Level.WARNING, r.message());
        RecoveryFallbackEvent e = new RecoveryFallbackEvent();
        if (e.shouldCommit()) {
            e.store = name;
            e.slot = s.slot;
            e.fromTxn = s.txn;
            e.toTxn = txn;
            e.cause = s.cause.name();
            e.reason = r.message();
            e.commit();
        }
        return r;
    }

    /** The slot that is not the recovered one, when it holds no valid meta and is not all zeros. */
    private static Skip damagedSlot(int slot, MemorySegment page, Meta.Status status, long recovered) {
        switch (status) {
            case VALID -> {
                return null; // older than the state recovered: open tries the newest first
            }
            case NO_MAGIC -> {
                long sector = Math.min(512, page.byteSize());
                if (isZero(page, 0, page.byteSize())) {
                    return null; // never written (a new store's slot 0 until its second commit)
                }
                if (isZero(page, 0, sector)) { // the slot's first write, torn: only later sectors landed
                    return new Skip(slot, -1, Cause.INCOMPLETE_COMMIT, "the slot's first meta was written only in part");
                }
                return new Skip(slot, -1, Cause.DAMAGED_META, "it holds neither a meta page nor zeros");
            }
            case BAD_CRC -> {
                return new Skip(slot, Meta.read(page).txnId, Cause.DAMAGED_META,
                        "it has the magic but fails its own checksum");
            }
            default -> { // a valid checksum: the transaction id is right
                long txn = Meta.read(page).txnId;
                String what = status == Meta.Status.BAD_VERSION
                        ? "its format version is " + Meta.versionOf(page) + ", this code reads " + Meta.FORMAT_VERSION
                        : "its page size is " + Meta.pageSizeOf(page) + ", not " + page.byteSize();
                return txn > recovered ? new Skip(slot, txn, Cause.DAMAGED_META, what) : null;
            }
        }
    }

    private static boolean isZero(MemorySegment page, long from, long to) {
        for (long i = from; i + 8 <= to; i += 8) {
            if (page.get(JAVA_LONG_UNALIGNED, i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String message(String name, Skip s, long recovered) {
        String lost = s.txn > recovered
                ? (s.txn == recovered + 1 ? "Transaction " + s.txn + " is" : "Transactions " + (recovered + 1) + " to "
                        + s.txn + " are") + " lost"
                : s.txn < 0 ? "Whether the slot held a later commit is unknown"
                : "The slot claims an earlier transaction, so probably no commit was lost";
        if (s.cause == Cause.INCOMPLETE_COMMIT) {
            return name + ": recovered transaction " + recovered + ", not " + (s.txn < 0 ? "the commit" : "transaction "
                    + s.txn) + " in meta slot " + s.slot + ": the newest commit did not reach the disk whole (" + s.what
                    + "). A crash leaves this during a commit that had not returned, or (NO_SYNC) had not been"
                    + " checkpointed: that commit was never durable, and recovering the last whole commit is the"
                    + " designed outcome. " + lost + ". If the store was closed cleanly before this open, the file"
                    + " was damaged instead.";
        }
        String claim = s.txn < 0 ? "" : " (it " + (s.what.contains("checksum") ? "claims" : "holds") + " transaction "
                + s.txn + ")";
        String cause = s.what.contains("own checksum") // the meta lies in the first sector (PagerCrashTest tears it)
                ? "A crash leaves this only on a disk that can tear a 512-byte sector write; otherwise the file was"
                : "A crash does not leave this: the file was";
        return name + ": the state in meta slot " + s.slot + claim + " is damaged: " + s.what
                + "; recovered transaction " + recovered + " from the other slot. " + lost + ". " + cause
                + " damaged, or written by something else. Check the disk, and verify() the store.";
    }
}
