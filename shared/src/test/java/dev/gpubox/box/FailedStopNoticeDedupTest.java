package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static dev.gpubox.box.Ec2Fixtures.sdkFields;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;

/** Issue 8 point 5: a failing stop is noticed once per box and deadline, then reminded at most hourly. */
class FailedStopNoticeDedupTest {
    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> subjects = new ArrayList<>();

    /** Tonight's 20:00 stop of a box that started at 19:00, failing at {@code at}; the box carries {@code noticed}. */
    private void failAt(Instant at, String noticed) {
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, noticed == null
                ? box(BOX_ID, InstanceStateName.RUNNING, NOW.minusSeconds(3600))
                : box(BOX_ID, InstanceStateName.RUNNING, NOW.minusSeconds(3600),
                tag(BoxTags.STOP_FAILED_NOTICED, noticed))));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenThrow(awsError("UnauthorizedOperation", 403));
        FakeTime time = new FakeTime(at);
        new NightlyStop(ec2, config(), (s, m) -> subjects.add(s), time, time).run(Duration.ofSeconds(30));
    }

    @Test
    void theFirstFailureIsNoticedAndRecorded() {
        failAt(NOW, null);
        assertEquals(1, subjects.size());
        verify(ec2).createTags(sdkFields(CreateTagsRequest.builder().resources(BOX_ID)
                .tags(tag(BoxTags.STOP_FAILED_NOTICED, NOW + " " + NOW)).build()));
    }

    @Test
    void theSameDeadlineFailingWithinTheHourIsQuiet() {
        failAt(NOW.plus(Duration.ofMinutes(55)), NOW + " " + NOW);
        assertEquals(List.of(), subjects);
    }

    @Test
    void anHourLaterAReminderGoesOut() {
        failAt(NOW.plus(Duration.ofMinutes(60)), NOW + " " + NOW);
        assertEquals(1, subjects.size());
        assertEquals(true, subjects.get(0).startsWith("gpubox: still could not stop"), subjects.get(0));
    }

    @Test
    void aNewNightIsANewProblem() {
        Instant yesterday = NOW.minus(Duration.ofDays(1));
        failAt(NOW.plus(Duration.ofMinutes(5)), yesterday + " " + yesterday.plus(Duration.ofMinutes(50)));
        assertEquals(1, subjects.size());
        assertEquals(true, subjects.get(0).startsWith("gpubox: could not stop"), subjects.get(0));
    }

    @Test
    void anUnreadableRecordIsAFreshNotice() {
        failAt(NOW, "garbage");
        assertEquals(1, subjects.size());
    }
}
