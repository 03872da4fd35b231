package dev.gpubox.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Tag;

/** The simulator through the real AWS SDK over HTTP: EC2's shapes, rules, errors and timing. */
class Ec2SimulatorTest {
    /** A clock the test moves by hand, so transitions happen exactly when the test says. */
    static final class ManualClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-29T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final ManualClock clock = new ManualClock();
    Ec2Simulator sim;
    Ec2Client ec2;

    @BeforeEach
    void start() throws Exception {
        sim = Ec2Simulator.start(0, clock, Duration.ofSeconds(30), Duration.ofSeconds(20));
        // Test code may name the endpoint; the handlers never do (see Endpoints and EndpointVariablesIT).
        ec2 = Ec2Client.builder()
                .endpointOverride(sim.endpoint())
                .region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .build();
    }

    @AfterEach
    void stop() {
        ec2.close();
        sim.close();
    }

    private String seed(String state, Map<String, String> tags) {
        return sim.state().seedInstance("g4dn.xlarge", "key", state, tags);
    }

    private Instance describe(String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    private static String code(Runnable call) {
        return assertThrows(Ec2Exception.class, call::run).awsErrorDetails().errorCode();
    }

    @Test
    void startIsPendingUntilTheDelayThenRunningWithAFreshPublicIp() {
        String id = seed("stopped", Map.of("Name", "box"));
        assertNull(describe(id).publicIpAddress());
        var change = ec2.startInstances(r -> r.instanceIds(id)).startingInstances().get(0);
        assertEquals(InstanceStateName.STOPPED, change.previousState().name());
        assertEquals(InstanceStateName.PENDING, change.currentState().name());
        assertEquals(InstanceStateName.PENDING, describe(id).state().name());
        clock.advance(Duration.ofSeconds(30));
        Instance running = describe(id);
        assertEquals(InstanceStateName.RUNNING, running.state().name());
        assertEquals(16, running.state().code());
        assertEquals("g4dn.xlarge", running.instanceTypeAsString());
        assertEquals(clock.now.minusSeconds(30), running.launchTime());
        assertEquals(List.of(Tag.builder().key("Name").value("box").build()), running.tags());
        String firstIp = running.publicIpAddress();
        assertNotNull(firstIp);

        ec2.stopInstances(r -> r.instanceIds(id));
        assertEquals(InstanceStateName.STOPPING, describe(id).state().name());
        clock.advance(Duration.ofSeconds(20));
        assertEquals(InstanceStateName.STOPPED, describe(id).state().name());
        assertNull(describe(id).publicIpAddress());

        ec2.startInstances(r -> r.instanceIds(id));
        assertNotEquals(firstIp, describe(id).publicIpAddress(), "a new public IP on every start");
    }

    @Test
    void anAssociatedElasticIpSurvivesStopAndStart() {
        String id = seed("running", Map.of());
        String allocation = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
        String eip = ec2.describeAddresses(r -> r.allocationIds(allocation)).addresses().get(0).publicIp();
        ec2.associateAddress(r -> r.allocationId(allocation).instanceId(id));
        assertEquals(eip, describe(id).publicIpAddress());
        ec2.stopInstances(r -> r.instanceIds(id));
        clock.advance(Duration.ofSeconds(20));
        ec2.startInstances(r -> r.instanceIds(id));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(eip, describe(id).publicIpAddress());
        Address address = ec2.describeAddresses(r -> r.allocationIds(allocation)).addresses().get(0);
        assertEquals(id, address.instanceId());
        assertNotNull(address.associationId());
    }

    @Test
    void invalidTransitionsAreIncorrectInstanceState() {
        String id = seed("running", Map.of());
        ec2.stopInstances(r -> r.instanceIds(id));
        assertEquals("IncorrectInstanceState", code(() -> ec2.startInstances(r -> r.instanceIds(id))));
        clock.advance(Duration.ofSeconds(20));
        ec2.startInstances(r -> r.instanceIds(id));
        assertEquals("IncorrectInstanceState", code(() -> ec2.stopInstances(r -> r.instanceIds(id))));
        // Starting a pending or running box, or stopping a stopping one, is not an error in EC2.
        assertEquals(InstanceStateName.PENDING,
                ec2.startInstances(r -> r.instanceIds(id)).startingInstances().get(0).currentState().name());
    }

    @Test
    void malformedAndUnknownIdsAreDifferentErrors() {
        assertEquals("InvalidInstanceID.Malformed", code(() -> ec2.describeInstances(r -> r.instanceIds("box-1"))));
        assertEquals("InvalidInstanceID.NotFound",
                code(() -> ec2.describeInstances(r -> r.instanceIds("i-0123456789abcdef0"))));
        assertEquals("InvalidAllocationID.NotFound",
                code(() -> ec2.describeAddresses(r -> r.allocationIds("eipalloc-0123456789abcdef0"))));
        Ec2Exception e = assertThrows(Ec2Exception.class,
                () -> ec2.startInstances(r -> r.instanceIds("i-0123456789abcdef0")));
        assertEquals(400, e.statusCode());
        assertNotNull(e.requestId(), "the RequestID of the error envelope reaches the SDK");
    }

    @Test
    void filtersAndPagingWorkLikeEc2() {
        for (int i = 0; i < 12; i++) {
            seed(i % 3 == 0 ? "stopped" : "running", Map.of("team", i < 9 ? "ml" : "web"));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            DescribeInstancesResponse page = ec2.describeInstances(r -> r.maxResults(5).nextToken(t).filters(
                    Filter.builder().name("tag:team").values("ml").build(),
                    Filter.builder().name("instance-state-name").values("running").build()));
            page.reservations().forEach(res -> res.instances().forEach(i -> seen.add(i.instanceId())));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertEquals(6, seen.size());
        assertEquals(2, pages);
        assertEquals(6, new HashSet<>(seen).size());
        assertEquals("InvalidParameterValue", code(() -> ec2.describeInstances(r -> r.maxResults(2000))));
        assertEquals("InvalidParameterCombination",
                code(() -> ec2.describeInstances(r -> r.maxResults(5).instanceIds(seen.get(0)))));
    }

    @Test
    void elasticIpAssociationErrorsAreAwsErrors() {
        String a = seed("running", Map.of());
        String b = seed("stopped", Map.of());
        String allocation = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
        String association = ec2.associateAddress(r -> r.allocationId(allocation).instanceId(a)).associationId();
        assertEquals("Resource.AlreadyAssociated",
                code(() -> ec2.associateAddress(r -> r.allocationId(allocation).instanceId(b))));
        ec2.associateAddress(r -> r.allocationId(allocation).instanceId(b).allowReassociation(true));
        assertEquals(b, ec2.describeAddresses(r -> r.allocationIds(allocation)).addresses().get(0).instanceId());
        assertNotNull(describe(a).publicIpAddress(), "a running box that loses its EIP gets a public IP back");
        assertEquals("InvalidAssociationID.NotFound",
                code(() -> ec2.disassociateAddress(r -> r.associationId(association))));
        String current = ec2.describeAddresses(r -> r.allocationIds(allocation)).addresses().get(0).associationId();
        ec2.disassociateAddress(r -> r.associationId(current));
        assertNull(ec2.describeAddresses(r -> r.allocationIds(allocation)).addresses().get(0).instanceId());
    }

    @Test
    void tagsCanBeCreatedDeletedAndFilteredOn() {
        String id = seed("running", Map.of());
        ec2.createTags(r -> r.resources(id).tags(Tag.builder().key("gpubox:stack").value("s").build(),
                Tag.builder().key("keep").value("1").build()));
        assertEquals(1, ec2.describeInstances(r -> r.filters(Filter.builder().name("tag:gpubox:stack").values("s")
                .build())).reservations().size());
        ec2.deleteTags(r -> r.resources(id).tags(Tag.builder().key("gpubox:stack").build()));
        assertEquals(List.of(Tag.builder().key("keep").value("1").build()), describe(id).tags());
    }

    @Test
    void instanceStatusListsRunningBoxesUnlessAllAreAskedFor() {
        seed("running", Map.of());
        seed("stopped", Map.of());
        assertEquals(1, ec2.describeInstanceStatus(r -> r.includeAllInstances(false)).instanceStatuses().size());
        var all = ec2.describeInstanceStatus(r -> r.includeAllInstances(true)).instanceStatuses();
        assertEquals(2, all.size());
        assertEquals("ok", all.get(0).systemStatus().statusAsString());
    }

    @Test
    void unmodelledAndUnknownActionsGetAwsErrorsNotCrashes() throws Exception {
        assertEquals("UnsupportedOperation", code(() -> ec2.runInstances(r -> r.imageId("ami-1").minCount(1).maxCount(1))));
        HttpResponse<String> unknown = post("Action=FlyToTheMoon&Version=2016-11-15", true);
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("<Code>InvalidAction</Code>") && unknown.body().contains("<RequestID>"));
        HttpResponse<String> unsigned = post("Action=DescribeInstances&Version=2016-11-15", false);
        assertEquals(401, unsigned.statusCode());
        assertTrue(unsigned.body().contains("<Code>AuthFailure</Code>"));
        assertTrue(post("", true).body().contains("MissingAction"));
    }

    private HttpResponse<String> post(String form, boolean signed) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sim.endpoint())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (signed) {
            request.header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261129/us-west-2/ec2/aws4_request");
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void injectedFaultsAreServedAsEc2ServesThemThenClear() {
        String id = seed("stopped", Map.of());
        sim.faults().inject("StartInstances", Fault.VCPU_LIMIT, 1);
        Ec2Exception quota = assertThrows(Ec2Exception.class, () -> ec2.startInstances(r -> r.instanceIds(id)));
        assertEquals("VcpuLimitExceeded", quota.awsErrorDetails().errorCode());
        assertEquals(400, quota.statusCode());
        // Throttling twice: the SDK's standard retries absorb it.
        sim.faults().inject("StartInstances", Fault.THROTTLING, 2);
        sim.resetCalls();
        ec2.startInstances(r -> r.instanceIds(id));
        assertEquals(3, sim.calls("StartInstances"));
        sim.faults().inject(Faults.ANY_ACTION, Fault.INTERNAL_ERROR, 3);
        SdkServiceException internal = assertThrows(SdkServiceException.class, () -> describe(id));
        assertEquals(500, internal.statusCode());
    }

    @Test
    void slowRepliesAreSlow() {
        String id = seed("stopped", Map.of());
        sim.faults().delay(Duration.ofMillis(400));
        long started = System.nanoTime();
        describe(id);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 400);
        sim.faults().clear();
    }

