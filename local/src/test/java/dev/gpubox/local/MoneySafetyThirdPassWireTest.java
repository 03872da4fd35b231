package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Sleeper;
import dev.gpubox.box.StopPolicy;
import dev.gpubox.box.ZoneTimes;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.local.WireFixture.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 through local mode: every hop real HTTP, the real handlers, the simulator. A snooze ends with
 * the run it was set in (point 1), and no key holder keeps a run on past its start + MaxRunHours (point 2).
 */
class MoneySafetyThirdPassWireTest {
    static final Duration START = Duration.ofMillis(300);
    static final Duration STOP = Duration.ofMillis(200);

    /** One sweep of the real nightly-stop function, as if it ran at {@code at}. */
    static JsonNode sweepAt(WireFixture local, Instant at) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ScheduledStopHandler(local.ec2, local.box, Notifier.NONE, Clock.fixed(at, ZoneOffset.UTC), Sleeper.REAL)
                .handleRequest(new ByteArrayInputStream("{\"trigger\":\"sweep\"}".getBytes(StandardCharsets.UTF_8)),
                        out, null);
        return WireFixture.JSON.readTree(out.toByteArray());
    }

    /** The issue's sequence: start, snooze 30, stop, start. The new run answers the nightly time. */
    @Test
    void aSnoozeFromTheRunBeforeDoesNotFollowTheBoxIntoItsNextRun() throws Exception {
        try (WireFixture local = new WireFixture(START, STOP)) {
            StopPolicy policy = local.box.policy();
            assertEquals(202, local.call("POST", "/start").status());
            local.awaitState("running");
            Reply snoozed = local.call("POST", "/snooze?minutes=30");
            assertEquals(200, snoozed.status(), snoozed.json().toString());
            Instant oldSnooze = Instant.parse(snoozed.json().path("box").path("snoozedUntil").asText());
            assertEquals(202, local.call("POST", "/stop").status());
            local.awaitState("stopped");

            Reply again = local.call("POST", "/start");
            assertEquals(202, again.status(), again.json().toString());
            Reply running = local.awaitState("running");
            Instant launched = Instant.parse(running.field("launchTime"));
            Instant unsnoozed = policy.deadline(launched, null);
            assertTrue(again.field("message").contains("It stops at "
                    + ZoneTimes.clockWithDay(unsnoozed, Instant.now(), policy.zone())), again.field("message"));
            assertFalse(again.field("message").contains(ZoneTimes.time(oldSnooze, policy.zone())),
                    "not the old snooze's end: " + again.field("message"));
            assertTrue(running.json().path("snoozedUntil").isNull(), running.json().toString());
            assertEquals(unsnoozed, Instant.parse(running.field("nextAutomaticStop")));

            // The sweep just after the old snooze's end leaves the new run alone (it was stopped "at the end
            // of its snooze" five minutes into the run); at the new run's own deadline it stops it.
            local.sim.resetCalls();
            JsonNode report = sweepAt(local, oldSnooze.plusSeconds(60));
            assertEquals(0, report.path("stopped").size(), report.toString());
            assertEquals(0, local.sim.calls("StopInstances"));
            assertEquals("running", local.sim.state().stateOf(local.box.instanceId()));
            sweepAt(local, unsnoozed.plusSeconds(60));
            assertEquals(1, local.sim.calls("StopInstances"));
        }
    }

    /** A run started 20 hours ago (the simulator's clock runs 20 h behind the handlers'). */
    @Test
    void aSnoozePastTheCeilingIsRefusedAndTheSweepStopsTheRunAtIt() throws Exception {
        Clock twentyHoursAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-20));
        try (WireFixture local = new WireFixture(twentyHoursAgo, START, STOP)) {
            assertEquals(202, local.call("POST", "/start").status());
            Instant launched = Instant.parse(local.awaitState("running").field("launchTime"));
            local.sim.resetCalls();

            Reply refused = local.call("POST", "/snooze?minutes=720");
            assertEquals(409, refused.status(), refused.json().toString());
            assertEquals("run_limit", refused.field("error"));
            assertTrue(refused.field("message").startsWith("A run may last at most 24 h 0 min (MaxRunHours, a"
                    + " parameter of the stack)"), refused.field("message"));
            assertEquals(0, local.sim.calls("CreateTags"), "nothing written for a refused snooze");

            Reply within = local.call("POST", "/snooze?minutes=200");
            assertEquals(200, within.status(), within.json().toString());
            Instant ceiling = launched.plus(Duration.ofHours(24)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            assertFalse(Instant.parse(local.call("GET", "/status").field("nextAutomaticStop")).isAfter(ceiling));

            // The snooze tag edited by hand to run on for 10 more hours: the sweep stops the run at its ceiling.
            local.ec2.createTags(r -> r.resources(local.box.instanceId()).tags(t -> t.key("gpubox:snooze-until")
                    .value(Instant.now().plus(Duration.ofHours(10)) + " " + launched)));
            assertEquals(0, sweepAt(local, ceiling.minusSeconds(60)).path("stopped").size());
            JsonNode report = sweepAt(local, ceiling.plusSeconds(30));
            assertEquals(1, report.path("stopped").size(), report.toString());
            assertEquals(1, local.sim.calls("StopInstances"));
            assertEquals("max-run@" + ceiling, local.ec2.describeInstances(r -> r.instanceIds(local.box.instanceId()))
                    .reservations().get(0).instances().get(0).tags().stream()
                    .filter(t -> t.key().equals("gpubox:stop-reason")).findFirst().orElseThrow().value());
        }
    }

    @Test
    void localModeTakesMaxRunHours() {
        BoxConfig off = new BoxConfig(null, null, null, null, "ubuntu",
                LocalMode.Options.parse(new String[] {"--max-run-hours", "0"}).settings());
        assertEquals(Duration.ZERO, off.policy().maxRun());
        assertEquals(Duration.ofHours(24), new BoxConfig(null, null, null, null, "ubuntu",
                LocalMode.Options.parse(new String[0]).settings()).policy().maxRun());
    }
}
