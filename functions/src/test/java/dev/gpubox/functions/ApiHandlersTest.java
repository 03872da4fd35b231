package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.EIP;
import static dev.gpubox.box.Ec2Fixtures.OTHER_ID;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;

class ApiHandlersTest {
    /** Route of each handler, and how to build it over a given EC2 client. */
    static final Map<String, BiFunction<Ec2Client, BoxConfig, ApiHandler>> HANDLERS = Map.of(
            "/status", (ec2, config) -> new StatusHandler(ec2, config, Notifier.NONE),
            "/start", (ec2, config) -> new StartHandler(ec2, config, Notifier.NONE),
            "/stop", (ec2, config) -> new StopHandler(ec2, config, Notifier.NONE),
            "/eip", (ec2, config) -> new AttachEipHandler(ec2, config, Notifier.NONE),
            "/snooze", (ec2, config) -> new SnoozeHandler(ec2, config, Notifier.NONE),
            "/schedule/pause", (ec2, config) -> new SchedulePauseHandler(ec2, config, Notifier.NONE),
            "/ssh", (ec2, config) -> new SshHandler(ec2, config, Notifier.NONE));

    static JsonNode json(APIGatewayProxyResponseEvent response) throws Exception {
        return ProxyIntegration.JSON.readTree(response.getBody());
    }

    static APIGatewayProxyResponseEvent call(String route, FakeEc2 ec2, APIGatewayProxyRequestEvent event) {
        return ProxyIntegration.invoke(HANDLERS.get(route).apply(ec2.client, config()), event);
    }

    static Stream<Arguments> everyApiEventToItsOwnHandler() {
        return Stream.of(
                Arguments.of("status.json", InstanceStateName.RUNNING, 200, "running"),
                Arguments.of("start.json", InstanceStateName.STOPPED, 202, "start_issued"),
                Arguments.of("start.json", InstanceStateName.RUNNING, 200, "already_running"),
                Arguments.of("start-wait.json", InstanceStateName.STOPPED, 202, "start_issued"),
                Arguments.of("stop.json", InstanceStateName.RUNNING, 202, "stop_issued"),
                Arguments.of("stop.json", InstanceStateName.STOPPED, 200, "already_stopped"),
                Arguments.of("eip.json", InstanceStateName.RUNNING, 200, "eip_already_attached"),
                Arguments.of("eip-force.json", InstanceStateName.RUNNING, 200, "eip_already_attached"),
                Arguments.of("snooze.json", InstanceStateName.RUNNING, 200, "snoozed"),
                Arguments.of("snooze-cancel.json", InstanceStateName.RUNNING, 200, "not_snoozed"),
                Arguments.of("schedule-pause-cancel.json", InstanceStateName.STOPPED, 200, "not_paused"));
    }

    @ParameterizedTest(name = "{0} with the box {1} -> {2} {3}")
    @MethodSource
    void everyApiEventToItsOwnHandler(String file, InstanceStateName state, int status, String result)
            throws Exception {
        APIGatewayProxyRequestEvent event = Events.api(file);
        FakeEc2 ec2 = new FakeEc2(state, BOX_ID);
        APIGatewayProxyResponseEvent response = call(event.getPath(), ec2, event);
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode body = json(response);
        assertFalse(body.path("message").asText().isBlank(), "every reply has a human message");
        String actual = file.equals("status.json") ? body.path("state").asText() : body.path("result").asText();
        assertEquals(result, actual);
    }

    @Test
    void statusCarriesEveryDocumentedField() throws Exception {
        JsonNode body = json(call("/status", new FakeEc2(InstanceStateName.RUNNING, BOX_ID), Events.api("status.json")));
        for (String field : List.of("instanceId", "name", "instanceType", "state", "publicIp", "elasticIp",
                "elasticIpAttached", "launchTime", "uptimeSeconds", "ssh", "availabilityZone", "preferredType", "message")) {
            assertTrue(body.has(field), "status lacks " + field + ": " + body);
        }
        assertEquals("ssh -i ~/.ssh/gpubox-key.pem ubuntu@" + EIP, body.path("ssh").asText());
    }

    @Test
    void startWithWaitReturnsTheRunningAddress() throws Exception {
        JsonNode body = json(call("/start", new FakeEc2(InstanceStateName.STOPPED, BOX_ID),
                Events.api("start-wait.json")));
        assertEquals("running", body.path("box").path("state").asText());
        assertTrue(body.path("message").asText().startsWith("GPU box is running (g4dn.xlarge) at " + EIP + ". It stops at "),
                body.path("message").asText());
    }

    static Stream<Arguments> everyEventFileToEveryOtherApiHandler() {
        return Events.all().stream().flatMap(file -> HANDLERS.keySet().stream()
                .filter(route -> !Events.isApiEvent(file) || !Events.api(file).getPath().equals(route))
                .map(route -> Arguments.of(file.getFileName().toString(), route)));
    }

