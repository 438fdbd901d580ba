/**
 * Off-heap memory for Skipstore: {@link org.skipstore.arena.ShardedArena}, a bump allocator
 * that many threads use at once, each in its own shard, with exact accounting and bulk release.
 *
 * <p>Only {@code org.skipstore.arena} is exported; the shard and chunk-table machinery in
 * {@code org.skipstore.arena.internal} is not. The module uses no restricted method of
 * {@code java.lang.foreign}, so it needs no {@code --enable-native-access}.
 */
module org.skipstore.arena {
    exports org.skipstore.arena;
}
