package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Issue 17 point 4, the library's decisions: a morning start on a start day starts the box through the start
 * path; a pause or the monthly cap skips it with one notice that says why and how to undo; other days and a
 * running box are left alone. (At the wire, across DST: local/'s MorningStartMonthTest.)
 */
class ScheduledStartTest {
    /** Monday 9 Mar 2026 08:30 in New York (EDT, the day after spring-forward). */
    static final Instant MONDAY_0830 = Instant.parse("2026-03-09T12:30:00Z");
    static final Tag WEEKDAYS = tag(BoxTags.START_TIME, "08:30 Mon-Fri");

    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> notices = new ArrayList<>();
    final FakeTime time = new FakeTime(MONDAY_0830);
    final BoxConfig config = Ec2Fixtures.config().withSettings(
            new BoxConfig.Settings("20:00", "America/New_York", null, null, null));

    ScheduledStart.Outcome run(Instance box, MonthlyBudget budget) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(null));
        when(ec2.startInstances(any(StartInstancesRequest.class))).thenReturn(StartInstancesResponse.builder().build());
        Notifier notifier = (subject, message) -> notices.add(subject + ": " + message);
        BoxControl control = new BoxControl(ec2, config, time, time, notifier, budget);
        return new ScheduledStart(control, config, time, notifier, budget).run();
    }

    Instance stopped(Tag... tags) {
        return box(BOX_ID, InstanceStateName.STOPPED, MONDAY_0830.minusSeconds(86_400), tags);
    }

    @Test
    void aStartDayStartsTheBoxWithoutANotice() {
        assertEquals(ScheduledStart.Outcome.STARTED, run(stopped(WEEKDAYS), MonthlyBudget.off(config)));
        verify(ec2).startInstances(any(StartInstancesRequest.class));
        assertEquals(List.of(), notices);
    }

    @Test
    void aPauseThroughTodaySkipsTheStartWithOneNoticeSayingHowToUndo() {
        Instance box = stopped(WEEKDAYS, tag(BoxTags.SCHEDULE_PAUSED_THROUGH, "2026-03-09"));
        assertEquals(ScheduledStart.Outcome.SKIPPED_PAUSED, run(box, MonthlyBudget.off(config)));
        verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        assertEquals(1, notices.size(), notices.toString());
        String notice = notices.get(0);
        assertTrue(notice.contains("paused through 2026-03-09") && notice.contains("DELETE /schedule/pause")
                && notice.contains("POST /start") && notice.contains("Tue 10 Mar 2026 08:30 America/New_York"), notice);
    }

    @Test
    void aPauseThatEndedYesterdayNoLongerSkips() {
        Instance box = stopped(WEEKDAYS, tag(BoxTags.SCHEDULE_PAUSED_THROUGH, "2026-03-08"));
        assertEquals(ScheduledStart.Outcome.STARTED, run(box, MonthlyBudget.off(config)));
    }

    @Test
    void theMonthlyCapSkipsTheStartWithOneNoticeNamingTheCap() {
        // $1 a month against 100,000 GiB of disk billed since the 1st: the cap is reached.
        MonthlyBudget capped = MonthlyBudget.inMemory(config, 1, 100_000, time);
        assertEquals(ScheduledStart.Outcome.SKIPPED_BUDGET, run(stopped(WEEKDAYS), capped));
        verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("MonthlyBudgetUsd") && notices.get(0).contains("raise"), notices.get(0));
    }

    /** Issue 18: AWS interrupted the Spot box; only EC2 restarts it, so the morning start says so and calls nothing. */
    @Test
    void anInterruptedSpotBoxSkipsTheStartWithOneNotice() {
        Instance interrupted = stopped(WEEKDAYS).toBuilder().instanceLifecycle(InstanceLifecycleType.SPOT)
                .spotInstanceRequestId("sir-0a1b2c3d")
                .stateReason(r -> r.code("Server.SpotInstanceShutdown").message("Server.SpotInstanceShutdown")).build();
        assertEquals(ScheduledStart.Outcome.SKIPPED_INTERRUPTED, run(interrupted, MonthlyBudget.off(config)));
        verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("interrupted by AWS; it restarts when capacity returns"), notices.get(0));
    }

    @Test
    void aWeekendDayOrARunningBoxIsLeftAlone() {
        time.set(Instant.parse("2026-03-08T12:30:00Z")); // Sunday 08:30 EDT
        assertEquals(ScheduledStart.Outcome.NOT_A_START_DAY, run(stopped(WEEKDAYS), MonthlyBudget.off(config)));
        time.set(MONDAY_0830);
        Instance running = box(BOX_ID, InstanceStateName.RUNNING, MONDAY_0830.minusSeconds(60), WEEKDAYS);
        assertEquals(ScheduledStart.Outcome.ALREADY_RUNNING, run(running, MonthlyBudget.off(config)));
        assertEquals(ScheduledStart.Outcome.NO_START_TIME, run(stopped(), MonthlyBudget.off(config)));
        verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        assertEquals(List.of(), notices);
    }
}
