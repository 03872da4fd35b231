package dev.gpubox.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;

/** The simulator's persistent Spot requests through the real SDK: EC2's states, status codes, errors and events. */
class SpotRequestsTest {
    final Ec2SimulatorTest.ManualClock clock = new Ec2SimulatorTest.ManualClock();
    Ec2Simulator sim;
    Ec2Client ec2;
    String box;

    @BeforeEach
    void start() throws Exception {
        sim = Ec2Simulator.start(0, clock, Duration.ofSeconds(30), Duration.ofSeconds(20));
        ec2 = Ec2Client.builder().endpointOverride(sim.endpoint()).region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(s -> s.maxAttempts(1)))
                .build();
        box = sim.state().seedSpotInstance("g4dn.xlarge", "key", "running", Map.of("Name", "spot"));
    }

    @AfterEach
    void stop() {
        ec2.close();
        sim.close();
    }

    private Instance describe() {
        return ec2.describeInstances(r -> r.instanceIds(box)).reservations().get(0).instances().get(0);
    }

    private SpotInstanceRequest request() {
        String id = describe().spotInstanceRequestId();
        return ec2.describeSpotInstanceRequests(r -> r.spotInstanceRequestIds(id)).spotInstanceRequests().get(0);
    }

    private Ec2Exception refused(Runnable call) {
        return assertThrows(Ec2Exception.class, call::run);
    }

    @Test
    void aSpotBoxCarriesItsLifecycleAndItsPersistentRequest() {
        Instance i = describe();
        assertEquals(InstanceLifecycleType.SPOT, i.instanceLifecycle());
        SpotInstanceRequest r = request();
        assertEquals(i.spotInstanceRequestId(), r.spotInstanceRequestId());
        assertEquals(box, r.instanceId());
        assertEquals("active", r.stateAsString());
        assertEquals("fulfilled", r.status().code());
        assertEquals("persistent", r.typeAsString());
        assertEquals("stop", r.instanceInterruptionBehaviorAsString());
        String other = sim.state().seedInstance("g4dn.xlarge", "key", "stopped", Map.of());
        Instance onDemand = ec2.describeInstances(r2 -> r2.instanceIds(other)).reservations().get(0).instances().get(0);
        assertNull(onDemand.instanceLifecycle());
        assertEquals("InvalidSpotInstanceRequestID.NotFound",
                refused(() -> ec2.describeSpotInstanceRequests(q -> q.spotInstanceRequestIds("sir-00000000")))
                        .awsErrorDetails().errorCode());
    }

    @Test
    void aStartRightAfterAStopIsIncorrectSpotRequestStateThenWorks() {
        ec2.stopInstances(r -> r.instanceIds(box));
        assertEquals("marked-for-stop", request().status().code());
        clock.advance(Duration.ofSeconds(21));
        assertEquals("stopped", describe().state().nameAsString());
        Ec2Exception early = refused(() -> ec2.startInstances(r -> r.instanceIds(box)));
        assertEquals("IncorrectSpotRequestState", early.awsErrorDetails().errorCode());
        assertEquals(400, early.statusCode());
        clock.advance(Duration.ofSeconds(5));
        assertEquals("disabled", request().stateAsString());
        assertEquals("instance-stopped-by-user", request().status().code());
        ec2.startInstances(r -> r.instanceIds(box));
        assertEquals("fulfilled", request().status().code());
        assertEquals("active", request().stateAsString());
    }

    @Test
    void anInterruptionWarnsStopsAndOnlyEc2RestartsTheBoxWhenCapacityReturns() {
        sim.state().spotRequests().interrupt(box, SpotRequests.TWO_MINUTES);
        List<SpotRequests.Notice> notices = sim.state().spotRequests().drainNotices();
        assertEquals(1, notices.size());
        assertEquals(SpotRequests.INTERRUPTION_WARNING, notices.get(0).detailType());
        assertEquals("stop", notices.get(0).instanceAction());
        assertEquals("marked-for-stop", request().status().code());
        assertEquals("running", describe().state().nameAsString());
        clock.advance(Duration.ofMinutes(2));
        assertEquals("stopping", describe().state().nameAsString());
        clock.advance(Duration.ofSeconds(20));
        Instance stopped = describe();
        assertEquals("stopped", stopped.state().nameAsString());
        assertEquals("Server.SpotInstanceShutdown", stopped.stateReason().code());
        assertEquals("disabled", request().stateAsString());
        assertEquals("instance-stopped-no-capacity", request().status().code());
        assertEquals("IncorrectSpotRequestState",
                refused(() -> ec2.startInstances(r -> r.instanceIds(box))).awsErrorDetails().errorCode());
        assertTrue(sim.state().drainEvents().stream().anyMatch(e -> e.state().equals("stopped")));

        sim.state().spotRequests().restoreCapacity();
        assertEquals("pending", describe().state().nameAsString());
        clock.advance(Duration.ofSeconds(30));
        assertEquals("running", describe().state().nameAsString());
        assertEquals("fulfilled", request().status().code());
    }

    @Test
    void withoutSpotCapacityAUserStartIsRefusedInSpotsWords() {
        ec2.stopInstances(r -> r.instanceIds(box));
        clock.advance(Duration.ofSeconds(30));
        sim.state().spotRequests().removeCapacity();
        Ec2Exception e = refused(() -> ec2.startInstances(r -> r.instanceIds(box)));
        assertEquals("InsufficientInstanceCapacity", e.awsErrorDetails().errorCode());
        assertEquals("There is no Spot capacity available that matches your request.", e.awsErrorDetails().errorMessage());
        assertEquals("UnsupportedOperation", refused(() -> ec2.modifyInstanceAttribute(r -> r.instanceId(box)
                .instanceType(v -> v.value("g5.xlarge")))).awsErrorDetails().errorCode());
    }

    @Test
    void cancellingTheRequestOfAStoppedBoxTerminatesItButARunningOneKeepsRunning() {
        String id = describe().spotInstanceRequestId();
        assertEquals("cancelled", ec2.cancelSpotInstanceRequests(r -> r.spotInstanceRequestIds(id))
                .cancelledSpotInstanceRequests().get(0).stateAsString());
        assertEquals("running", describe().state().nameAsString());
        assertEquals("request-canceled-and-instance-running", request().status().code());

        String stoppedBox = sim.state().seedSpotInstance("g4dn.xlarge", "key", "stopped", Map.of());
        String stoppedRequest = sim.state().spotRequests().requestOf(stoppedBox).get(0);
        ec2.cancelSpotInstanceRequests(r -> r.spotInstanceRequestIds(stoppedRequest));
        assertEquals("terminated", sim.state().stateOf(stoppedBox));
    }
}
