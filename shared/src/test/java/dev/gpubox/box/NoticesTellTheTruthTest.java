package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** Issue 8 point 6: what a notice or reply says is what happened. NOW is 20:00 Asia/Shanghai. */
class NoticesTellTheTruthTest {
    static final Pattern SECONDS = Pattern.compile("\\d\\d:\\d\\d:\\d\\d");
    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> notices = new ArrayList<>();

    {
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
    }

    @Test
    void aFailedNightlyStopRecordsNoStopReason() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instancesPage(null, box(InstanceStateName.RUNNING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenThrow(awsError("UnauthorizedOperation", 403));
        FakeTime time = new FakeTime(NOW);

        new NightlyStop(ec2, config(), (s, m) -> notices.add(m), time, time).run(Duration.ofSeconds(30));

        // Otherwise a manual stop afterwards would be announced as "stopped by the nightly 20:00 stop".
        verify(ec2, never()).createTags(argThat((CreateTagsRequest r) ->
                r.tags().stream().anyMatch(t -> t.key().equals(BoxTags.STOP_REASON))));
    }

    @Test
    void aStopThatHappenedRecordsItsReason() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instancesPage(null, box(InstanceStateName.RUNNING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        FakeTime time = new FakeTime(NOW);

        new NightlyStop(ec2, config(), Notifier.NONE, time, time).run(Duration.ofSeconds(30));

        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(BOX_ID)
                .tags(tag(BoxTags.STOP_REASON, "schedule@" + NOW)).build()));
    }

    @Test
    void noStopBeforeTheSnoozeEndEvenByAFewSeconds() {
        Instant snoozeEnd = NOW.plusSeconds(3600);
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                box(BOX_ID, InstanceStateName.RUNNING, NOW.minusSeconds(7200),
                        tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(snoozeEnd, NOW.minusSeconds(7200))), tag(BoxTags.SKIP_NOTICED, NOW.toString()))));
        FakeTime time = new FakeTime(snoozeEnd.minusSeconds(30));

        SweepReport report = new NightlyStop(ec2, config(), Notifier.NONE, time, time).run(Duration.ofSeconds(30));

        assertEquals(List.of(), report.stopped(), "30 s before the snooze end is not its end");
        verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
    }

    @Test
    void aSnoozeOfMinutesEndsOnAWholeMinuteAndEveryMessageShowsHoursAndMinutes() {
        Instant odd = NOW.minusSeconds(2 * 3600).plusSeconds(29).plusNanos(731_835_654); // 18:00:29.73
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.RUNNING, odd.minusSeconds(600))));
        BoxControl control = new BoxControl(ec2, config(), new FakeTime(odd), d -> { });

        ActionResult result = control.snooze(null, "5");

        assertFalse(SECONDS.matcher(result.message()).find(), result.message());
        ArgumentCaptor<CreateTagsRequest> tagged = ArgumentCaptor.forClass(CreateTagsRequest.class);
        verify(ec2).createTags(tagged.capture());
        Instant end = Instant.parse(tagged.getValue().tags().get(0).value().split(" ")[0]); // "END RUN"
        assertEquals(Instant.parse("2026-11-29T10:06:00Z"), end, "at least 5 minutes, ending on the minute");
        assertTrue(result.message().contains("18:06 Asia/Shanghai"), result.message());
    }

    @Test
    void aSnoozeThatMovesTheStopEarlierSaysSo() {
        Instant six = NOW.minusSeconds(2 * 3600); // 18:00 Shanghai, the box is due at 20:00
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.RUNNING, six.minusSeconds(3600))));
        BoxControl control = new BoxControl(ec2, config(), new FakeTime(six), d -> { });

        String message = control.snooze("18:30", null).message();

        assertTrue(message.contains("earlier") && message.contains("18:30") && message.contains("20:00"), message);
    }

    @Test
    void costIsNeverNegativeWhenTheEventPredatesTheLaunch() {
        assertEquals(0.0, new Pricing(null).cost("g5.xlarge", Duration.ofMinutes(-10)));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.STOPPED, NOW.plusSeconds(120))));
        String notice = new StateChangeNotices(ec2, config(), (s, m) -> notices.add(m))
                .onStateChange(BOX_ID, "stopped", NOW);
        assertTrue(notice.contains("~$0.00") && !notice.contains("$-"), notice);
    }

    @Test
    void stopNoticesShowHoursAndMinutesOnly() {
        Instant odd = NOW.plusSeconds(17).plusNanos(5);
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.STOPPED, NOW.minusSeconds(3600),
                        tag(BoxTags.STOP_REASON, "snooze@" + odd))));
        String notice = new StateChangeNotices(ec2, config(), Notifier.NONE).onStateChange(BOX_ID, "stopped", odd);
        assertTrue(notice.contains("(20:00 Asia/Shanghai)"), notice);
        assertFalse(SECONDS.matcher(notice).find(), notice);
    }
}
