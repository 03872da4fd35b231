package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Sleeper;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Fault;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The nightly stop keeps its budget past the listing step: 150 due boxes, StopInstances and CreateTags
 * throttled all the time, the real handler with a 20 s Lambda context (a 5 s budget) on a real clock. The run
 * used to take 5 min 8 s with 335 StopInstances, 333 CreateTags and 150 notices; it must end before the
 * Lambda timeout with its summary and one combined notice, counted at the simulator's wire.
 */
class ThrottledFleetStopTest {
    static final int BOXES = 150;

    /** What one run did, counted at the simulator's wire. */
    record Run(Duration took, int stopCalls, int tagCalls, List<String> notices, List<String> log, int running) {
    }

    @Test
    void aThrottledFleetRunEndsBeforeTheLambdaTimeoutWithItsSummaryAndOneNotice() throws Exception {
        Run run = run(sim -> sim.faults().inject("StopInstances", Fault.THROTTLING, 1_000_000)
                .inject("CreateTags", Fault.THROTTLING, 1_000_000));

        assertEndsInTimeWithSummaryAndOneNotice(run);
        // Batches of 50 whose throttling is retried whole (the SDK's own 4 attempts each) inside the 5 s,
        // never one call per box; the rest are failed as not tried.
        assertTrue(run.stopCalls() <= 20, "StopInstances at the wire: " + run.stopCalls());
        // One CreateTags for the notices' record (with the SDK's own 4 attempts), none per box.
        assertTrue(run.tagCalls() <= 4, "CreateTags at the wire: " + run.tagCalls());
    }

    @Test
    void aHungStopInstancesCostsTheBudgetOnceNotPerBatch() throws Exception {
        Run run = run(sim -> sim.faults().delay("StopInstances", Duration.ofSeconds(60)));

        assertEndsInTimeWithSummaryAndOneNotice(run);
        assertEquals(1, run.stopCalls(), "the first batch hung until the budget; the others were not tried");
        assertEquals(1, run.tagCalls(), "one CreateTags records the notice for all " + BOXES + " boxes");
    }

    private static void assertEndsInTimeWithSummaryAndOneNotice(Run run) {
        assertTrue(run.took().compareTo(LAMBDA_TIMEOUT.minusSeconds(2)) < 0, "ended before the Lambda timeout: "
                + run.took());
        assertEquals(BOXES, run.running(), "EC2 stopped nothing");
        assertEquals(1, run.notices().size(), "one combined notice, not one per box: " + run.notices());
        assertTrue(run.notices().get(0).startsWith("gpubox: could not stop " + BOXES + " boxes"), run.notices().get(0));
        assertTrue(run.log().stream().anyMatch(l -> l.startsWith("gpubox scheduled stop:")
                && l.contains("failed " + BOXES)), "its summary: " + run.log());
    }

    static final Duration LAMBDA_TIMEOUT = ScheduledStopHandler.MARGIN.plusSeconds(5); // a 5 s budget

    private static Run run(java.util.function.Consumer<Ec2Simulator> faults) throws Exception {
        // EC2's clock is a day behind the run's, so every box seeded now is past its deadline.
        Clock runClock = Clock.offset(Clock.systemUTC(), Duration.ofDays(1));
        List<String> notices = new CopyOnWriteArrayList<>();
        List<String> log = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ofSeconds(20), Duration.ofSeconds(15));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            for (int i = 0; i < BOXES; i++) {
                sim.state().seedInstance("g4dn.xlarge", "k", "running", Map.of(SeededBox.TAG_KEY, SeededBox.STACK));
            }
            faults.accept(sim);
            BoxConfig stack = new BoxConfig("i-0123456789abcdef0", null, SeededBox.TAG_KEY, SeededBox.STACK, "ubuntu");
            ScheduledStopHandler handler = new ScheduledStopHandler(ec2, stack, (s, m) -> notices.add(s + ": " + m),
                    runClock, Sleeper.REAL);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long started = System.nanoTime();

            assertThrows(RuntimeException.class, () -> handler.handleRequest(
                    new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out,
                    LambdaContexts.invocation(runClock, LAMBDA_TIMEOUT, log)), "a run with failed stops fails");

            Run run = new Run(Duration.ofNanos(System.nanoTime() - started), sim.calls("StopInstances"),
                    sim.calls("CreateTags"), notices, log, (int) sim.state().count("running"));
            System.out.println("fleet of " + BOXES + ": " + run.took().toMillis() + " ms, StopInstances "
                    + run.stopCalls() + ", CreateTags " + run.tagCalls() + ", notices " + notices.size());
            return run;
        }
    }
}
