package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * What every {@link Ledger} must do with the events EC2 really sends — duplicated, lost, late, out of
 * order — as {@link RunRecorder} writes them and {@link MonthlyBudget} reads them back. Run on the in-memory
 * ledger here and on DynamoDB (moto, through the SDK) in local's DynamoLedgerMotoTest.
 */
public abstract class LedgerContract {
    static final Instant EIGHT = Instant.parse("2026-12-02T08:00:00Z");
    static final String ID = Ec2Fixtures.BOX_ID;

    protected Ledger ledger;
    protected RunRecorder recorder;

    /** A fresh, empty ledger for each test. */
    protected abstract Ledger newLedger();

    @BeforeEach
    void fresh() {
        ledger = newLedger();
        recorder = new RunRecorder(ledger, new OnDemandPrices(ledger, PriceList.NONE, new Pricing(null), null,
                java.time.Clock.systemUTC()));
    }

    static Instance box(InstanceStateName state, Instant launched) {
        return Ec2Fixtures.box(ID, state, launched);
    }

    static Instant at(int hour, int minute) {
        return EIGHT.plus(Duration.ofHours(hour - 8).plusMinutes(minute));
    }

    List<Ledger.Run> runs() {
        return ledger.runsLaunchedSince(EIGHT.minus(Duration.ofDays(40)));
    }

    @Test
    void duplicatedEventsMakeOneRun() {
        for (int i = 0; i < 2; i++) {
            recorder.onEvent(box(InstanceStateName.RUNNING, EIGHT), "running", at(8, 1));
        }
        for (int i = 0; i < 3; i++) {
            recorder.onEvent(box(InstanceStateName.STOPPED, EIGHT), "stopped", at(10, 0));
        }
        List<Ledger.Run> runs = runs();
        assertEquals(1, runs.size(), runs.toString());
        assertEquals(EIGHT, runs.get(0).launchTime());
        assertEquals(at(10, 0), runs.get(0).stoppedAt());
        assertEquals("g4dn.xlarge", runs.get(0).instanceType());
        assertEquals(0.526, runs.get(0).hourlyUsd(), 1e-9, "the table's price: no Price List here");
    }

    @Test
    void aLostRunningEventIsRecoveredFromTheStoppedOne() {
        recorder.onEvent(box(InstanceStateName.STOPPED, EIGHT), "stopped", at(10, 30));
        Ledger.Run run = runs().get(0);
        assertEquals(EIGHT, run.launchTime());
        assertEquals(at(10, 30), run.stoppedAt());
    }

    @Test
    void aStartMadeOutsideGpuboxWithNoEventAtAllIsRecordedByTheSweep() {
        recorder.reconcile(List.of(box(InstanceStateName.RUNNING, EIGHT)), at(8, 5));
        Ledger.Run run = runs().get(0);
        assertTrue(run.open());
        assertEquals(at(8, 5), run.lastSeen());
    }

    @Test
    void aLostStoppedEventIsClosedByTheNextStartAtItsLastSighting() {
        recorder.onEvent(box(InstanceStateName.RUNNING, EIGHT), "running", at(8, 1));
        recorder.reconcile(List.of(box(InstanceStateName.RUNNING, EIGHT)), at(9, 55));
        // stopped at 10:00: that event is lost; the box is started again at 14:00
        recorder.onEvent(box(InstanceStateName.RUNNING, at(14, 0)), "running", at(14, 1));
        List<Ledger.Run> runs = runs();
        assertEquals(2, runs.size(), runs.toString());
        assertEquals(at(9, 55), runs.get(0).stoppedAt(), "closed at the last sweep that saw it running");
        assertTrue(runs.get(1).open());
    }

    @Test
    void aLostStoppedEventIsClosedByTheSweepAtTheTimeEc2Gives() {
        recorder.onEvent(box(InstanceStateName.RUNNING, EIGHT), "running", at(8, 1));
        Instance stopped = box(InstanceStateName.STOPPED, EIGHT).toBuilder()
                .stateTransitionReason("User initiated (2026-12-02 10:00:00 GMT)").build();
        recorder.reconcile(List.of(stopped), at(10, 5));
        assertEquals(at(10, 0), runs().get(0).stoppedAt());
    }

    @Test
    void aStoppedEventArrivingAfterTheNextStartClosesTheEarlierRunOnly() {
        recorder.onEvent(box(InstanceStateName.RUNNING, EIGHT), "running", at(8, 1));
        recorder.onEvent(box(InstanceStateName.RUNNING, at(10, 5)), "running", at(10, 6));
        recorder.onEvent(box(InstanceStateName.RUNNING, at(10, 5)), "stopped", at(10, 0));
        List<Ledger.Run> runs = runs();
        assertEquals(2, runs.size(), runs.toString());
        assertEquals(at(10, 0), runs.get(0).stoppedAt());
        assertTrue(runs.get(1).open(), "the run started at 10:05 is still going");
    }

    @Test
    void aRunningEventAfterItsStoppedEventDoesNotReopenTheRun() {
        recorder.onEvent(box(InstanceStateName.STOPPED, EIGHT), "stopped", at(10, 0));
        recorder.onEvent(box(InstanceStateName.STOPPED, EIGHT), "running", at(8, 1));
        assertEquals(at(10, 0), runs().get(0).stoppedAt());
    }

    @Test
    void aBoxGoneFromTheListClosesItsOpenRun() {
        recorder.reconcile(List.of(box(InstanceStateName.RUNNING, EIGHT)), at(9, 0));
        recorder.reconcile(List.of(), at(9, 5));
        assertEquals(at(9, 0), runs().get(0).stoppedAt());
    }

    @Test
    void theMonthAddsHoursAtEachRunsPrice() {
        ledger.upsert(new Ledger.RunUpdate(ID, EIGHT, "g4dn.xlarge", 0.5, at(10, 0), null));
        ledger.upsert(new Ledger.RunUpdate(ID, at(12, 0), "g4dn.xlarge", 1.0, null, null));
        BoxConfig config = Ec2Fixtures.config().withSettings(new BoxConfig.Settings(null, "UTC", null, null, null));
        MonthlyBudget budget = new MonthlyBudget(ledger, config, new BudgetSettings("t", 50, 0, null),
                new OnDemandPrices(ledger, PriceList.NONE, config.pricing(), null, java.time.Clock.systemUTC()));
        MonthToDate month = budget.monthToDate(at(13, 0));
        assertEquals(3.0, month.runHours(), 1e-9);
        assertEquals(2.0, month.computeUsd(), 1e-9);
    }

    @Test
    void aMarkIsFirstOnlyOnce() {
        assertTrue(ledger.firstTime("budget-80#2026-12", EIGHT));
        assertFalse(ledger.firstTime("budget-80#2026-12", at(9, 0)));
        assertTrue(ledger.firstTime("budget-80#2027-01", at(9, 0)));
    }

    @Test
    void aPriceIsCachedWithItsTime() {
        assertNull(ledger.price("us-west-2#g4dn.xlarge"));
        ledger.savePrice("us-west-2#g4dn.xlarge", new Ledger.CachedPrice(0.526, EIGHT));
        assertEquals(new Ledger.CachedPrice(0.526, EIGHT), ledger.price("us-west-2#g4dn.xlarge"));
    }

    @Test
    void aStoppedBoxIsNotSeenRunning() {
        recorder.reconcile(List.of(box(InstanceStateName.STOPPED, EIGHT).toBuilder()
                .state(InstanceState.builder().name(InstanceStateName.STOPPED).build()).build()), at(9, 0));
        assertEquals(List.of(), runs());
    }
}
