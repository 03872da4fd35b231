package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BudgetSettings;
import dev.gpubox.box.DynamoLedger;
import dev.gpubox.box.Ledger;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.MotoServer;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.OnDemandPrices;
import dev.gpubox.box.PriceList;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * MonthlyBudgetUsd end to end: local mode's front door and handlers, the simulator's EC2 (every call
 * counted at its wire) and the ledger in moto's DynamoDB through the real SDK. Spend below the cap starts
 * the box and /status shows the month; crossing the cap makes the next sweep stop the box, with a notice,
 * and a start is then refused with 409 and no StartInstances call.
 */
class MonthlyCapWireTest {
    static final String KEY = "cap-test-key-0123456789";
    static final double CAP = 100;

    MotoServer moto;
    DynamoDbClient dynamo;
    Ec2Simulator sim;
    Ec2Client ec2;
    LocalApi api;
    BoxConfig box;
    Ledger ledger;
    MonthlyBudget budget;
    final List<String> notices = new CopyOnWriteArrayList<>();
    WireFixture wire;

    @BeforeEach
    void start() throws Exception {
        moto = MotoServer.start();
        dynamo = Endpoints.dynamoFor(moto.endpoint());
        Endpoints.createLedgerTable(dynamo, "gpubox-ledger");
        ledger = new DynamoLedger(() -> dynamo, "gpubox-ledger");
        sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ofMillis(300), Duration.ofMillis(300));
        box = SeededBox.seed(sim.state());
        ec2 = Endpoints.clientFor(sim.endpoint());
        budget = new MonthlyBudget(ledger, box, new BudgetSettings("gpubox-ledger", CAP, 0, null),
                new OnDemandPrices(ledger, PriceList.NONE, box.pricing(), null, Clock.systemUTC()));
        Notifier recording = (subject, message) -> notices.add(message);
        api = LocalApi.start(0, KEY, ec2, box, recording, budget);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {api, ec2, sim, dynamo, moto}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** A run earlier this month (in the stack's zone) that cost {@code usd}: one minute at 60 × usd an hour. */
    void spentEarlierThisMonth(double usd, int minuteOfMonth) {
        ZoneId zone = box.policy().zone();
        Instant monthStart = Instant.now().atZone(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
        Instant launch = monthStart.plus(Duration.ofMinutes(2L * minuteOfMonth));
        Assumptions.assumeTrue(launch.plus(Duration.ofMinutes(1)).isBefore(Instant.now()),
                "the month began minutes ago; the seeded runs would be in the future");
        ledger.upsert(new Ledger.RunUpdate("i-0elsewhere0000000", launch.truncatedTo(ChronoUnit.SECONDS),
                "p3.2xlarge", usd * 60, launch.plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS), null));
    }

    WireFixture.Reply call(String method, String path) {
        return WireFixture.call(api, KEY, method, path);
    }

    void deliverStateEvents() {
        StateChangeNotices events = new StateChangeNotices(ec2, box, (s, m) -> notices.add(m), budget);
        for (Ec2State.StateEvent event : sim.state().drainEvents()) {
            events.onStateChange(event.instanceId(), event.state(), event.time());
        }
    }

    @Test
    void underTheCapItStartsAndShowsTheMonthOverItTheSweepStopsItAndStartsAreRefused() throws Exception {
        spentEarlierThisMonth(85, 0);
        WireFixture.Reply started = call("POST", "/start?wait=5");
        assertEquals(202, started.status(), started.json().toString());
        assertEquals(1, sim.calls("StartInstances"));
        deliverStateEvents(); // EC2's "running" event: the ledger now holds this run

        WireFixture.Reply status = call("GET", "/status");
        assertTrue(status.field("message").matches(".*This month: \\d+(\\.\\d)? h, ~\\$8\\d\\.\\d\\d of \\$100\\."),
                status.field("message"));
        assertEquals(CAP, status.json().path("month").path("budgetUsd").asDouble(), 1e-9);

        api.runScheduledStop(false); // 85 % of the cap: one notice, the box keeps running
        assertEquals(0, sim.calls("StopInstances"));
        assertEquals(1, notices.stream().filter(n -> n.contains("MonthlyBudgetUsd") && n.contains("of $100")).count(),
                notices.toString());

        spentEarlierThisMonth(20, 1); // the month crosses the cap
        String report = api.runScheduledStop(false);
        assertEquals(1, sim.calls("StopInstances"), report);
        assertTrue(notices.stream().anyMatch(n -> n.contains("has reached the cap")), notices.toString());
        awaitStopped();
        deliverStateEvents();
        assertTrue(notices.stream().anyMatch(n -> n.contains("this month's spend reached MonthlyBudgetUsd")),
                "the stopped notice says why: " + notices);

        WireFixture.Reply refused = call("POST", "/start");
        assertEquals(409, refused.status(), refused.json().toString());
        assertEquals("budget_reached", refused.field("error"));
        assertTrue(refused.field("message").contains("MonthlyBudgetUsd"), refused.field("message"));
        assertEquals(1, sim.calls("StartInstances"), "the refused start made no StartInstances call");
    }

    @Test
    void aStartOverTheCapIsRefusedBeforeAnyStartInstancesCall() {
        spentEarlierThisMonth(100.5, 0);
        WireFixture.Reply refused = call("POST", "/start?wait=5");
        assertEquals(409, refused.status(), refused.json().toString());
        assertEquals("budget_reached", refused.field("error"));
        assertTrue(refused.field("message").contains("has reached MonthlyBudgetUsd ($100)"), refused.field("message"));
        assertEquals(0, sim.calls("StartInstances"));
    }

    void awaitStopped() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!call("GET", "/status").field("state").equals("stopped")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the box never stopped");
            }
            Thread.sleep(100);
        }
    }
}
