package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;

/** After the budget: few failed boxes get a notice each, many get one combined notice, one tag write records them. */
class NightlyStopWrapUpTest {
    final Ec2Client ec2 = mock(Ec2Client.class);
    final FakeTime time = new FakeTime(NOW);
    final List<String> subjects = new ArrayList<>();
    final List<String> messages = new ArrayList<>();

    private void failing(int boxes) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                IntStream.range(0, boxes).mapToObj(n -> box(String.format("i-%017x", n), InstanceStateName.RUNNING,
                        NOW.minusSeconds(3600))).toArray(Instance[]::new)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenThrow(awsError("UnauthorizedOperation", 403));
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        new NightlyStop(ec2, config(), (s, m) -> {
            subjects.add(s);
            messages.add(m);
        }, time, time).run(Duration.ofSeconds(30));
    }

    @Test
    void upToThreeFailedBoxesGetANoticeEach() {
        failing(3);
        assertEquals(3, subjects.size(), subjects.toString());
        verify(ec2, times(1)).createTags(argThat((CreateTagsRequest r) -> r.resources().size() == 3
                && r.tags().get(0).key().equals(BoxTags.STOP_FAILED_NOTICED)));
    }

    @Test
    void moreGetOneCombinedNoticeAndOneTagWrite() {
        failing(40);
        assertEquals(List.of("gpubox: could not stop 40 boxes"), subjects);
        assertTrue(messages.get(0).contains("\nStopping wipes the instance store (NVMe at /opt/dlami/nvme) of those"
                + " that have one (such as g4dn.xlarge)"), "issue 14 point 8: " + messages.get(0));
        verify(ec2, times(1)).createTags(any(CreateTagsRequest.class));
        verify(ec2).createTags(argThat((CreateTagsRequest r) -> r.resources().size() == 40));
    }

    @Test
    void aSpentBudgetTriesNoStopAtAll() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                box("i-00000000000000001", InstanceStateName.RUNNING, NOW.minusSeconds(3600))));
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());

        SweepReport report = new NightlyStop(ec2, config(), (s, m) -> subjects.add(s), time, time)
                .run(Duration.ofMillis(500), Duration.ofSeconds(10));

        verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
        assertTrue(report.failed().get("i-00000000000000001").startsWith("not tried"), report.summary());
        assertEquals(1, subjects.size(), "still noticed: " + subjects);
    }
}
