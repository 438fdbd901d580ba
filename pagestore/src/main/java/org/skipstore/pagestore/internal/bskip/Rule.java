package org.skipstore.pagestore.internal.bskip;

import java.lang.foreign.MemorySegment;

/**
 * What {@link Tree#descend} looks for: which node it follows on each index level, and where it
 * lands on level 0. A partition's range runs from its first key to the next partition's, so on an
 * index level every rule that looks for a key at most {@code x} follows the last key at most
 * {@code x}; the rules differ on level 0, and {@link #STRICT} everywhere.
 */
enum Rule {
    /** The first entry; follows the root words (the part of each level before its first index key). */
    FIRST,
    /** The last entry; follows each partition's last node. */
    LAST,
    /** The last entry at most {@code x}: reads. */
    FLOOR,
    /** The last entry below {@code x}: a delete's left neighbours. */
    STRICT,
    /** The first entry at least {@code x}: lands where {@link #FLOOR} does, one further when {@code x} is missing. */
    CEILING;

    /** Whether the rule compares with a key (the others ignore it). */
    boolean keyed() {
        return this != FIRST && this != LAST;
    }

    /**
     * On an index level: the node of {@code p} whose down reference to follow, or -1 for the
     * level below's root; {@code found} is {@link Partition#search}'s answer for the key.
     */
    int follow(MemorySegment p, int found) {
        return switch (this) {
            case FIRST -> -1;
            case LAST -> Partition.count(p) - 1;
            case FLOOR, CEILING -> found >= 0 ? found : -found - 2;
            case STRICT -> found >= 0 ? found - 1 : -found - 2;
        };
    }

    /**
     * On level 0: the index in {@code p} the rule lands on, -1 (before its first node) or its
     * count (after its last) when the entry is in a neighbouring partition, or there is none.
     */
    int land(MemorySegment p, int found) {
        return switch (this) {
            case FIRST -> 0;
            case CEILING -> found >= 0 ? found : -found - 1;
            default -> follow(p, found);
        };
    }
}
