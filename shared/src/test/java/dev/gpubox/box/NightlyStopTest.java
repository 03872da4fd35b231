package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.TAG_KEY;
import static dev.gpubox.box.Ec2Fixtures.TAG_VALUE;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** The nightly stop over a mocked Ec2Client. NOW is 20:00 Asia/Shanghai, the default stop time. */
@ExtendWith(MockitoExtension.class)
class NightlyStopTest {
    static final Instant BEFORE_TONIGHT = NOW.minusSeconds(3600);
    @Mock
    Ec2Client ec2;
    final FakeTime time = new FakeTime(NOW);
    final List<String> notices = new ArrayList<>();

    @BeforeEach
    void tagsAlwaysWork() {
        lenient().when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
    }

    private static String id(int n) {
        return String.format("i-%017x", n);
    }

    private SweepReport run(Duration budget) {
        return new NightlyStop(ec2, config(), (subject, message) -> notices.add(message), time, time).run(budget);
    }

    private void given(Instance... boxes) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, boxes));
    }

    @Test
    void findsBoxesByTagAcrossPagesAndStopsOnlyRunningOnesThatAreDue() {
        time.set(NOW.plus(Duration.ofMinutes(30))); // a late run: 20:30
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instancesPage("page-2", box(id(1), InstanceStateName.RUNNING), box(id(2), InstanceStateName.STOPPED)),
                instancesPage(null, box(id(3), InstanceStateName.STOPPING), box(id(4), InstanceStateName.RUNNING),
                        box(id(5), InstanceStateName.RUNNING, NOW.plus(Duration.ofMinutes(10)))));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());

        SweepReport report = run(Duration.ofSeconds(60));

        assertEquals(List.of(id(1), id(4)), report.stopped());
        assertEquals(List.of(id(2), id(3)), report.alreadyStopped());
        assertTrue(report.skipped().get(id(5)).startsWith("not due until"), "started after 20:00: tomorrow's stop");
        ArgumentCaptor<DescribeInstancesRequest> describes = ArgumentCaptor.forClass(DescribeInstancesRequest.class);
        verify(ec2, times(2)).describeInstances(describes.capture());
        DescribeInstancesRequest first = describes.getAllValues().get(0);
        assertTrue(first.instanceIds().isEmpty(), "boxes are found by tag, never by pasted ids");
        assertTrue(first.filters().contains(Filter.builder().name("tag:" + TAG_KEY).values(TAG_VALUE).build()));
        assertEquals("page-2", describes.getAllValues().get(1).nextToken());
        verify(ec2).stopInstances(Ec2Fixtures.sdkFields(StopInstancesRequest.builder().instanceIds(id(1), id(4)).build()));
        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(id(1), id(4))
                .tags(tag(BoxTags.STOP_REASON, "schedule@" + NOW)).build()));
        assertEquals(List.of(), notices, "stop notices come from EC2's stopped events, not from here");
        assertTrue(report.summary().startsWith("gpubox scheduled stop: stopped 2 [" + id(1) + ", " + id(4) + "]"));
    }

    @Test
    void stopsInBatchesOfFifty() {
        given(IntStream.range(0, 120).mapToObj(n -> box(id(n), InstanceStateName.RUNNING)).toArray(Instance[]::new));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());

        assertEquals(120, run(Duration.ofSeconds(60)).stopped().size());
        verify(ec2, times(3)).stopInstances(any(StopInstancesRequest.class));
        verify(ec2, never()).stopInstances(argThat((StopInstancesRequest r) -> r.instanceIds().size() > 50));
    }

    @Test
    void oneBoxThatCannotBeStoppedDoesNotKeepTheOthersRunningAndIsNoticedOnce() {
        given(box(id(1), InstanceStateName.RUNNING), box(id(2), InstanceStateName.RUNNING),
                box(id(3), InstanceStateName.RUNNING));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenAnswer(call -> {
            StopInstancesRequest request = call.getArgument(0);
            if (request.instanceIds().contains(id(2))) {
                throw awsError("UnauthorizedOperation", 403);
            }
            return StopInstancesResponse.builder().build();
        });

        SweepReport report = run(Duration.ofSeconds(60));

        assertEquals(List.of(id(1), id(3)), report.stopped());
        assertEquals(List.of(id(2)), List.copyOf(report.failed().keySet()));
        assertTrue(report.failed().get(id(2)).contains("UnauthorizedOperation"));
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).startsWith("gpubox could not stop GPU box gpubox-gpu") && notices.get(0)
                .contains("still running (1 h 0 min, ~$0.53 so far)"), notices.get(0));
        // Issue 14 point 8: stopping it by hand wipes a g4dn's local NVMe too.
        assertTrue(notices.get(0).endsWith("stop it yourself if it must be off now. Stopping wipes its instance store"
                + " (125 GB NVMe at /opt/dlami/nvme): copy what you need from there to the EBS disk first."),
                notices.get(0));
        assertEquals(List.of(), time.sleeps, "a permanent error is not retried");
    }

    @Test
    void transientFailuresAreRetriedWithinTheBudget() {
        given(box(id(1), InstanceStateName.RUNNING));
        when(ec2.stopInstances(any(StopInstancesRequest.class)))
                .thenThrow(awsError("RequestLimitExceeded", 503), awsError("InternalError", 500))
                .thenReturn(StopInstancesResponse.builder().build());

        SweepReport report = run(Duration.ofSeconds(60));

        assertEquals(List.of(id(1)), report.stopped());
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(4)), time.sleeps);
        assertEquals(List.of(), notices);
    }

    @Test
    void aPendingBoxIsStoppedOnceItIsRunning() {
        given(box(id(1), InstanceStateName.PENDING, BEFORE_TONIGHT));
        when(ec2.stopInstances(any(StopInstancesRequest.class)))
                .thenThrow(awsError("IncorrectInstanceState", 400))
                .thenReturn(StopInstancesResponse.builder().build());
        assertEquals(List.of(id(1)), run(Duration.ofSeconds(60)).stopped());
    }

    @Test
    void transientFailuresPastTheBudgetAreReportedAndNoticed() {
        given(box(id(1), InstanceStateName.RUNNING));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenThrow(awsError("RequestLimitExceeded", 503));

        SweepReport report = run(Duration.ofSeconds(20));

        assertTrue(report.hasFailures());
        assertTrue(Duration.between(NOW, time.instant()).compareTo(Duration.ofSeconds(20)) <= 0, "kept to its budget");
        assertEquals(1, notices.size());
    }

    @Test
    void aSnoozedBoxIsSkippedWithOneNoticeAndStoppedAtTheSnoozeEnd() {
        Instant snoozeEnd = NOW.plus(Duration.ofMinutes(210)); // 23:30 Shanghai
        given(box(id(1), InstanceStateName.RUNNING, BEFORE_TONIGHT, tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(snoozeEnd, BEFORE_TONIGHT))));

        SweepReport report = run(Duration.ofSeconds(60));

        assertEquals(List.of(), report.stopped());
        assertEquals("snoozed until " + snoozeEnd, report.skipped().get(id(1)));
        assertEquals(List.of("Tonight's 20:00 Asia/Shanghai stop skipped GPU box gpubox-gpu (g4dn.xlarge): it is"
                + " snoozed until 23:30 Asia/Shanghai, and gpubox will stop it then. Up 1 h 0 min, ~$0.53 so far."
                + " Stopping wipes its instance store (125 GB NVMe at /opt/dlami/nvme): copy what you need from there"
                + " to the EBS disk first."),
                notices);
        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(id(1))
                .tags(tag(BoxTags.SKIP_NOTICED, NOW.toString())).build()));
        verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
    }

    @Test
    void aSkipAlreadyNoticedIsNotNoticedAgain() {
        given(box(id(1), InstanceStateName.RUNNING, BEFORE_TONIGHT,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(NOW.plusSeconds(3600), BEFORE_TONIGHT)), tag(BoxTags.SKIP_NOTICED, NOW.toString())));
        run(Duration.ofSeconds(60));
        assertEquals(List.of(), notices);
    }

    @Test
    void whenTheSnoozeEndsTheBoxStopsWithThatReason() {
        time.set(NOW.plus(Duration.ofMinutes(210)));
        given(box(id(1), InstanceStateName.RUNNING, BEFORE_TONIGHT,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(NOW.plus(Duration.ofMinutes(210)), BEFORE_TONIGHT))));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());

        assertEquals(List.of(id(1)), run(Duration.ofSeconds(60)).stopped());
        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(id(1))
                .tags(tag(BoxTags.STOP_REASON, "snooze@" + NOW.plus(Duration.ofMinutes(210)))).build()));
    }

    @Test
    void aStaleSnoozeFromAnEarlierRunIsIgnored() {
        given(box(id(1), InstanceStateName.RUNNING, BEFORE_TONIGHT,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(NOW.minus(Duration.ofDays(1)), NOW.minus(Duration.ofDays(1)).minusSeconds(3600)))));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        assertEquals(List.of(id(1)), run(Duration.ofSeconds(60)).stopped());
    }

    @Test
    void withoutTheManagementTagNothingIsCalled() {
        NightlyStop stop = new NightlyStop(ec2, new BoxConfig("i-1", null, null, null, "ubuntu"), Notifier.NONE, time, time);
        assertEquals(ErrorCode.MISCONFIGURED, assertThrows(BoxException.class, () -> stop.run(Duration.ZERO)).error());
        verifyNoInteractions(ec2);
    }

    @Test
    void listingFailureIsMappedReportedAndNoticedNotThrownRaw() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenThrow(awsError("RequestLimitExceeded", 503));
        SweepReport report = run(Duration.ZERO);
        assertTrue(report.hasFailures());
        assertTrue(report.failed().values().iterator().next().contains("throttling"), report.summary());
        assertEquals(1, notices.size(), "the run that could not check any box says so");
    }

    @Test
    void summaryNamesEveryOutcome() {
        SweepReport report = new SweepReport(List.of("i-1"), List.of("i-2"), Map.of("i-3", "snoozed until x"),
                Map.of("i-4", "denied"));
        assertEquals("gpubox scheduled stop: stopped 1 [i-1]; already stopped 1 [i-2]; skipped 1 [i-3 (snoozed until x)];"
                + " failed 1 [i-4 (denied)]", report.summary());
    }
}
