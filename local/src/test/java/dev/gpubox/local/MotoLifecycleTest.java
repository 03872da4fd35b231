package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.MotoServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The whole lifecycle through the same handler classes and the real SDK, against moto — an EC2
 * implementation that is not ours, so nothing here leans on our simulator's quirks. Every state is read
 * back from moto itself.
 */
class MotoLifecycleTest {
    /** An AMI moto ships in its default set (a Deep Learning AMI). */
    static final String AMI = MotoServer.AMI;
    static final String KEY = "moto-key";
    static final String STACK_TAG = "gpubox:stack";

    static MotoServer moto;
    static Ec2Client ec2;
    static LocalApi api;
    static BoxConfig config;
    static String box;
    static String sameStack;
    static String otherStack;
    static String untagged;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        ec2 = Endpoints.clientFor(moto.endpoint());
        box = launch(Map.of("Name", "gpubox-gpu", STACK_TAG, "moto-stack"));
        sameStack = launch(Map.of(STACK_TAG, "moto-stack"));
        otherStack = launch(Map.of(STACK_TAG, "another-stack"));
        untagged = launch(Map.of());
        ec2.stopInstances(r -> r.instanceIds(box));
        String allocation = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
        config = new BoxConfig(box, allocation, STACK_TAG, "moto-stack", "ubuntu");
        api = LocalApi.start(0, KEY, ec2, config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (ec2 != null) {
            ec2.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    static String launch(Map<String, String> tags) {
        var run = ec2.runInstances(r -> {
            r.imageId(AMI).instanceType(InstanceType.G4_DN_XLARGE).minCount(1).maxCount(1).keyName("my-laptop");
            if (!tags.isEmpty()) {
                r.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue())
                                .build()).toList()).build());
            }
        });
        return run.instances().get(0).instanceId();
    }

    /** The state as moto reports it, not as gpubox does. */
    static String motoState(String id) {
        Instance i = ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
        return i.state().nameAsString();
    }

    record Reply(int status, JsonNode json) {
        String field(String name) {
            return json.path(name).asText();
        }
    }

    static Reply call(String method, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("x-api-key", key);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), WireFixture.JSON.readTree(response.body()));
    }

    static Reply call(String method, String path) throws Exception {
        return call(method, path, KEY);
    }

    static Reply awaitRunning() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Reply status;
        do {
            status = call("GET", "/status");
            if (status.field("state").equals("running")) {
                return status;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("never running: " + status.json());
    }

    @Test
    void theWholeLifecycleAgainstMoto() throws Exception {
        Reply status = call("GET", "/status");
        assertEquals(200, status.status(), status.json().toString());
        assertEquals("stopped", status.field("state"));
        assertFalse(status.json().path("elasticIpAttached").asBoolean());
        // The zone as moto itself places the box (issue 14 point 4: where the disk is).
        String zone = ec2.describeInstances(r -> r.instanceIds(box)).reservations().get(0).instances().get(0)
                .placement().availabilityZone();
        assertFalse(zone == null || zone.isEmpty());
        assertEquals(zone, status.field("availabilityZone"), status.json().toString());

        Reply start = call("POST", "/start");
        assertEquals(202, start.status(), start.json().toString());
        assertEquals("start_issued", start.field("result"));
        awaitRunning();
        assertEquals("running", motoState(box));
        Reply second = call("POST", "/start");
        assertEquals(200, second.status());
        assertEquals("already_running", second.field("result"));

        // moto describes the free address with an empty <instanceId/>: that is "unattached", not a conflict.
        Reply eip = call("POST", "/eip");
        assertEquals(200, eip.status(), eip.json().toString());
        assertEquals("eip_attached", eip.field("result"));
        String address = ec2.describeAddresses(r -> r.allocationIds(config.eipAllocationId())).addresses().get(0)
                .instanceId();
        assertEquals(box, address, "moto has the address on the box");
        assertEquals("eip_already_attached", call("POST", "/eip").field("result"));
        assertTrue(call("GET", "/status").json().path("elasticIpAttached").asBoolean());

        Reply snooze = call("POST", "/snooze?minutes=90");
        assertEquals(200, snooze.status(), snooze.json().toString());
        assertFalse(call("GET", "/status").json().path("snoozedUntil").isNull());
        assertEquals("snooze_cancelled", call("DELETE", "/snooze").field("result"));
        assertEquals("not_snoozed", call("DELETE", "/snooze").field("result"));

        Reply nightly = call("POST", LocalApi.SCHEDULED_STOP_PATH);
        assertEquals(200, nightly.status(), nightly.json().toString());
        List<String> stopped = WireFixture.JSON.convertValue(nightly.json().path("report").path("stopped"),
                WireFixture.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        assertEquals(List.of(box, sameStack).stream().sorted().toList(), stopped.stream().sorted().toList());
        assertEquals("running", motoState(otherStack), "another stack's box is left alone");
        assertEquals("running", motoState(untagged), "an untagged instance is left alone");
        assertTrue(List.of("stopping", "stopped").contains(motoState(box)));

        awaitStopped(box);
        call("POST", "/start");
        awaitRunning();
        Reply stop = call("POST", "/stop");
        assertEquals(202, stop.status(), stop.json().toString());
        assertEquals("stop_issued", stop.field("result"));
        awaitStopped(box);
        assertEquals("already_stopped", call("POST", "/stop").field("result"));
    }

    static void awaitStopped(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!motoState(id).equals("stopped") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals("stopped", motoState(id));
    }

    @Test
    void errorsAgainstMoto() throws Exception {
        assertEquals(403, call("GET", "/status", null).status());
        assertEquals(403, call("POST", "/start", "wrong").status());
        Reply badWait = call("POST", "/start?wait=abc");
        assertEquals(400, badWait.status());
        assertEquals("bad_request", badWait.field("error"));

        BoxConfig ghost = new BoxConfig("i-0aaaaaaaaaaaaaaaa", config.eipAllocationId(), STACK_TAG, "moto-stack",
                "ubuntu");
        try (LocalApi ghostApi = LocalApi.start(0, KEY, ec2, ghost)) {
            HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(ghostApi.url() + "/status"))
                    .header("x-api-key", KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode(), missing.body());
            assertTrue(missing.body().contains("\"not_found\""));
        }

        // The wrong state, as moto reports it: a stopped box cannot be snoozed.
        ec2.stopInstances(r -> r.instanceIds(box));
        awaitStopped(box);
        Reply snooze = call("POST", "/snooze?minutes=30");
        assertEquals(409, snooze.status(), snooze.json().toString());
        assertEquals("wrong_state", snooze.field("error"));
    }
}
