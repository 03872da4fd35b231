package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BudgetSettings;
import dev.gpubox.box.HourlyPrice;
import dev.gpubox.box.Ledger;
import dev.gpubox.box.MemoryLedger;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.OnDemandPrices;
import dev.gpubox.box.PriceList;
import dev.gpubox.box.Sleeper;
import dev.gpubox.box.SpotPrices;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 18 point 5, through local mode's front door, the real handlers and the real SDK against the simulator
 * (every DescribeSpotPriceHistory counted at its wire): a Spot box's {@code /status} price is the simulator's
 * Spot price for its zone and type, read once and cached; the ledger records its run at that price, and the
 * stopped notice and the month's spend charge it; an on-demand box makes no such call; a Spot price EC2 will
 * not give falls back to on-demand, said in {@code priceSource}, and never blocks the start or the stop.
 *
 * <p>The box is made Spot the simulator's way ({@code Ec2State.makeSpot}: a persistent request and its lifecycle).
 */
class SpotPriceWireTest {
    static final String KEY = "spot-price-key-0123456789";
    static final String TYPE = "g4dn.xlarge";
    static final String ZONE = "us-west-2a";

    Ec2Simulator sim;
    Ec2Client ec2;
    LocalApi api;
    BoxConfig box;
    Ledger ledger;
    MonthlyBudget budget;
    final List<String> notices = new CopyOnWriteArrayList<>();
    /** The simulator's clock: the wall clock, moved on by the tests to give a run hours of uptime. */
    final OffsetClock ec2Clock = new OffsetClock();

    /** The wall clock plus an offset the test moves. */
    static final class OffsetClock extends Clock {
        volatile Duration offset = Duration.ZERO;

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    @BeforeEach
    void start() throws Exception {
        sim = Ec2Simulator.start(0, ec2Clock, Duration.ofMillis(200), Duration.ofMillis(200));
        box = SeededBox.seed(sim.state());
        ec2 = Endpoints.clientFor(sim.endpoint());
        ledger = new MemoryLedger();
        budget = new MonthlyBudget(ledger, box, new BudgetSettings("memory", 1000, 0, null),
                new OnDemandPrices(ledger, PriceList.NONE, box.pricing(), null, Clock.systemUTC(),
                        new SpotPrices(() -> ec2, Clock.systemUTC())));
        Notifier recording = (subject, message) -> notices.add(message);
        api = LocalApi.start(0, KEY, ec2, box, recording, budget);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {api, ec2, sim}) {
            if (c != null) {
                c.close();
            }
        }
    }

    WireFixture.Reply call(String method, String path) {
        return WireFixture.call(api, KEY, method, path);
    }

    double simSpotPrice() {
        return sim.spotPrices().priceAt(ZONE, TYPE, Instant.now());
    }

    void deliverStateEvents() {
        StateChangeNotices events = new StateChangeNotices(ec2, box, (s, m) -> notices.add(m), budget);
        for (Ec2State.StateEvent event : sim.state().drainEvents()) {
            events.onStateChange(event.instanceId(), event.state(), event.time());
        }
    }

