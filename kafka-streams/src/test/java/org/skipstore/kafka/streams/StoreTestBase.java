package org.skipstore.kafka.streams;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A store under test, opened in a fresh state directory before each test and closed after it. */
abstract class StoreTestBase {

    @TempDir
    Path dir;
    TestContext context;
    SkipstoreKeyValueStore store;

    @BeforeEach
    void openStore() {
        context = Fixture.context(dir);
        store = open(context);
    }

    /** Opens the store under test in {@code context}: a plain store unless a test class says otherwise. */
    SkipstoreKeyValueStore open(TestContext context) {
        return Fixture.open(context);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Closes the store and opens it again, as after a restart. */
    void reopen() {
        store.close();
        context = Fixture.context(dir);
        store = open(context);
    }
}
