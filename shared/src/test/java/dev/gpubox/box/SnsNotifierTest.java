package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;

class SnsNotifierTest {
    @Test
    void publishesToTheTopicAndBuildsTheClientOnlyWhenNeeded() {
        SnsClient sns = mock(SnsClient.class);
        AtomicInteger built = new AtomicInteger();
        SnsNotifier notifier = new SnsNotifier(() -> {
            built.incrementAndGet();
            return sns;
        }, "arn:aws:sns:us-west-2:123456789012:gpubox-NoticesTopic");
        assertEquals(0, built.get(), "no client at cold start");
        notifier.publish("gpubox: " + "x".repeat(200), "GPU box stopped.");
        ArgumentCaptor<PublishRequest> request = ArgumentCaptor.forClass(PublishRequest.class);
        verify(sns).publish(request.capture());
        assertEquals("arn:aws:sns:us-west-2:123456789012:gpubox-NoticesTopic", request.getValue().topicArn());
        assertEquals(100, request.getValue().subject().length(), "SNS caps subjects at 100 characters");
        assertEquals("GPU box stopped.", request.getValue().message());
    }
}