    @ParameterizedTest(name = "{0} sent to the {1} handler")
    @MethodSource
    void everyEventFileToEveryOtherApiHandler(String file, String route) throws Exception {
        Path path = Events.DIR.resolve(file);
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, BOX_ID);
        if (Events.isKeepWarm(path)) { // its bytes as Scheduler sends them: no proxy event carries the field
            ApiReply reply = HANDLERS.get(route).apply(ec2.client, config()).handle(Events.raw(path), null);
            assertEquals(200, reply.statusCode(), "the keep-warm schedule's invoke is answered at once");
            assertEquals("kept_warm", ProxyIntegration.JSON.readTree(reply.body()).path("result").asText());
            verifyNoInteractions(ec2.client);
            return;
        }
        APIGatewayProxyRequestEvent event = Events.api(path);
        APIGatewayProxyResponseEvent response = call(route, ec2, event);
        JsonNode body = json(response);
        if (Events.isApiEvent(path)) {
            assertEquals(404, response.getStatusCode());
            assertEquals("not_found", body.path("error").asText());
        } else {
            assertEquals(400, response.getStatusCode(), "a scheduled event is not an API request");
            assertEquals("bad_request", body.path("error").asText());
        }
        verifyNoInteractions(ec2.client);
    }

    @Test
    void snoozingAStoppedBoxIs409AndABadSnoozeIs400WithoutEc2Calls() throws Exception {
        APIGatewayProxyResponseEvent stopped = call("/snooze", new FakeEc2(InstanceStateName.STOPPED, BOX_ID),
                Events.api("snooze.json"));
        assertEquals(409, stopped.getStatusCode());
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, BOX_ID);
        APIGatewayProxyResponseEvent bad = call("/snooze", ec2,
                Events.api("snooze.json").withQueryStringParameters(Map.of("minutes", "100000")));
        assertEquals(400, bad.getStatusCode());
        assertTrue(json(bad).path("message").asText().contains("at most 12 h"));
        verifyNoInteractions(ec2.client);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /start", "DELETE /stop", "PUT /eip", "POST /status", "GET /snooze"})
    void wrongMethodIs405WithAllowAndNoEc2Call(String methodAndRoute) throws Exception {
        String[] parts = methodAndRoute.split(" ");
        APIGatewayProxyRequestEvent event = Events.api(parts[1].equals("/status") ? "status.json"
                : parts[1].substring(1) + ".json").withHttpMethod(parts[0]).withQueryStringParameters(null);
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, BOX_ID);
        APIGatewayProxyResponseEvent response = call(parts[1], ec2, event);
        assertEquals(405, response.getStatusCode());
        assertEquals("method_not_allowed", json(response).path("error").asText());
        assertNotNull(response.getHeaders().get("Allow"));
        verifyNoInteractions(ec2.client);
    }

    @Test
    void missingKeyHeaderIs403WithoutEc2Call() throws Exception {
        APIGatewayProxyRequestEvent event = Events.api("start.json");
        event.setHeaders(new HashMap<>(Map.of("Host", "localhost")));
        event.getRequestContext().getIdentity().setApiKey(null);
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.STOPPED, BOX_ID);
        APIGatewayProxyResponseEvent response = call("/start", ec2, event);
        assertEquals(403, response.getStatusCode());
        assertEquals("forbidden", json(response).path("error").asText());
        verifyNoInteractions(ec2.client);
    }

    @Test
    void keyHeaderNameIsCaseInsensitive() {
        APIGatewayProxyRequestEvent event = Events.api("status.json");
        event.setHeaders(new HashMap<>(Map.of("X-API-Key", "k")));
        event.getRequestContext().getIdentity().setApiKey(null);
        assertEquals(200, call("/status", new FakeEc2(InstanceStateName.STOPPED, null), event).getStatusCode());
    }

    @Test
    void emptyOrMethodlessEventsAre400() throws Exception {
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.STOPPED, BOX_ID);
        for (APIGatewayProxyRequestEvent event : new APIGatewayProxyRequestEvent[] {null,
                new APIGatewayProxyRequestEvent(), new APIGatewayProxyRequestEvent().withBody("{not json")}) {
            APIGatewayProxyResponseEvent response = call("/start", ec2, event);
            assertEquals(400, response.getStatusCode());
            assertEquals("bad_request", json(response).path("error").asText());
        }
        verifyNoInteractions(ec2.client);
    }

    @Test
    void aBodyIsIgnoredNotParsed() {
        APIGatewayProxyRequestEvent event = Events.api("stop.json").withBody("{definitely not json");
        assertEquals(202, call("/stop", new FakeEc2(InstanceStateName.RUNNING, BOX_ID), event).getStatusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "26", "2.5", "99999999999"})
    void badWaitIs400WithoutEc2Call(String wait) throws Exception {
        APIGatewayProxyRequestEvent event = Events.api("start.json").withQueryStringParameters(Map.of("wait", wait));
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.STOPPED, BOX_ID);
        APIGatewayProxyResponseEvent response = call("/start", ec2, event);
        assertEquals(400, response.getStatusCode());
        assertTrue(json(response).path("message").asText().contains("wait"));
        verifyNoInteractions(ec2.client);
    }

    @Test
    void badForceIs400WithoutEc2Call() {
        APIGatewayProxyRequestEvent event = Events.api("eip.json").withQueryStringParameters(Map.of("force", "maybe"));
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, OTHER_ID);
        assertEquals(400, call("/eip", ec2, event).getStatusCode());
        verifyNoInteractions(ec2.client);
    }

    @Test
    void eipHeldElsewhereIs409UnlessForced() throws Exception {
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, OTHER_ID);
        APIGatewayProxyResponseEvent refused = call("/eip", ec2, Events.api("eip.json"));
        assertEquals(409, refused.getStatusCode());
        assertEquals("eip_in_use", json(refused).path("error").asText());
        verify(ec2.client, never()).associateAddress(any(AssociateAddressRequest.class));

        APIGatewayProxyResponseEvent forced = call("/eip", ec2, Events.api("eip-force.json"));
        assertEquals(200, forced.getStatusCode(), "an issued association answers 200: the address is attached now");
        assertEquals("eip_attached", json(forced).path("result").asText());
    }

    @Test
    void startWhileStoppingIs409WithRetryAfter() throws Exception {
        APIGatewayProxyResponseEvent response = call("/start", new FakeEc2(InstanceStateName.STOPPING, BOX_ID),
                Events.api("start.json"));
        assertEquals(409, response.getStatusCode());
        assertEquals("wrong_state", json(response).path("error").asText());
        assertEquals("30", response.getHeaders().get("Retry-After"));
    }

    static Stream<Arguments> awsFailuresOnStart() {
        return Stream.of(
                Arguments.of("InsufficientInstanceCapacity", 500, 503, "insufficient_capacity", true),
                Arguments.of("RequestLimitExceeded", 503, 503, "throttled", true),
                Arguments.of("VcpuLimitExceeded", 400, 403, "vcpu_quota", false),
                Arguments.of("InternalError", 500, 502, "aws_error", true),
                Arguments.of("UnauthorizedOperation", 403, 500, "misconfigured", false),
                Arguments.of("Unavailable", 503, 503, "ec2_unavailable", true));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource
    void awsFailuresOnStart(String code, int awsStatus, int status, String error, boolean retryAfter)
            throws Exception {
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.STOPPED, BOX_ID);
        when(ec2.client.startInstances(any(StartInstancesRequest.class))).thenThrow(awsError(code, awsStatus));
        APIGatewayProxyResponseEvent response = call("/start", ec2, Events.api("start.json"));
        assertEquals(status, response.getStatusCode());
        JsonNode body = json(response);
        assertEquals(error, body.path("error").asText());
        assertEquals("req-" + code, body.path("awsRequestId").asText());
        assertEquals(retryAfter, response.getHeaders().containsKey("Retry-After"));
        assertFalse(response.getBody().contains("\tat "), "no stack trace in a reply");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"post", "Post", "POST "})
    void methodsAreCaseSensitiveAndALowercasePostStopsNothing(String method) throws Exception {
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, BOX_ID);
        APIGatewayProxyResponseEvent response = call("/stop", ec2, Events.api("stop.json").withHttpMethod(method));
        assertEquals(405, response.getStatusCode());
        assertEquals("POST", response.getHeaders().get("Allow"));
        verifyNoInteractions(ec2.client);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1\n2", "\u001b[31mred", "9999999999999999999999"})
    void quotedInputIsOneShortLine(String wait) throws Exception {
        String long10k = "7".repeat(10_000);
        for (String value : List.of(wait, long10k)) {
            APIGatewayProxyRequestEvent event = Events.api("start.json").withQueryStringParameters(Map.of("wait", value));
            String message = json(call("/start", new FakeEc2(InstanceStateName.STOPPED, BOX_ID), event))
                    .path("message").asText();
            assertTrue(message.length() <= 120 && message.chars().noneMatch(Character::isISOControl), message);
            assertTrue(message.startsWith("wait must be a whole number"), message);
        }
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() throws Exception {
        FakeEc2 ec2 = new FakeEc2(InstanceStateName.RUNNING, BOX_ID);
        when(ec2.client.describeInstances(any(DescribeInstancesRequest.class)))
                .thenThrow(new IllegalStateException("secret internals"));
        APIGatewayProxyResponseEvent response = call("/stop", ec2, Events.api("stop.json"));
        assertEquals(500, response.getStatusCode());
        assertEquals("internal_error", json(response).path("error").asText());
        assertFalse(response.getBody().contains("secret internals"));
        verify(ec2.client, never()).stopInstances(any(StopInstancesRequest.class));
    }
}
