package dev.gpubox.box;

/** Tells the user something: one subject, one human sentence. */
@FunctionalInterface
public interface Notifier {
    /** For a stack without a notice topic: notices are only logged. */
    Notifier NONE = (subject, message) -> { };

    void publish(String subject, String message);
}
