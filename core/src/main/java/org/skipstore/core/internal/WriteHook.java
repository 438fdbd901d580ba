package org.skipstore.core.internal;

/**
 * A test's hook into the write protocol of {@link SkipList}: called at named points of every
 * write while installed, on the writing thread, so that a test can hold a writer exactly there
 * (the preempted-writer tests park one and show that the others go on). Never installed outside
 * tests; when it is not, a write pays one static load per point.
 */
@FunctionalInterface
public interface WriteHook {

    /** Step 2 done, nothing linked yet. */
    int BEFORE_LINK = 1;
    /** Step 5 done: the node is linked and still pending (not stamped). */
    int LINKED = 2;

    /** Called at {@code point} of a write on the writing thread. */
    void at(int point);

    /** Installs a hook for every list in the process ({@code null} removes it). */
    static void install(WriteHook hook) {
        SkipList.hook = hook;
    }
}
