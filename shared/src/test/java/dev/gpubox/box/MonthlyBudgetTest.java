package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** The month's spend and MonthlyBudgetUsd: the month is the stack zone's, the cap stops and refuses. */
@ExtendWith(MockitoExtension.class)
class MonthlyBudgetTest {
    /** 1 Dec 00:00 in Asia/Shanghai (the default zone) is 30 Nov 16:00 UTC. */
    static final Instant DECEMBER_SHANGHAI = Instant.parse("2026-11-30T16:00:00Z");
    final MemoryLedger ledger = new MemoryLedger();
    final List<String> notices = new ArrayList<>();
    @Mock
    Ec2Client ec2;

    MonthlyBudget budget(double cap, int diskGib) {
        return new MonthlyBudget(ledger, config(), new BudgetSettings("t", cap, diskGib, null),
                new OnDemandPrices(ledger, PriceList.NONE, config().pricing(), null, java.time.Clock.systemUTC()));
    }

    void run(Instant from, Instant to, double hourly) {
        ledger.upsert(new Ledger.RunUpdate(BOX_ID, from, "g4dn.xlarge", hourly, to, null));
    }

    @Test
    void theMonthIsTheStackZonesCalendarMonth() {
        // 23:00 30 Nov to 02:00 1 Dec in Shanghai: two of its three hours are December's there (none in UTC).
        run(DECEMBER_SHANGHAI.minus(Duration.ofHours(1)), DECEMBER_SHANGHAI.plus(Duration.ofHours(2)), 1.0);
        MonthToDate month = budget(0, 0).monthToDate(DECEMBER_SHANGHAI.plus(Duration.ofHours(5)));
        assertEquals(DECEMBER_SHANGHAI, month.monthStart());
        assertEquals(2.0, month.runHours(), 1e-9);
        assertEquals(2.0, month.computeUsd(), 1e-9);
    }

    @Test
    void theDiskAndTheAddressCountWhetherTheBoxRunsOrNot() {
        // Half of December (31 days) gone, the box never started: 100 GiB gp3 and one IPv4 address.
        Instant half = DECEMBER_SHANGHAI.plus(Duration.ofHours(31 * 12));
        MonthToDate month = budget(0, 100).monthToDate(half);
        assertEquals(0, month.runHours(), 1e-9);
        assertEquals(4.00, month.diskUsd(), 1e-9, "100 GiB × $0.08 × half a month");
        assertEquals(1.86, month.ipv4Usd(), 1e-9, "372 h × $0.005");
        assertEquals(5.86, month.totalUsd(), 1e-9);
    }

    @Test
    void theLineReadsAsTheIssueAsks() {
        run(DECEMBER_SHANGHAI, DECEMBER_SHANGHAI.plus(Duration.ofHours(41)), 0.526);
        MonthToDate month = budget(50, 0).monthToDate(DECEMBER_SHANGHAI.plus(Duration.ofHours(41)));
        // 41 h × 0.526 = 21.57, plus 41 h of the IPv4 address (0.21)
        assertEquals("This month: 41 h, ~$21.78 of $50.", month.line());
        assertEquals("This month: 41 h, ~$21.78.", new MonthToDate(month.monthStart(), 41, month.computeUsd(),
                0, month.ipv4Usd(), null).line());
    }

    @Test
    void aStartOverTheCapIsRefusedNamingTheParameterAndEc2IsNotAsked() {
        Instant now = DECEMBER_SHANGHAI.plus(Duration.ofDays(10));
        run(DECEMBER_SHANGHAI, DECEMBER_SHANGHAI.plus(Duration.ofHours(100)), 0.526); // $52.60
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(Ec2Fixtures.instances(Ec2Fixtures.box(InstanceStateName.STOPPED)));
        lenient().when(ec2.describeAddresses(any(software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest.class)))
                .thenReturn(Ec2Fixtures.eip(null));
        BoxControl box = new BoxControl(ec2, config(), java.time.Clock.fixed(now, java.time.ZoneOffset.UTC),
                Sleeper.REAL, Notifier.NONE, budget(50, 0));
        BoxException refused = assertThrows(BoxException.class, () -> box.start(0));
        assertEquals(ErrorCode.BUDGET_REACHED, refused.error());
        assertEquals(409, refused.error().httpStatus());
        assertTrue(refused.getMessage().contains("MonthlyBudgetUsd"), refused.getMessage());
        assertTrue(refused.getMessage().contains("1 Jan"), refused.getMessage());
        verify(ec2, never()).startInstances(any(software.amazon.awssdk.services.ec2.model.StartInstancesRequest.class));
    }

