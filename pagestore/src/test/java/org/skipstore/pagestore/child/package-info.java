/**
 * The programs the process tests run in a child JVM through the public API ({@code StoreKillTest}
 * kills {@link org.skipstore.pagestore.child.StoreCommitLoop}, {@code SkipstoreKillTest} kills
 * {@link org.skipstore.pagestore.child.SkipstoreBatchLoop}, whose batches
 * {@link org.skipstore.pagestore.child.KillBatches} describes to both sides, {@code StoreLockTest}
 * runs {@link org.skipstore.pagestore.child.LockProbe}), and
 * {@link org.skipstore.pagestore.child.ChildJvm}, how every such test starts one. Apart from the
 * tests, so that a main is not mistaken for a test and the tests' own package holds only tests.
 */
package org.skipstore.pagestore.child;
