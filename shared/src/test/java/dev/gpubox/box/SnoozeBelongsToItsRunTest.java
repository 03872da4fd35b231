package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/**
 * Issue 15, point 1: a snooze ends with the run it was set in. NOW is 20:00 Asia/Shanghai, the nightly stop.
 * Each box here was snoozed in an earlier run (launched at 10:00, stopped by hand), then started again: that
 * snooze must neither stop the new run early nor keep it past the nightly stop.
 */
@ExtendWith(MockitoExtension.class)
class SnoozeBelongsToItsRunTest {
    static final Instant EARLIER_RUN = NOW.minus(Duration.ofHours(10)); // 10:00
    static final Instant NEW_RUN = NOW.minus(Duration.ofMinutes(60)); // 19:00
    @Mock
    Ec2Client ec2;
    final List<String> notices = new ArrayList<>();

    @BeforeEach
    void tagsWork() {
        lenient().when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        lenient().when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
    }

    private static Instance restartedAfterASnoozeUntil(Instant snoozeEnd) {
        return box(BOX_ID, InstanceStateName.RUNNING, NEW_RUN,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(snoozeEnd, EARLIER_RUN)));
    }

    private SweepReport sweepAt(Instant now, Instance box) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, box));
        FakeTime time = new FakeTime(now);
        return new NightlyStop(ec2, config(), (s, m) -> notices.add(m), time, time).run(Duration.ofSeconds(30));
    }

    @Test
    void anOldSnoozeEndingAfterTheNewStartDoesNotStopTheNewRunAtItsEnd() {
        // The earlier run's "snooze 30 min" ended at 19:05, five minutes into the new run.
        SweepReport report = sweepAt(NEW_RUN.plus(Duration.ofMinutes(6)),
                restartedAfterASnoozeUntil(NEW_RUN.plus(Duration.ofMinutes(5))));
        assertEquals(List.of(), report.stopped(), report.toString());
        verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
    }

    @Test
    void anOldSnoozeLaterThanTheNightlyStopDoesNotMakeTheNightlyStopSkipTheNewRun() {
        SweepReport report = sweepAt(NOW, restartedAfterASnoozeUntil(NOW.plus(Duration.ofMinutes(210)))); // 23:30
        assertEquals(List.of(BOX_ID), report.stopped(), report.toString());
        assertEquals(List.of(), notices, "no 'kept on (snoozed)' notice for a snooze of another run");
    }

    @Test
    void statusAndStartOfTheNewRunAnswerTheNightlyTime() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(restartedAfterASnoozeUntil(NOW.plus(Duration.ofMinutes(210)))));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        BoxStatus status = new BoxControl(ec2, config(), Clock.fixed(NEW_RUN.plusSeconds(60), ZoneOffset.UTC),
                d -> { }).status();
        assertNull(status.snoozedUntil());
        assertEquals(NOW, status.nextAutomaticStop());
    }

    @Test
    void aSnoozeRecordsTheRunItWasSetInAndCountsForThatRun() {
        Instance running = box(BOX_ID, InstanceStateName.RUNNING, NEW_RUN);
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(running));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        new BoxControl(ec2, config(), Clock.fixed(NEW_RUN.plusSeconds(60), ZoneOffset.UTC), d -> { })
                .snooze(null, "30");
        Instant end = NEW_RUN.plus(Duration.ofMinutes(31));
        verify(ec2).createTags(CreateTagsRequest.builder().resources(BOX_ID)
                .tags(tag(BoxTags.SNOOZE_UNTIL, end + " " + NEW_RUN)).build());
        Instance snoozed = box(BOX_ID, InstanceStateName.RUNNING, NEW_RUN,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(end, NEW_RUN)));
        assertEquals(end, BoxTags.activeSnooze(snoozed));
    }

    @Test
    void aSnoozeTagWithoutItsRunIsIgnoredSoTheNightlyStopHolds() {
        // Written by gpubox before snoozes named their run, or by hand in the console.
        Instance legacy = box(BOX_ID, InstanceStateName.RUNNING, NEW_RUN,
                tag(BoxTags.SNOOZE_UNTIL, NOW.plus(Duration.ofMinutes(210)).toString()));
        assertNull(BoxTags.activeSnooze(legacy));
        assertEquals(List.of(BOX_ID), sweepAt(NOW, legacy).stopped());
    }

    @Test
    void cancellingAnotherRunsSnoozeSaysNotSnoozedAndWritesNothing() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(restartedAfterASnoozeUntil(NOW.plus(Duration.ofMinutes(210)))));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        ActionResult result = new BoxControl(ec2, config(), Clock.fixed(NEW_RUN.plusSeconds(60), ZoneOffset.UTC),
                d -> { }).cancelSnooze();
        assertEquals("not_snoozed", result.result());
        verify(ec2, never()).deleteTags(any(DeleteTagsRequest.class));
        assertTrue(result.box().summary().contains("20:00"), result.box().summary());
    }
}
