package dev.gpubox.box;

import java.time.Duration;

/** Tells the user something: one subject, one human sentence. */
@FunctionalInterface
public interface Notifier {
    /** For a stack without a notice topic: notices are only logged. */
    Notifier NONE = (subject, message) -> { };

    void publish(String subject, String message);

    /**
     * The same, giving up after {@code timeout}: a notice sent in a run's last seconds must not outlast them.
     * Notifiers that cannot hang (logging, tests) ignore it.
     */
    default void publish(String subject, String message, Duration timeout) {
        publish(subject, message);
    }
}
