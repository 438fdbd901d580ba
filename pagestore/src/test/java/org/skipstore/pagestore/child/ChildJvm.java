package org.skipstore.pagestore.child;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the tests start a child JVM on this module's classes and tests. The child runs them on the
 * class path, not the module path: its mains reach the internal package without the
 * {@code --add-exports} that the module would otherwise need.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** The java launcher running the tests. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** This module's classes and tests, and everything the test run has on its paths. */
    public static String classPath() {
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        cp.add(Path.of("target", "classes").toAbsolutePath().toString());
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(key);
            if (v != null && !v.isEmpty()) {
                cp.add(v);
            }
        }
        return String.join(File.pathSeparator, cp);
    }
}
