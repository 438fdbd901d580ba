package org.skipstore.kafka.streams.internal;

import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.skipstore.core.SkipstoreException;

/**
 * The one translation of the engine's failures into Kafka Streams' exceptions: a closed engine is
 * an {@link InvalidStateStoreException} (what Kafka Streams expects of a closed store: interactive
 * queries retry on it), anything else a {@link ProcessorStateException} with the engine's
 * exception as its cause.
 */
public final class Failures {

    private Failures() {
    }

    /**
     * {@code e}, met by store {@code store} while {@code doing}, as Kafka Streams' exception: a
     * {@link SkipstoreException}, or an {@link IllegalArgumentException} of the engine's checks.
     */
    public static StreamsException of(String store, String doing, RuntimeException e) {
        String message = "Skipstore store " + store + " failed " + doing + ": " + e.getMessage();
        if (e instanceof SkipstoreException s && s.problem() == SkipstoreException.Problem.CLOSED) {
            return new InvalidStateStoreException(message, e);
        }
        return new ProcessorStateException(message, e);
    }

    /** The exception of any use of store {@code store} once it is closed. */
    public static InvalidStateStoreException closed(String store) {
        return new InvalidStateStoreException("Skipstore store " + store + " is not open");
    }
}
