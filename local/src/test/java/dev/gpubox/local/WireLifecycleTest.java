package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.local.WireFixture.Reply;
import dev.gpubox.sim.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every handler through the local API over HTTP, against the simulator over HTTP, through the real AWS
 * SDK: the lifecycle, idempotency and every error of docs/api.md.
 */
class WireLifecycleTest {
    WireFixture local;

    @BeforeEach
    void start() throws Exception {
        local = new WireFixture(Duration.ofMillis(400), Duration.ofMillis(300));
    }

    @AfterEach
    void stop() {
        local.close();
    }

    @Test
    void fullLifecycle() throws Exception {
        Reply status = local.call("GET", "/status");
        assertEquals(200, status.status());
        assertEquals("stopped", status.field("state"));
        String eip = status.field("elasticIp");
        assertTrue(status.json().path("elasticIpAttached").asBoolean());
        assertEquals("us-west-2a", status.field("availabilityZone"), "the simulator's placement: " + status.json());

        Reply start = local.call("POST", "/start");
        assertEquals(202, start.status());
        assertEquals("start_issued", start.field("result"));
        assertTrue(start.field("message").startsWith("GPU box is starting (g4dn.xlarge); it will be at " + eip
                + ". It stops at "), start.field("message"));
        assertEquals("pending", local.call("GET", "/status").field("state"));

        Reply running = local.awaitState("running");
        assertEquals(eip, running.field("publicIp"), "the Elastic IP is the box's address");
        assertEquals("ssh -i ~/.ssh/my-laptop.pem ubuntu@" + eip, running.field("ssh"));
        assertFalse(running.json().path("launchTime").isNull());
        assertTrue(running.json().path("uptimeSeconds").asLong() >= 0);

        Reply stop = local.call("POST", "/stop");
        assertEquals(202, stop.status());
        assertEquals("stopping", local.call("GET", "/status").field("state"));
        local.awaitState("stopped");

        Reply nightly = local.call("POST", LocalApi.SCHEDULED_STOP_PATH);
        assertEquals(200, nightly.status());
        assertEquals(0, nightly.json().path("report").path("stopped").size(), "nothing running, nothing stopped");
        assertEquals(1, nightly.json().path("report").path("alreadyStopped").size());
    }

    @Test
    void snoozeKeepsTheBoxOnThroughTheNightlyStopUntilCancelled() {
        local.call("POST", "/start?wait=10");
        Reply snooze = local.call("POST", "/snooze?minutes=120");
        assertEquals(200, snooze.status(), snooze.json().toString());
        assertEquals("snoozed", snooze.field("result"));
        Reply status = local.call("GET", "/status");
        assertEquals(status.field("snoozedUntil"), status.field("nextAutomaticStop"));

        Reply nightly = local.call("POST", LocalApi.SCHEDULED_STOP_PATH);
        assertEquals(0, nightly.json().path("report").path("stopped").size(), "tonight's stop skips a snoozed box");
        assertTrue(nightly.json().path("report").path("skipped").path(local.box.instanceId()).asText()
                .startsWith("snoozed until"));

        assertEquals("snooze_cancelled", local.call("DELETE", "/snooze").field("result"));
        assertEquals("not_snoozed", local.call("DELETE", "/snooze").field("result"));
        assertEquals(1, local.call("POST", LocalApi.SCHEDULED_STOP_PATH).json().path("report").path("stopped").size());
        assertEquals(400, local.call("POST", "/snooze?until=noon").status());
    }

    @Test
    void startWithWaitAnswersWithTheRunningAddress() {
        Reply start = local.call("POST", "/start?wait=10");
        assertEquals(202, start.status());
        assertEquals("running", start.json().path("box").path("state").asText());
        assertTrue(start.field("message").startsWith("GPU box is running (g4dn.xlarge) at 203.0.113."));
    }

