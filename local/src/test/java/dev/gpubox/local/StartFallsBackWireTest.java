package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.ActionResult;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 8 point 2 through the real SDK: the simulator accepts a start, keeps the box pending, then drops it
 * back to stopped with {@code Server.InsufficientInstanceCapacity} (local mode's {@code --start-fails N}).
 */
class StartFallsBackWireTest {
    @Test
    void aStartThatFallsBackIsACapacityFailureWithOneNotice() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-11-29T02:00:00Z"));
        List<String> notices = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(8), Duration.ofSeconds(5));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state());
            sim.state().failNextStarts(1);
            BoxControl control = new BoxControl(ec2, box, time, time, (s, m) -> notices.add(m));
            StateChangeNotices stateChanges = new StateChangeNotices(ec2, box, (s, m) -> notices.add(m));

            BoxException e = assertThrows(BoxException.class, () -> control.start(25));

            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.error());
            assertTrue(Duration.between(Instant.parse("2026-11-29T02:00:00Z"), time.instant())
                    .compareTo(Duration.ofSeconds(12)) <= 0, "stopped waiting when the box fell back, not at 25 s");
            assertEquals("stopped", sim.state().stateOf(box.instanceId()));
            for (Ec2State.StateEvent event : sim.state().drainEvents()) {
                stateChanges.onStateChange(event.instanceId(), event.state(), event.time());
            }
            assertEquals(1, notices.size(), "one failed-start notice: " + notices);
            assertTrue(notices.get(0).contains("failed to start"), notices.get(0));

            // The next start succeeds: only N starts fail.
            assertEquals("running", control.start(25).box().state());
        }
    }

    /**
     * EC2 is eventually consistent: right after an accepted start, one Describe still shows the box stopped
     * with the OLD state reason of the previous fall-back. That start succeeds and must be reported so.
     */
    @Test
    void aStaleDescribeAfterAStartIsNotMistakenForAFallBack() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-11-29T02:00:00Z"));
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(8), Duration.ofSeconds(5));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state());
            sim.state().failNextStarts(1);
            BoxControl control = new BoxControl(ec2, box, time, time);
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY,
                    assertThrows(BoxException.class, () -> control.start(25)).error(), "the first start fell back");
            time.advance(Duration.ofMinutes(5));

            sim.state().staleDescribeAfterNextStarts(1);
            int describesBefore = sim.calls("DescribeInstances");
            ActionResult result = control.start(25);

            assertEquals("start_issued", result.result());
            assertEquals("running", result.box().state(), "the start succeeded: " + result.message());
            assertTrue(sim.calls("DescribeInstances") - describesBefore >= 3,
                    "read the stale view, then polled on: " + (sim.calls("DescribeInstances") - describesBefore));
        }
    }

    /**
     * Any pending → stopped after our own start is a failed start, not "starting": capacity → the capacity
     * code, every other state reason → aws_error naming it, and the notice says it failed to start.
     */
    @ParameterizedTest
    @CsvSource({
            "'Server.InternalError: Internal error on launch', AWS_ERROR, Server.InternalError",
            "'Client.InternalError: Client error on launch', AWS_ERROR, EbsKmsKeyArn",
            "'Client.VolumeLimitExceeded: Volume limit exceeded', AWS_ERROR, volume limit",
            "'Client.InvalidSnapshot.NotFound: The snapshot does not exist', AWS_ERROR, snapshot",
            "'Server.InsufficientInstanceCapacity: Insufficient capacity', INSUFFICIENT_CAPACITY, no capacity"})
    void everyFallBackIsAFailedStartNamedByItsReason(String stateReason, ErrorCode code, String says) throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-11-29T02:00:00Z"));
        List<String> notices = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(8), Duration.ofSeconds(5));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state());
            sim.state().failNextStarts(1, stateReason);
            BoxControl control = new BoxControl(ec2, box, time, time);

            BoxException e = assertThrows(BoxException.class, () -> control.start(25));

            assertEquals(code, e.error(), e.getMessage());
            assertTrue(e.getMessage().contains("stopped again") && e.getMessage().contains(says), e.getMessage());
            StateChangeNotices stateChanges = new StateChangeNotices(ec2, box, (s, m) -> notices.add(m));
            for (Ec2State.StateEvent event : sim.state().drainEvents()) {
                stateChanges.onStateChange(event.instanceId(), event.state(), event.time());
            }
            assertEquals(1, notices.size(), "one notice: " + notices);
            assertTrue(notices.get(0).contains("failed to start") && notices.get(0).contains(says), notices.get(0));
        }
    }
}
