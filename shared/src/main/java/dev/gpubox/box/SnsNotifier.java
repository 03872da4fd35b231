package dev.gpubox.box;

import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/**
 * Notices through the stack's SNS topic (email, or any subscription the user adds). The client is asked
 * for only when a notice is sent, so functions that rarely send one do not build it at cold start.
 */
public final class SnsNotifier implements Notifier {
    /** SNS caps email subjects at 100 characters. */
    private static final int MAX_SUBJECT = 100;

    private final Supplier<SnsClient> sns;
    private final String topicArn;

    public SnsNotifier(Supplier<SnsClient> sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(String subject, String message) {
        sns.get().publish(request(subject, message).build());
    }

    @Override
    public void publish(String subject, String message, Duration timeout) {
        sns.get().publish(request(subject, message).overrideConfiguration(TimeBudget.overrides(timeout)).build());
    }

    private PublishRequest.Builder request(String subject, String message) {
        String s = subject.length() <= MAX_SUBJECT ? subject : subject.substring(0, MAX_SUBJECT - 1) + "…";
        return PublishRequest.builder().topicArn(topicArn).subject(s).message(message);
    }
}
