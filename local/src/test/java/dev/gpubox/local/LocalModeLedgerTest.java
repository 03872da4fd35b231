package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** ./gpubox local with the ledger: --monthly-budget, a run recorded from the simulator's events, the month in /status. */
class LocalModeLedgerTest {
    @Test
    void monthlyBudgetIsAWholeNumberOfDollars() {
        assertEquals(50, LocalMode.Options.parse(new String[] {"--monthly-budget", "50"}).monthlyBudget);
        assertEquals(0, LocalMode.Options.parse(new String[] {}).monthlyBudget, "off by default");
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--monthly-budget", "lots"}));
    }

    @Test
    void aRunOfTheSimulatedBoxShowsInTheMonthLine() throws Exception {
        try (Ec2Simulator sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ofMillis(200), Duration.ofMillis(200));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state());
            MonthlyBudget budget = LocalMode.Options.parse(new String[] {"--monthly-budget", "50"}).budget(box);
            try (LocalApi api = LocalApi.start(0, "k", ec2, box, (s, m) -> { }, budget)) {
                assertEquals(202, WireFixture.call(api, "k", "POST", "/start?wait=5").status());
                // What local mode's schedule does every second: EC2's events into the ledger.
                StateChangeNotices events = new StateChangeNotices(ec2, box, (s, m) -> { }, budget);
                for (Ec2State.StateEvent event : sim.state().drainEvents()) {
                    events.onStateChange(event.instanceId(), event.state(), event.time());
                }
                WireFixture.Reply status = WireFixture.call(api, "k", "GET", "/status");
                assertTrue(status.field("message").matches(".* This month: 0\\.0 h, ~\\$\\d+\\.\\d\\d of \\$50\\."),
                        status.field("message"));
                assertEquals(1, status.json().path("month").path("hours").asDouble() >= 0 ? 1 : 0);
                assertEquals(50, status.json().path("month").path("budgetUsd").asDouble(), 1e-9);
            }
        }
    }
}
