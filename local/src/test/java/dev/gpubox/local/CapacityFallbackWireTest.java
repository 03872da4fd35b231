package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;

/**
 * Issue 17 point 1 at the wire: the simulator with capacity faults per type (local mode's
 * {@code --sold-out TYPE[:late]}), through the real SDK, the real handlers and local mode's HTTP API, as a new
 * user sees it: a start of the sold-out preferred type ends with a running fall-back box.
 */
class CapacityFallbackWireTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "test-key-0123456789";

    record Reply(int status, JsonNode body) {
    }

    static Reply call(LocalApi api, String method, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("x-api-key", KEY).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    void soldOutPreferredTypeEndsRunningOnTheFallBack(boolean late) throws Exception {
        try (Ec2Simulator sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(1));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state(), "g5g.xlarge,g5.xlarge,g6.xlarge");
            sim.state().soldOut("g4dn.xlarge", late);
            try (LocalApi api = LocalApi.start(0, KEY, ec2, box)) {
                Reply start = call(api, "POST", "/start?wait=20");

                assertEquals(202, start.status(), start.body().toString());
                assertEquals("running", start.body().path("box").path("state").asText(), start.body().toString());
                assertEquals("g5.xlarge", start.body().path("box").path("instanceType").asText(),
                        "g5g.xlarge (arm64) cannot boot the disk: skipped");
                assertTrue(start.body().path("message").asText().contains(
                        "(g5.xlarge, not g4dn.xlarge: AWS had no capacity for it; ~$1.01/h)"), start.body().toString());
                assertEquals(1, sim.calls("ModifyInstanceAttribute"));
                // A refusal is a 500, which the SDK retries 3 times: 4 refused calls, then the fall-back's start.
                assertEquals(late ? 2 : 5, sim.calls("StartInstances"));

                Reply status = call(api, "GET", "/status");
                assertEquals("g5.xlarge", status.body().path("instanceType").asText());
                assertEquals("g4dn.xlarge", status.body().path("preferredType").asText());
                assertEquals(1.006, status.body().path("hourlyPriceUsd").asDouble(), "the price of the type running");
            }
        }
    }

    @Test
    void aStartRefusedForThePreferredTypeEndsRunningOnTheNextCompatibleType() throws Exception {
        soldOutPreferredTypeEndsRunningOnTheFallBack(false);
    }

    @Test
    void aStartAcceptedAndThenAbandonedForCapacityEndsRunningOnTheNextCompatibleType() throws Exception {
        soldOutPreferredTypeEndsRunningOnTheFallBack(true);
    }

    @Test
    void withoutAWaitTheStoppedEventFallsBackInTheBackgroundWithANotice() throws Exception {
        try (Ec2Simulator sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ofMillis(300), Duration.ofSeconds(1));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig box = SeededBox.seed(sim.state(), "g5.xlarge");
            sim.state().soldOut("g4dn.xlarge", true);
            List<String> notices = new ArrayList<>();
            StateChangeNotices events = new StateChangeNotices(ec2, box, (s, m) -> notices.add(m));
            try (LocalApi api = LocalApi.start(0, KEY, ec2, box)) {
                assertEquals(202, call(api, "POST", "/start").status());
                Thread.sleep(600);
                assertEquals("stopped", sim.state().stateOf(box.instanceId()), "EC2 gave up on g4dn.xlarge");
                for (Ec2State.StateEvent e : sim.state().drainEvents()) {
                    events.onStateChange(e.instanceId(), e.state(), e.time());
                }
                assertEquals(1, notices.size(), notices.toString());
                assertTrue(notices.get(0).contains("gpubox is starting it as g5.xlarge instead"), notices.get(0));
                assertEquals("g5.xlarge", sim.state().typeOf(box.instanceId()));
                Thread.sleep(600);
                assertEquals("running", call(api, "GET", "/status").body().path("state").asText());
            }
        }
    }

    /** EC2's rules for the modify call, as the simulator answers it through the SDK. */
    @Test
    void theSimulatorRefusesToChangeTheTypeOfARunningBoxAsEc2Does() throws Exception {
        try (Ec2Simulator sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ZERO, Duration.ZERO);
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            String running = sim.state().seedInstance("g4dn.xlarge", "k", "running", java.util.Map.of());
            AwsServiceException e = assertThrows(AwsServiceException.class, () -> ec2.modifyInstanceAttribute(
                    ModifyInstanceAttributeRequest.builder().instanceId(running)
                            .instanceType(AttributeValue.builder().value("g5.xlarge").build()).build()));
            assertEquals("IncorrectInstanceState", e.awsErrorDetails().errorCode());
            AwsServiceException unknown = assertThrows(AwsServiceException.class,
                    () -> ec2.describeInstanceTypes(
                    DescribeInstanceTypesRequest.builder().instanceTypesWithStrings("g4dn.xlarge", "g9.xlarge").build()));
            assertEquals("InvalidInstanceType", unknown.awsErrorDetails().errorCode());
            assertEquals("arm64", ec2.describeInstanceTypes(
                            DescribeInstanceTypesRequest.builder().instanceTypesWithStrings("g5g.xlarge").build())
                    .instanceTypes().get(0).processorInfo().supportedArchitecturesAsStrings().get(0));
        }
    }
}