    void awaitState(String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!call("GET", "/status").field("state").equals(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the box never got " + state);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aSpotBoxIsPricedAtItsZonesSpotPriceReadOnceAndTheLedgerAndNoticeChargeIt() throws Exception {
        sim.state().makeSpot(box.instanceId());
        assertEquals(0.2456, simSpotPrice(), 1e-9, "the simulator's g4dn.xlarge price in us-west-2a");

        WireFixture.Reply started = call("POST", "/start?wait=5");
        assertEquals(202, started.status(), started.json().toString());
        assertEquals(simSpotPrice(), started.json().path("box").path("hourlyPriceUsd").asDouble(), 1e-9);
        assertEquals(1, sim.calls("DescribeSpotPriceHistory"), "the start function's one read");
        WireFixture.Reply status = call("GET", "/status");
        assertEquals(simSpotPrice(), status.json().path("hourlyPriceUsd").asDouble(), 1e-9, status.json().toString());
        assertEquals(HourlyPrice.SPOT, status.field("priceSource"));
        for (int tap = 0; tap < 3; tap++) {
            call("GET", "/status");
        }
        assertEquals(2, sim.calls("DescribeSpotPriceHistory"),
                "one read per function (each is its own Lambda container), then that container's cache");

        deliverStateEvents(); // "running": the ledger records the run (the state-change function's one read)
        assertEquals(3, sim.calls("DescribeSpotPriceHistory"));
        Ledger.Run run = ledger.runsLaunchedSince(Instant.EPOCH).get(0);
        assertEquals(simSpotPrice(), run.hourlyUsd(), 1e-9, "the run is recorded at the Spot price");

        ec2Clock.offset = Duration.ofHours(3); // the stop comes three hours (of EC2's time) after the start
        WireFixture.Reply stopped = call("POST", "/stop");
        assertEquals(202, stopped.status(), stopped.json().toString());
        awaitState("stopped");
        deliverStateEvents();
        Ledger.Run closed = ledger.runsLaunchedSince(Instant.EPOCH).get(0);
        Duration ran = Duration.between(closed.launchTime(), closed.stoppedAt());
        assertTrue(ran.compareTo(Duration.ofHours(3)) >= 0, ran.toString());
        String notice = notices.stream().filter(n -> n.contains("stopped after")).findFirst().orElseThrow(
                () -> new AssertionError("no stopped notice: " + notices));
        double spotCost = Math.round(simSpotPrice() * ran.toSeconds() / 3600.0 * 100) / 100.0;
        assertTrue(notice.contains(String.format(Locale.ROOT, "~$%.2f", spotCost)),
                "~$" + spotCost + " at the Spot price, not ~$1.58 on demand: " + notice);
        double monthCompute = budget.monthToDate(ec2Clock.instant()).computeUsd();
        assertEquals(ran.toMillis() / 3_600_000.0 * simSpotPrice(), monthCompute, 0.006,
                "the month charges the run at the Spot price");
        assertEquals(4, sim.calls("DescribeSpotPriceHistory"),
                "the stop function's one read; the stopped event's price from the ledger's cache");
    }

    @Test
    void anOnDemandBoxMakesNoSpotPriceCall() {
        WireFixture.Reply started = call("POST", "/start?wait=5");
        assertEquals(202, started.status(), started.json().toString());
        WireFixture.Reply status = call("GET", "/status");
        assertEquals(0.526, status.json().path("hourlyPriceUsd").asDouble(), 1e-9);
        assertEquals(HourlyPrice.ON_DEMAND, status.field("priceSource"));
        deliverStateEvents();
        assertEquals(0.526, ledger.runsLaunchedSince(Instant.EPOCH).get(0).hourlyUsd(), 1e-9);
        assertEquals(0, sim.calls("DescribeSpotPriceHistory"));
    }

    @Test
    void aSpotPriceEc2WillNotGiveFallsBackToOnDemandAndNeverBlocksTheStartOrStop() throws Exception {
        sim.state().makeSpot(box.instanceId());
        sim.faults().inject("DescribeSpotPriceHistory", 403, "UnauthorizedOperation",
                "You are not authorized to perform this operation.", 100);
        WireFixture.Reply started = call("POST", "/start?wait=5");
        assertEquals(202, started.status(), started.json().toString());
        assertEquals("running", started.json().path("box").path("state").asText());
        WireFixture.Reply status = call("GET", "/status");
        assertEquals(200, status.status());
        assertEquals(0.526, status.json().path("hourlyPriceUsd").asDouble(), 1e-9);
        assertEquals(HourlyPrice.SPOT_UNAVAILABLE, status.field("priceSource"));
        call("GET", "/status");
        call("GET", "/status");
        assertEquals(2, sim.calls("DescribeSpotPriceHistory"),
                "the start's and the status function's one try each: a refusal is remembered, not asked per tap");
        WireFixture.Reply stopped = call("POST", "/stop");
        assertEquals(202, stopped.status(), stopped.json().toString());
        assertEquals(1, sim.calls("StopInstances"));
    }

    @Test
    void hourlyPriceUsdStillWinsOverTheSpotPrice() {
        sim.state().makeSpot(box.instanceId());
        BoxConfig priced = new BoxConfig(box.instanceId(), box.eipAllocationId(), SeededBox.TAG_KEY, SeededBox.STACK,
                BoxConfig.DEFAULT_SSH_USER, new BoxConfig.Settings(null, "UTC", null, 0.2, null));
        BoxControl control = new BoxControl(ec2, priced, Clock.systemUTC(), Sleeper.REAL, Notifier.NONE,
                MonthlyBudget.off(priced));
        var status = control.status();
        assertEquals(0.2, status.hourlyPriceUsd(), 1e-9);
        assertEquals(HourlyPrice.PARAMETER, status.priceSource());
        assertEquals(0, sim.calls("DescribeSpotPriceHistory"));
    }

    @Test
    void theLatestLinuxEntryOfTheBoxZoneIsThePriceAndAChangeIsSeenAfterTheHour() {
        sim.state().makeSpot(box.instanceId());
        SpotPrices prices = new SpotPrices(() -> ec2, ec2Clock);
        assertEquals(0.2456, prices.usdPerHour(ZONE, TYPE), 1e-9, "not the older entry, nor Windows' or zone b's");
        assertEquals(0.2398, prices.usdPerHour("us-west-2b", TYPE), 1e-9);
        sim.spotPrices().priceChange(ZONE, TYPE, 0.2611, ec2Clock.instant().plusSeconds(60));
        ec2Clock.offset = Duration.ofMinutes(59);
        assertEquals(0.2456, prices.usdPerHour(ZONE, TYPE), 1e-9, "within the hour: the cached price");
        assertEquals(2, sim.calls("DescribeSpotPriceHistory"));
        ec2Clock.offset = Duration.ofMinutes(61);
        assertEquals(0.2611, prices.usdPerHour(ZONE, TYPE), 1e-9, "after the hour: read again");
        assertEquals(3, sim.calls("DescribeSpotPriceHistory"));
    }
}