    @Test
    void oneBoxCanBeMadeToFailAmongMany() {
        String good = seed("running", Map.of());
        String bad = seed("running", Map.of());
        sim.faults().injectFor("StopInstances", bad, Fault.VCPU_LIMIT, 1);
        ec2.stopInstances(r -> r.instanceIds(good));
        assertEquals("VcpuLimitExceeded", code(() -> ec2.stopInstances(r -> r.instanceIds(good, bad))));
        ec2.stopInstances(r -> r.instanceIds(bad));
    }

    @Test
    void stateChangesAreKeptAsEventBridgeWouldDeliverThem() {
        String id = seed("stopped", Map.of());
        ec2.startInstances(r -> r.instanceIds(id));
        clock.advance(Duration.ofSeconds(30));
        ec2.stopInstances(r -> r.instanceIds(id));
        clock.advance(Duration.ofSeconds(20));
        List<Ec2State.StateEvent> events = sim.state().drainEvents();
        assertEquals(List.of(new Ec2State.StateEvent(id, "running", Instant.parse("2026-11-29T12:00:30Z")),
                new Ec2State.StateEvent(id, "stopping", Instant.parse("2026-11-29T12:00:30Z")),
                new Ec2State.StateEvent(id, "stopped", Instant.parse("2026-11-29T12:00:50Z"))), events);
        assertEquals(List.of(), sim.state().drainEvents(), "each event once");
    }

    @Test
    void concurrentRequestsLeaveAConsistentAccount() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(seed("stopped", Map.of("fleet", "x")));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (String id : ids) {
                work.add(pool.submit(() -> ec2.startInstances(r -> r.instanceIds(id))));
                work.add(pool.submit(() -> ec2.startInstances(r -> r.instanceIds(id))));
                work.add(pool.submit(() -> ec2.describeInstances(r -> r.filters(Filter.builder().name("tag:fleet")
                        .values("x").build()))));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        clock.advance(Duration.ofSeconds(30));
        assertEquals(40, sim.state().count("running"));
        Set<String> ips = new HashSet<>();
        ids.forEach(id -> ips.add(sim.state().publicIpOf(id)));
        assertEquals(40, ips.size(), "every running box has its own address");
    }
}
