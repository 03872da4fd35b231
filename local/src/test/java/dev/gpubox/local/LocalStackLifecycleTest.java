package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The same lifecycle against LocalStack's EC2, a second implementation of the API, so the handlers are not
 * only proven against our own simulator. Needs a Docker engine: without one JUnit reports this class as
 * skipped with {@link #NO_DOCKER} (./gpubox test lists it), it does not pass silently.
 */
@ExtendWith(LocalStackLifecycleTest.NeedsDocker.class)
class LocalStackLifecycleTest {
    static LocalStackContainer localstack;
    static Ec2Client ec2;
    static LocalApi api;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static final String NO_DOCKER = "LocalStack tier skipped: no Docker engine on this machine"
            + " (the moto and simulator tiers cover the same lifecycle)";

    /** Testcontainers' own disabledWithoutDocker, with a reason that says what the skip costs. */
    static final class NeedsDocker implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return DockerClientFactory.instance().isDockerAvailable()
                    ? ConditionEvaluationResult.enabled("a Docker engine is there")
                    : ConditionEvaluationResult.disabled(NO_DOCKER);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4")).withServices("ec2");
        localstack.start();
        ec2 = Endpoints.clientFor(localstack.getEndpoint());
        String box = ec2.runInstances(r -> r.imageId("ami-df5de72bdb3b").instanceType(InstanceType.G4_DN_XLARGE)
                .minCount(1).maxCount(1).keyName("my-laptop")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(Tag.builder().key("gpubox:stack").value("localstack").build()).build()))
                .instances().get(0).instanceId();
        String allocation = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
        ec2.associateAddress(r -> r.allocationId(allocation).instanceId(box));
        api = LocalApi.start(0, "k", ec2, new BoxConfig(box, allocation, "gpubox:stack", "localstack", "ubuntu"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
    }

    private static HttpResponse<String> call(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path)).header("x-api-key", "k")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (call("GET", "/status").body().contains("\"state\":\"" + state + "\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never " + state);
    }

    @Test
    void lifecycle() throws Exception {
        assertEquals(200, call("GET", "/status").statusCode());
        await("running");
        assertEquals(202, call("POST", "/stop").statusCode());
        await("stopped");
        assertEquals(202, call("POST", "/start").statusCode());
        await("running");
        HttpResponse<String> status = call("GET", "/status");
        assertTrue(status.body().contains("\"elasticIpAttached\":true"), status.body());
        assertEquals(200, call("POST", "/eip").statusCode());
        assertEquals(202, call("POST", "/stop").statusCode());
        await("stopped");
        HttpResponse<String> nightly = call("POST", LocalApi.SCHEDULED_STOP_PATH);
        assertTrue(nightly.body().contains("\"stopped\":[]"), nightly.body());
    }
}
