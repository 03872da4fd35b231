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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** Issue 8 point 3: a box started after tonight's stop runs LateStartHours, not until tomorrow night. */
class LateStartTest {
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    /** 21:13:27 Shanghai, an hour and a bit after the 20:00 stop (NOW). */
    static final Instant LATE = NOW.plusSeconds(3600 + 13 * 60 + 27);

    static StopPolicy policy(int lateStartHours) {
        return new StopPolicy(LocalTime.of(20, 0), SHANGHAI, Duration.ofHours(12), Duration.ofHours(lateStartHours));
    }

    @Test
    void aLateStartStopsLateStartHoursLaterOnAWholeMinute() {
        assertEquals(Instant.parse("2026-11-29T17:14:00Z"), policy(4).deadline(LATE, null), "01:14 Shanghai");
        assertTrue(policy(4).isLateStart(LATE));
    }

    @Test
    void zeroKeepsTheNextShutdownTime() {
        assertEquals(NOW.plus(Duration.ofDays(1)), policy(0).deadline(LATE, null));
    }

    @Test
    void aStartBeforeTheDaysStopStillStopsAtShutdownTime() {
        assertEquals(NOW, policy(4).deadline(NOW.minusSeconds(600), null));
        assertEquals(NOW, policy(4).deadline(NOW.minus(Duration.ofHours(15)), null), "05:00 start: 20:00 stop");
    }

    @Test
    void aSnoozeWins() {
        Instant snooze = LATE.plus(Duration.ofHours(6));
        assertEquals(snooze, policy(4).deadline(LATE, snooze));
    }

    @Test
    void theEnvironmentSetsIt() {
        BoxConfig config = BoxConfig.from(Map.of(BoxConfig.LATE_START_HOURS, "2", BoxConfig.TIMEZONE, "UTC"));
        assertEquals(Duration.ofHours(2), config.policy().lateStart());
        assertEquals(Duration.ofHours(4), BoxConfig.from(Map.of(BoxConfig.TIMEZONE, "UTC")).policy().lateStart(),
                "the template's default");
        assertEquals(ErrorCode.MISCONFIGURED, org.junit.jupiter.api.Assertions.assertThrows(BoxException.class,
                () -> BoxConfig.from(Map.of(BoxConfig.LATE_START_HOURS, "-1")).policy()).error());
    }

    @Test
    void theNightlyStopStopsALateStartAtItsDeadlineAndTheNoticeSaysWhy() {
        Ec2Client ec2 = mock(Ec2Client.class);
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instancesPage(null, box(BOX_ID, InstanceStateName.RUNNING, LATE)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        FakeTime time = new FakeTime(Instant.parse("2026-11-29T17:15:00Z")); // the 01:15 sweep

        SweepReport report = new NightlyStop(ec2, config(), Notifier.NONE, time, time).run(Duration.ofSeconds(30));

        assertEquals(List.of(BOX_ID), report.stopped(), "not left running until tomorrow's 20:00");
        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(BOX_ID)
                .tags(tag(BoxTags.STOP_REASON, "late-start@2026-11-29T17:14:00Z")).build()));

        Ec2Client notices = mock(Ec2Client.class);
        when(notices.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.STOPPED, LATE, tag(BoxTags.STOP_REASON, "late-start@2026-11-29T17:14:00Z"))));
        String notice = new StateChangeNotices(notices, config(), Notifier.NONE)
                .onStateChange(BOX_ID, "stopped", time.instant().plusSeconds(60));
        assertTrue(notice.contains("was stopped at 01:14 Asia/Shanghai") && notice.contains("LateStartHours"), notice);
    }

    @Test
    void startAndStatusSayWhenItStops() {
        Ec2Client ec2 = mock(Ec2Client.class);
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(BOX_ID, InstanceStateName.STOPPED, NOW.minusSeconds(7200))),
                instances(box(BOX_ID, InstanceStateName.PENDING, LATE)));
        when(ec2.startInstances(any(software.amazon.awssdk.services.ec2.model.StartInstancesRequest.class)))
                .thenReturn(software.amazon.awssdk.services.ec2.model.StartInstancesResponse.builder().build());
        BoxControl control = new BoxControl(ec2, config(), new FakeTime(LATE), d -> { });

        ActionResult start = control.start(0);

        assertTrue(start.message().contains("It stops at Mon 01:14 Asia/Shanghai (4 h 0 min after a start past the"
                + " nightly stop)"), start.message());
        assertEquals(Instant.parse("2026-11-29T17:14:00Z"), start.box().nextAutomaticStop());
        assertTrue(start.box().summary().contains("it stops at Mon 01:14 Asia/Shanghai"), start.box().summary());
    }
}
