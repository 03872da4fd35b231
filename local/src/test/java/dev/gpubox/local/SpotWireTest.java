package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpubox.functions.StateChangeHandler;
import dev.gpubox.sim.Ec2State;
import dev.gpubox.sim.SpotRequests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 points 2, 3 and 6 at the wire: a Spot box through local mode's API and the real state-change
 * handler, against the simulator's persistent Spot request, every hop real HTTP and the real SDK. Start, stop,
 * the settle after a stop, an interruption with its warning and its stop notice, EC2's own restart, and a start
 * again; EC2 calls counted at the simulator.
 */
class SpotWireTest {
    private static final Path EVENTS = Path.of("..", "events");

    private final List<String> notices = new ArrayList<>();

    /** EC2's EventBridge event for a simulator notice, from the repo's fixture with the box's id and time. */
    private String deliver(WireFixture wire, String fixture, String instanceId, String time, String state)
            throws Exception {
        ObjectNode event = (ObjectNode) WireFixture.JSON.readTree(Files.readString(EVENTS.resolve(fixture)));
        event.put("time", time);
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("instance-id", instanceId);
        if (state != null) {
            detail.put("state", state);
        }
        StateChangeHandler handler = new StateChangeHandler(wire.ec2, wire.box, (s, m) -> notices.add(m));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(WireFixture.JSON.writeValueAsBytes(event)), out, null);
        return out.toString();
    }

    /** What EventBridge would deliver now: the Spot events, then the state changes (stopped ones notice). */
    private void deliverAll(WireFixture wire) throws Exception {
        for (SpotRequests.Notice n : wire.sim.state().spotRequests().drainNotices()) {
            String fixture = n.detailType().equals(SpotRequests.INTERRUPTION_WARNING)
                    ? "spot-interruption-warning.json" : "rebalance-recommendation.json";
            deliver(wire, fixture, n.instanceId(), n.time().toString(), null);
        }
        for (Ec2State.StateEvent e : wire.sim.state().drainEvents()) {
            if (e.state().equals("stopped")) {
                deliver(wire, "state-change-stopped.json", e.instanceId(), e.time().toString(), "stopped");
            }
        }
    }

    private static JsonNode spot(WireFixture.Reply status) {
        return status.json().path("spot");
    }

    @Test
    void startStopInterruptionNoticeRestartAndStartAgain() throws Exception {
        try (WireFixture wire = WireFixture.spot(Duration.ofMillis(300), Duration.ofMillis(300))) {
            String id = wire.box.instanceId();
            wire.sim.state().spotRequests().settleAfterStop(Duration.ofSeconds(1));

            WireFixture.Reply status = wire.call("GET", "/status");
            assertTrue(spot(status).path("requestId").asText().startsWith("sir-"), status.json().toString());
            assertEquals("disabled", spot(status).path("requestState").asText());
            assertEquals("instance-stopped-by-user", spot(status).path("requestStatus").asText());
            assertEquals(false, spot(status).path("interrupted").asBoolean(true));

            assertEquals("running", wire.call("POST", "/start?wait=10").json().path("box").path("state").asText());
            assertEquals("fulfilled", spot(wire.call("GET", "/status")).path("requestStatus").asText());

            // Right after a stop the request has not settled: no wait is a 409 with Retry-After, not a failure…
            wire.call("POST", "/stop");
            wire.awaitState("stopped");
            int starts = wire.sim.calls("StartInstances");
            WireFixture.Reply early = wire.call("POST", "/start");
            assertEquals(409, early.status(), early.json().toString());
            assertEquals("wrong_state", early.field("error"));
            assertTrue(early.field("message").contains("Spot request"), early.field("message"));
            assertEquals("10", early.raw().headers().firstValue("Retry-After").orElse(""));
            assertEquals(starts + 1, wire.sim.calls("StartInstances"));
            // …and a start that waits retries it inside its wait.
            wire.call("POST", "/stop");
            wire.awaitState("stopped");
            WireFixture.Reply waited = wire.call("POST", "/start?wait=10");
            assertEquals(202, waited.status(), waited.json().toString());
            assertEquals("running", waited.json().path("box").path("state").asText());
            assertTrue(wire.sim.calls("StartInstances") >= starts + 3, "the start was retried at the wire");

            // AWS wants the capacity back: the two-minute warning is one notice saying what to save.
            deliverAll(wire);
            notices.clear();
            wire.sim.state().spotRequests().interrupt(id, Duration.ofMillis(800));
            deliverAll(wire);
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("Save your work now") && notices.get(0).contains("/opt/dlami/nvme"),
                    notices.get(0));
            WireFixture.Reply reclaiming = wire.call("GET", "/status");
            assertTrue(reclaiming.field("message").contains("AWS is taking this Spot box back"), reclaiming.json().toString());

            WireFixture.Reply interrupted = wire.awaitState("stopped");
            assertEquals(true, spot(interrupted).path("interrupted").asBoolean());
            assertEquals("instance-stopped-no-capacity", spot(interrupted).path("requestStatus").asText());
            assertTrue(interrupted.field("message").contains("interrupted by AWS; it restarts when capacity returns"
                    + " (Spot request: instance-stopped-no-capacity)"), interrupted.field("message"));
            deliverAll(wire);
            assertEquals(2, notices.size(), "the stop is one notice more: " + notices);
            assertTrue(notices.get(1).contains("was interrupted by AWS"), notices.get(1));

            // Only EC2 restarts it: /start says so and makes no StartInstances.
            int before = wire.sim.calls("StartInstances");
            WireFixture.Reply refused = wire.call("POST", "/start?wait=5");
            assertEquals(409, refused.status());
            assertEquals("spot_interrupted", refused.field("error"));
            assertTrue(refused.field("message").contains("restarts when capacity returns"), refused.field("message"));
            assertEquals(before, wire.sim.calls("StartInstances"), "no StartInstances EC2 would refuse");

            // Capacity returns: EC2 starts it by itself; the user stops it and starts it again as before.
            wire.sim.state().spotRequests().restoreCapacity();
            wire.awaitState("running");
            assertEquals(before, wire.sim.calls("StartInstances"), "EC2 restarted it, not gpubox");
            wire.call("POST", "/stop");
            wire.awaitState("stopped");
            Thread.sleep(1100);
            assertEquals("running", wire.call("POST", "/start?wait=10").json().path("box").path("state").asText());
        }
    }

    @Test
    void noSpotCapacityIsACapacityErrorNamingSpot() throws Exception {
        try (WireFixture wire = WireFixture.spot(Duration.ofMillis(200), Duration.ofMillis(200))) {
            wire.sim.state().spotRequests().removeCapacity();
            WireFixture.Reply refused = wire.call("POST", "/start");
            assertEquals(503, refused.status(), refused.json().toString());
            assertEquals("insufficient_capacity", refused.field("error"));
            assertTrue(refused.field("message").contains("no Spot capacity"), refused.field("message"));
            assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void anOnDemandBoxHasANullSpotAndNoSpotCall() throws Exception {
        try (WireFixture wire = new WireFixture(Duration.ofMillis(200), Duration.ofMillis(200))) {
            WireFixture.Reply status = wire.call("GET", "/status");
            assertTrue(status.json().has("spot") && status.json().path("spot").isNull(), status.json().toString());
            assertEquals(0, wire.sim.calls("DescribeSpotInstanceRequests"));
        }
    }
}
