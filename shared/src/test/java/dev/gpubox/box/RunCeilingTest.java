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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
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
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** Issue 15, point 2: no run outlasts launch + MaxRunHours (default 24), whoever holds the key. */
@ExtendWith(MockitoExtension.class)
class RunCeilingTest {
    @Mock
    Ec2Client ec2;
    final List<String> notices = new ArrayList<>();

    @BeforeEach
    void ec2Answers() {
        lenient().when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        lenient().when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        lenient().when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
    }

    private BoxControl controlAt(Instant now, Instance box) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box));
        return new BoxControl(ec2, config(), Clock.fixed(now, ZoneOffset.UTC), d -> { });
    }

    @Test
    void theDefaultCeilingIs24HoursAndZeroTurnsItOff() {
        StopPolicy policy = StopPolicy.parse(null, null, null, null, null);
        assertEquals(Duration.ofHours(24), policy.maxRun());
        Instant launched = Instant.parse("2026-11-29T01:00:30Z");
        assertEquals(Instant.parse("2026-11-30T01:00:00Z"), policy.ceiling(launched), "on the whole minute before");
        assertNull(StopPolicy.parse(null, null, null, null, "0").ceiling(launched));
        BoxException bad = assertThrows(BoxException.class, () -> StopPolicy.parse(null, null, null, null, "200"));
        assertEquals(ErrorCode.MISCONFIGURED, bad.error());
        assertTrue(bad.getMessage().contains("MaxRunHours (GPUBOX_MAX_RUN_HOURS)"), bad.getMessage());
    }

    @Test
    void everyAutomaticDeadlineIsCappedAtTheCeiling() {
        // LateStartHours 0 keeps a late start on until the next nightly stop: 23 h 59 min after 20:01, and
        // 24 h 59 min across the night New York's clocks go back. The ceiling cuts the long one.
        StopPolicy policy = new StopPolicy(LocalTime.of(20, 0), ZoneId.of("America/New_York"), Duration.ofHours(12),
                Duration.ZERO);
        Instant dstEve = Instant.parse("2026-11-01T00:01:00Z"); // Sat 20:01 EDT, the eve of the change
        assertEquals(dstEve.plus(Duration.ofHours(24)), policy.deadline(dstEve, null));
        assertTrue(policy.stopsByCeiling(dstEve, null));
        assertEquals(policy.nextStopAfter(dstEve), policy.withMaxRun(Duration.ZERO).deadline(dstEve, null));
        // A snooze tag past the ceiling (set under a larger MaxRunHours, or edited by hand) is capped too.
        Instant launched = NOW.minus(Duration.ofHours(20));
        assertEquals(launched.plus(Duration.ofHours(24)), policy.deadline(launched, NOW.plus(Duration.ofHours(10))));
    }

    @Test
    void aSnoozePastTheCeilingIsRefusedWithWhereTheLimitIsSetAndNothingIsWritten() {
        Instance box = box(BOX_ID, InstanceStateName.RUNNING, NOW.minus(Duration.ofHours(20)));
        BoxException refused = assertThrows(BoxException.class, () -> controlAt(NOW, box).snooze(null, "720"));
        assertEquals(ErrorCode.RUN_LIMIT, refused.error());
        assertEquals(409, refused.error().httpStatus());
        assertTrue(refused.getMessage().startsWith("A run may last at most 24 h 0 min (MaxRunHours, a parameter of the"
                + " stack): this one started at 00:00 Asia/Shanghai, so it stops by Mon 00:00 Asia/Shanghai at the"
                + " latest, and minutes='720' is later."), refused.getMessage());
        verify(ec2, never()).createTags(any(CreateTagsRequest.class));
    }

    @Test
    void aSnoozeUpToTheCeilingIsAccepted() {
        Instance box = box(BOX_ID, InstanceStateName.RUNNING, NOW.minus(Duration.ofHours(20)));
        assertEquals("snoozed", controlAt(NOW, box).snooze(null, "240").result()); // ends exactly at the ceiling
    }

    @Test
    void theSweepStopsARunPastItsCeilingWhateverItsSnoozeSays() {
        Instant launched = NOW.minus(Duration.ofHours(24)).minusSeconds(60);
        Instance box = box(BOX_ID, InstanceStateName.RUNNING, launched,
                tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(NOW.plus(Duration.ofHours(3)), launched)));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, box));
        FakeTime time = new FakeTime(NOW);
        SweepReport report = new NightlyStop(ec2, config(), (s, m) -> notices.add(m), time, time)
                .run(Duration.ofSeconds(30));
        assertEquals(List.of(BOX_ID), report.stopped());
        verify(ec2).createTags(Ec2Fixtures.sdkFields(CreateTagsRequest.builder().resources(BOX_ID)
                .tags(tag(BoxTags.STOP_REASON, "max-run@" + launched.plus(Duration.ofHours(24)))).build()));
    }

    @Test
    void theStoppedNoticeNamesTheCeiling() {
        Instant launched = NOW.minus(Duration.ofHours(24));
        Instance stopped = box(BOX_ID, InstanceStateName.STOPPED, launched,
                tag(BoxTags.STOP_REASON, "max-run@" + NOW));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(stopped));
        String message = new StateChangeNotices(ec2, config(), (s, m) -> notices.add(m))
                .onStateChange(BOX_ID, "stopped", NOW.plusSeconds(60));
        assertTrue(message.contains("was stopped at 20:00 Asia/Shanghai: one run may last at most 24 h 0 min"
                + " (MaxRunHours), snoozed or not."), message);
    }
}
