package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.BudgetSettings;
import dev.gpubox.box.Ledger;
import dev.gpubox.box.MemoryLedger;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.OnDemandPrices;
import dev.gpubox.box.PriceList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/** The events/ fixtures through the real handlers into one ledger, and /status showing the month it holds. */
class SpendLedgerHandlersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final Ec2Client ec2 = mock(Ec2Client.class);
    final MemoryLedger ledger = new MemoryLedger();
    final List<String> notices = new ArrayList<>();
    final MonthlyBudget budget = new MonthlyBudget(ledger, config(), new BudgetSettings("t", 50, 100, null),
            new OnDemandPrices(ledger, PriceList.NONE, config().pricing(), null, Clock.systemUTC()));

    private void stateChange(String fixture) throws Exception {
        new StateChangeHandler(ec2, config(), (s, m) -> notices.add(m), budget).handleRequest(
                new ByteArrayInputStream(Events.raw(Events.DIR.resolve(fixture))), new ByteArrayOutputStream(), null);
    }

    @Test
    void theRunningAndStoppedFixturesRecordOneRunAndTheStoppedOneStillSendsItsNotice() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(box(BOX_ID, InstanceStateName.RUNNING)))
                .thenReturn(instances(box(BOX_ID, InstanceStateName.STOPPED)));
        stateChange("state-change-running.json");
        assertEquals(List.of(), notices, "a start sends no notice");
        stateChange("state-change-stopped.json");
        stateChange("state-change-stopped.json"); // EventBridge delivers at least once
        List<Ledger.Run> runs = ledger.runsLaunchedSince(NOW.minusSeconds(86_400));
        assertEquals(1, runs.size(), runs.toString());
        assertEquals(NOW.minusSeconds(3600), runs.get(0).launchTime());
        assertEquals(java.time.Instant.parse("2026-11-29T12:00:41Z"), runs.get(0).stoppedAt());
        assertEquals(2, notices.size(), "each stopped delivery is noticed, as before");
    }

    @Test
    void statusShowsTheMonthAsAnObjectAndALine() throws Exception {
        // The handler's clock is the real one: a run of one hour that ended a minute ago.
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant monthStart = now.atZone(config().policy().zone()).toLocalDate().withDayOfMonth(1)
                .atStartOfDay(config().policy().zone()).toInstant();
        org.junit.jupiter.api.Assumptions.assumeTrue(now.minusSeconds(3660).isAfter(monthStart),
                "the month began less than an hour ago");
        ledger.upsert(new Ledger.RunUpdate(BOX_ID, now.minusSeconds(3660).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                "g4dn.xlarge", 0.526, now.minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), null));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(box(BOX_ID, InstanceStateName.STOPPED)));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(null));
        ApiReply reply = new StatusHandler(ec2, config(), dev.gpubox.box.Notifier.NONE, budget)
                .handle(Events.raw(Events.DIR.resolve("status.json")), null);
        JsonNode body = JSON.readTree(reply.body());
        assertEquals(200, reply.statusCode());
        JsonNode month = body.path("month");
        assertEquals(1.0, month.path("hours").asDouble(), 1e-9);
        assertEquals(50.0, month.path("budgetUsd").asDouble(), 1e-9);
        assertTrue(month.path("estimatedUsd").asDouble() > 0.526, body.toString());
        assertTrue(body.path("message").asText().matches(".* This month: 1\\.0 h, ~\\$\\d+\\.\\d\\d of \\$50\\."),
                body.path("message").asText());
    }
}
