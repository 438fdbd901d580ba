/**
 * The programs the page layer's process tests run in a child JVM: {@code KillTest} kills
 * {@link org.skipstore.pagestore.internal.child.CommitLoop} with SIGKILL, {@code DiskFullTest} runs
 * {@link org.skipstore.pagestore.internal.child.GrowUntilFull} under a file size limit. They use
 * only public members of the internal package (and the tests' public
 * {@link org.skipstore.pagestore.internal.Workload}).
 */
package org.skipstore.pagestore.internal.child;