    @Test
    void startAndStopAreIdempotent() throws Exception {
        assertEquals(202, local.call("POST", "/start").status());
        Reply again = local.call("POST", "/start");
        assertEquals(200, again.status());
        assertEquals("already_starting", again.field("result"));
        local.awaitState("running");
        assertEquals("already_running", local.call("POST", "/start").field("result"));
        assertEquals(1, local.sim.calls("StartInstances"), "no second StartInstances for a running box");

        assertEquals(202, local.call("POST", "/stop").status());
        assertEquals("already_stopping", local.call("POST", "/stop").field("result"));
        local.awaitState("stopped");
        Reply stopped = local.call("POST", "/stop");
        assertEquals(200, stopped.status());
        assertEquals("already_stopped", stopped.field("result"));
        assertEquals(1, local.sim.calls("StopInstances"));
    }

    @Test
    void twoConcurrentStartsLeaveOneRunningBoxAndNoError() throws Exception {
        CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> local.call("POST", "/start"));
        CompletableFuture<Reply> second = CompletableFuture.supplyAsync(() -> local.call("POST", "/start"));
        for (Reply reply : List.of(first.get(), second.get())) {
            assertTrue(reply.status() == 200 || reply.status() == 202, reply.json().toString());
        }
        local.awaitState("running");
        assertEquals(1, local.sim.state().count("running"));
    }

    @Test
    void elasticIpRepairAndConflict() {
        assertEquals("eip_already_attached", local.call("POST", "/eip").field("result"));
        String intruder = local.sim.state().seedInstance("t3.micro", "k", "running", Map.of());
        local.sim.state().associateAddress(local.box.eipAllocationId(), intruder, true);
        assertFalse(local.call("GET", "/status").json().path("elasticIpAttached").asBoolean());

        Reply conflict = local.call("POST", "/eip");
        assertEquals(409, conflict.status());
        assertEquals("eip_in_use", conflict.field("error"));
        assertTrue(conflict.field("message").contains(intruder));

        Reply forced = local.call("POST", "/eip?force=true");
        assertEquals(200, forced.status());
        assertEquals("eip_attached", forced.field("result"));
        assertTrue(local.call("GET", "/status").json().path("elasticIpAttached").asBoolean());
    }

    @Test
    void theFrontDoorRefusesLikeApiGateway() {
        Reply noKey = local.call("GET", "/status", null);
        assertEquals(403, noKey.status());
        assertEquals("invalid_api_key", noKey.field("error"));
        assertTrue(noKey.field("message").contains("x-api-key"), noKey.field("message"));
        assertEquals(403, local.call("POST", "/start", "wrong-key").status());
        assertEquals(0, local.sim.calls("DescribeInstances"), "no handler ran");

        Reply unknown = local.call("GET", "/reboot");
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.field("error"));
    }

    @Test
    void badInputIsRefusedBeforeAnyEc2Call() {
        Reply wrongMethod = local.call("GET", "/start");
        assertEquals(405, wrongMethod.status());
        assertEquals("POST", wrongMethod.raw().headers().firstValue("Allow").orElse(""));
        Reply badWait = local.call("POST", "/start?wait=abc");
        assertEquals(400, badWait.status());
        assertEquals("bad_request", badWait.field("error"));
        assertEquals(400, local.call("POST", "/start?wait=26").status());
        assertEquals(400, local.call("POST", "/eip?force=perhaps").status());
        assertEquals(0, local.sim.calls("DescribeInstances") + local.sim.calls("StartInstances"));
    }

    @Test
    void startWhileStoppingIsAConflictWithRetryAfter() throws Exception {
        local.call("POST", "/start?wait=10");
        local.call("POST", "/stop");
        Reply conflict = local.call("POST", "/start");
        assertEquals(409, conflict.status());
        assertEquals("wrong_state", conflict.field("error"));
        assertEquals("30", conflict.raw().headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void throttlingIsRetriedBySdkAndThenSucceeds() {
        local.sim.faults().inject("StartInstances", Fault.THROTTLING, 2);
        Reply start = local.call("POST", "/start");
        assertEquals(202, start.status());
        assertEquals(3, local.sim.calls("StartInstances"), "two throttled attempts, then the one that worked");
    }

    @Test
    void persistentThrottlingIs503WithRetryHint() {
        local.sim.faults().inject("DescribeInstances", Fault.THROTTLING, 10);
        Reply reply = local.call("GET", "/status");
        assertEquals(503, reply.status());
        assertEquals("throttled", reply.field("error"));
        assertTrue(reply.raw().headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void capacityErrorIs503WithTheAwsRequestId() {
        local.sim.faults().inject("StartInstances", Fault.INSUFFICIENT_CAPACITY, 10);
        Reply reply = local.call("POST", "/start");
        assertEquals(503, reply.status());
        assertEquals("insufficient_capacity", reply.field("error"));
        assertEquals("300", reply.raw().headers().firstValue("Retry-After").orElse(""));
        assertFalse(reply.field("awsRequestId").isEmpty());
        assertEquals("stopped", local.sim.state().stateOf(local.box.instanceId()));
    }

    @Test
    void vcpuQuotaIs403WithWhatToRequest() {
        local.sim.faults().inject("StartInstances", Fault.VCPU_LIMIT, 1);
        Reply reply = local.call("POST", "/start");
        assertEquals(403, reply.status());
        assertEquals("vcpu_quota", reply.field("error"));
        assertTrue(reply.field("message").contains("at least 4 vCPUs"));
        assertEquals(1, local.sim.calls("StartInstances"), "a quota error is not retried");
    }

    @Test
    void otherAwsFailuresAre502WithTheRequestId() {
        local.sim.faults().inject("StopInstances", Fault.INTERNAL_ERROR, 10);
        local.call("POST", "/start?wait=10");
        Reply reply = local.call("POST", "/stop");
        assertEquals(502, reply.status());
        assertEquals("aws_error", reply.field("error"));
        assertFalse(reply.field("awsRequestId").isEmpty());
        assertFalse(reply.raw().body().contains("Exception"), "no stack trace, no exception names");
    }

    @Test
    void aBoxEc2DoesNotKnowIs404() throws Exception {
        BoxConfig ghost = new BoxConfig("i-0aaaaaaaaaaaaaaaa", local.box.eipAllocationId(), "gpubox:stack", "x", "ubuntu");
        try (LocalApi api = LocalApi.start(0, WireFixture.KEY, local.ec2, ghost)) {
            var response = local.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + "/status"))
                    .header("x-api-key", WireFixture.KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
            assertTrue(response.body().contains("\"not_found\""));
        }
    }

    @Test
    void scheduledStopOfAThousandBoxesPagesAndBatches() {
        List<String> fleet = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            fleet.add(local.sim.state().seedInstance("g4dn.xlarge", "k", "running",
                    Map.of(SeededBox.TAG_KEY, SeededBox.STACK)));
        }
        local.sim.state().seedInstance("g4dn.xlarge", "k", "running", Map.of(SeededBox.TAG_KEY, "another-stack"));
        local.sim.resetCalls();

        Reply reply = local.call("POST", LocalApi.SCHEDULED_STOP_PATH);

        assertEquals(200, reply.status(), reply.json().toString());
        assertEquals(1000, reply.json().path("report").path("stopped").size());
        assertEquals(1, reply.json().path("report").path("alreadyStopped").size(), "the stack's own stopped box");
        // 1,001 tagged boxes at 1,000 a page: two describes; 1,000 running in batches of 50: twenty stops.
        // two pages of the fleet, and one look-up of the box's security group by the sweep's SSH clean-up
        assertEquals(3, local.sim.calls("DescribeInstances"));
        assertEquals(20, local.sim.calls("StopInstances"));
        assertEquals(20, local.sim.calls("CreateTags"), "one stop-reason tag per batch of stopped boxes");
        assertEquals(1, local.sim.state().count("running"), "the other stack's box is left alone");
        assertNotEquals("running", local.sim.state().stateOf(fleet.get(999)));
    }
}