    @Test
    void eightyPercentGivesOneNoticeAMonth() {
        run(DECEMBER_SHANGHAI, DECEMBER_SHANGHAI.plus(Duration.ofHours(80)), 0.5); // $40 of $50
        MonthlyBudget budget = budget(50, 0);
        Instant now = DECEMBER_SHANGHAI.plus(Duration.ofHours(81));
        assertFalse(budget.sweep(List.of(), now, (s, m) -> notices.add(m)));
        assertFalse(budget.sweep(List.of(), now.plusSeconds(300), (s, m) -> notices.add(m)));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("MonthlyBudgetUsd") && notices.get(0).contains("of $50"), notices.get(0));
    }

    @Test
    void atTheCapTheSweepStopsTheRunningBoxEvenWhenSnoozedAndSaysWhy() {
        Instant now = DECEMBER_SHANGHAI.plus(Duration.ofDays(5)).plus(Duration.ofHours(3)); // 03:00, no nightly stop due
        run(DECEMBER_SHANGHAI, DECEMBER_SHANGHAI.plus(Duration.ofHours(96)), 0.526); // $50.50
        var snoozed = Ec2Fixtures.box(BOX_ID, InstanceStateName.RUNNING, now.minus(Duration.ofHours(1)),
                Ec2Fixtures.tag(BoxTags.SNOOZE_UNTIL, now.plus(Duration.ofHours(5)).toString()));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, snoozed));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        FakeTime time = new FakeTime(now);
        SweepReport report = new NightlyStop(ec2, config(), (s, m) -> notices.add(m), time, time, budget(50, 0))
                .run(Duration.ofSeconds(60));
        assertEquals(List.of(BOX_ID), report.stopped());
        ArgumentCaptor<CreateTagsRequest> tags = ArgumentCaptor.forClass(CreateTagsRequest.class);
        verify(ec2, org.mockito.Mockito.atLeastOnce()).createTags(tags.capture());
        assertTrue(tags.getAllValues().stream().flatMap(t -> t.tags().stream())
                .anyMatch(t -> t.key().equals(BoxTags.STOP_REASON) && t.value().startsWith("budget@")), tags.getAllValues().toString());
        assertEquals(1, notices.stream().filter(n -> n.contains("has reached the cap")).count(), notices.toString());
    }

    /** DynamoDB unreachable: every ledger call fails as the SDK's would, mapped by AwsErrors. */
    static final class DownLedger implements Ledger {
        private static BoxException down() {
            return new BoxException(ErrorCode.AWS_ERROR, "DynamoDB is unreachable");
        }

        @Override
        public void upsert(Ledger.RunUpdate update) {
            throw down();
        }

        @Override
        public java.util.List<Ledger.Run> runsLaunchedSince(Instant from) {
            throw down();
        }

        @Override
        public Ledger.CachedPrice price(String key) {
            throw down();
        }

        @Override
        public void savePrice(String key, Ledger.CachedPrice price) {
            throw down();
        }

        @Override
        public boolean firstTime(String mark, Instant at) {
            throw down();
        }
    }

    @Test
    void aLedgerThatCannotBeReadNeitherBlocksAStartNorTheNightlyStopNorStatus() {
        MonthlyBudget down = new MonthlyBudget(new DownLedger(), config(), new BudgetSettings("t", 50, 0, null),
                new OnDemandPrices(ledger, PriceList.NONE, config().pricing(), null, java.time.Clock.systemUTC()));
        down.refuseStartIfOver(Instant.now()); // no exception: the start goes ahead, the AWS Budget is the backstop
        assertFalse(down.sweep(List.of(Ec2Fixtures.box(InstanceStateName.RUNNING)), Instant.now(), (s, m) -> notices.add(m)));

        // The nightly stop still stops a box that is due (20:00 Asia/Shanghai has come).
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instancesPage(null, Ec2Fixtures.box(InstanceStateName.RUNNING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
        lenient().when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        FakeTime time = new FakeTime(Ec2Fixtures.NOW);
        SweepReport report = new NightlyStop(ec2, config(), Notifier.NONE, time, time, down).run(Duration.ofSeconds(60));
        assertEquals(List.of(BOX_ID), report.stopped());

        lenient().when(ec2.describeAddresses(any(software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest.class)))
                .thenReturn(Ec2Fixtures.eip(null));
        assertEquals(null, new BoxControl(ec2, config(), time, time, Notifier.NONE, down).monthToDate(),
                "status answers without the month");
    }

    @Test
    void withoutACapTheSweepNeverStopsForMoney() {
        Instant now = DECEMBER_SHANGHAI.plus(Duration.ofDays(5));
        run(DECEMBER_SHANGHAI, DECEMBER_SHANGHAI.plus(Duration.ofHours(500)), 3.06);
        assertFalse(budget(0, 0).sweep(List.of(), now, (s, m) -> notices.add(m)));
        assertEquals(List.of(), notices);
    }
}
