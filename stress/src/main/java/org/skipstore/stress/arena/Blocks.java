package org.skipstore.stress.arena;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.skipstore.arena.ShardedArena;

/**
 * Helpers shared by the arena stress tests. Every access goes through
 * {@link ShardedArena#chunk(long)} plus {@link ShardedArena#offset(long)}, the zero-garbage path
 * callers use, so a block that crossed the end of its chunk fails the chunk's bounds check
 * ({@link IndexOutOfBoundsException}) instead of going unnoticed.
 */
final class Blocks {

    private Blocks() {
    }

    /** The native address of the first byte of the block {@code ref}. */
    static long address(ShardedArena arena, long ref) {
        return arena.chunk(ref).address() + ShardedArena.offset(ref);
    }

    /** Writes {@code tag} into every byte of the block. */
    static void fill(ShardedArena arena, long ref, long size, byte tag) {
        MemorySegment chunk = arena.chunk(ref);
        long offset = ShardedArena.offset(ref);
        for (long i = 0; i < size; i++) {
            chunk.set(ValueLayout.JAVA_BYTE, offset + i, tag);
        }
    }

    /** Whether every byte of the block still holds {@code tag}. */
    static boolean holds(ShardedArena arena, long ref, long size, byte tag) {
        MemorySegment chunk = arena.chunk(ref);
        long offset = ShardedArena.offset(ref);
        for (long i = 0; i < size; i++) {
            if (chunk.get(ValueLayout.JAVA_BYTE, offset + i) != tag) {
                return false;
            }
        }
        return true;
    }

    /** Whether the address ranges {@code [a, a + aSize)} and {@code [b, b + bSize)} share a byte. */
    static boolean overlap(long a, long aSize, long b, long bSize) {
        return aSize > 0 && bSize > 0 && a < b + bSize && b < a + aSize;
    }

    /** The outcome word for an unexpected throwable: its simple class name. */
    static String name(Throwable t) {
        return t.getClass().getSimpleName();
    }
}
