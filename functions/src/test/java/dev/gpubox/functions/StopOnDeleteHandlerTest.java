package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.OTHER_ID;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CancelSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

/** The custom resource that stops (never terminates) the retained box when the stack is deleted. */
class StopOnDeleteHandlerTest {
    static final String REQUEST_ID = "sir-0123456789abcdef0";
    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> urls = new ArrayList<>();
    final List<JsonNode> replies = new ArrayList<>();
    final StopOnDeleteHandler handler = new StopOnDeleteHandler(ec2, (url, body) -> {
        urls.add(url);
        replies.add(ProxyIntegration.JSON.readTree(body));
    });

    /** The sample Delete event in events/, optionally changed into another request CloudFormation sends. */
    static byte[] event(Consumer<ObjectNode> change) throws IOException {
        ObjectNode event = (ObjectNode) ProxyIntegration.JSON.readTree(Events.raw(Events.DIR.resolve("custom-resource-delete.json")));
        change.accept(event);
        return ProxyIntegration.JSON.writeValueAsBytes(event);
    }

    JsonNode invoke(byte[] event) throws IOException {
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
        assertEquals(1, replies.size(), "exactly one answer to CloudFormation");
        return replies.get(0);
    }

    static Ec2Exception ec2Error(String code) {
        return (Ec2Exception) Ec2Exception.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " from EC2").build())
                .build();
    }

    /** Typed matchers for the SDK's Consumer overloads (a raw any(Consumer.class) is an unchecked call). */
    private static Consumer<StopInstancesRequest.Builder> anyStop() {
        return any();
    }

    private static Consumer<DescribeInstancesRequest.Builder> anyDescribe() {
        return any();
    }

    private static Consumer<DescribeSpotInstanceRequestsRequest.Builder> anyRequests() {
        return any();
    }

    private static Consumer<CancelSpotInstanceRequestsRequest.Builder> anyCancel() {
        return any();
    }

    private static Consumer<ModifyInstanceAttributeRequest.Builder> anyModify() {
        return any();
    }

    /** After the stop the handler looks the box up (is it Spot?): an on-demand box, stopping, unless a test says otherwise. */
    @BeforeEach
    void anOnDemandBoxByDefault() {
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(box(BOX_ID, InstanceStateName.STOPPING)));
    }

    /** A Spot box of a persistent request, stopping after the delete's stop, with its root disk. */
    static Instance spotBox(Boolean rootDeletedWithIt) {
        return box(BOX_ID, InstanceStateName.STOPPING).toBuilder().instanceLifecycle(InstanceLifecycleType.SPOT)
                .spotInstanceRequestId(REQUEST_ID)
                .blockDeviceMappings(InstanceBlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(e -> e.volumeId("vol-0123456789abcdef0").deleteOnTermination(rootDeletedWithIt)).build())
                .build();
    }

    static DescribeSpotInstanceRequestsResponse request(String state) {
        return DescribeSpotInstanceRequestsResponse.builder().spotInstanceRequests(SpotInstanceRequest.builder()
                .spotInstanceRequestId(REQUEST_ID).instanceId(BOX_ID).state(state).build()).build();
    }

    @Test
    void aSpotBoxIsStoppedThenItsRequestCancelledSoItCanNeverLaunchASecondBox() throws IOException {
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(spotBox(false)));
        when(ec2.describeSpotInstanceRequests(anyRequests())).thenReturn(request("disabled"));
        JsonNode reply = invoke(event(e -> { }));
        assertEquals("SUCCESS", reply.path("Status").asText(), reply.toString());
        String reason = reply.path("Reason").asText();
        assertTrue(reason.contains("Cancelled its Spot request " + REQUEST_ID) && reason.contains("vol-0123456789abcdef0 remains"),
                reason);
        var order = inOrder(ec2);
        order.verify(ec2).stopInstances(anyStop());
        order.verify(ec2).cancelSpotInstanceRequests(anyCancel());
        verify(ec2, never()).modifyInstanceAttribute(anyModify());
        verify(ec2, never()).terminateInstances(any(TerminateInstancesRequest.class));
    }

    @Test
    void aDiskThatWouldGoWithTheInstanceIsKeptBeforeTheCancel() throws IOException {
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(spotBox(true)));
        when(ec2.describeSpotInstanceRequests(anyRequests())).thenReturn(request("disabled"));
        List<ModifyInstanceAttributeRequest> modifies = new ArrayList<>();
        when(ec2.modifyInstanceAttribute(anyModify())).thenAnswer(call -> {
            ModifyInstanceAttributeRequest.Builder b = ModifyInstanceAttributeRequest.builder();
            Consumer<ModifyInstanceAttributeRequest.Builder> request = call.getArgument(0);
            request.accept(b);
            modifies.add(b.build());
            return null;
        });
        assertEquals("SUCCESS", invoke(event(e -> { })).path("Status").asText());
        var order = inOrder(ec2);
        order.verify(ec2).modifyInstanceAttribute(anyModify());
        order.verify(ec2).cancelSpotInstanceRequests(anyCancel());
        assertEquals(BOX_ID, modifies.get(0).instanceId());
        assertEquals(false, modifies.get(0).blockDeviceMappings().get(0).ebs().deleteOnTermination());
        assertEquals("/dev/sda1", modifies.get(0).blockDeviceMappings().get(0).deviceName());
        assertEquals(null, modifies.get(0).userData(), "the disks' setting alone");
    }

    @Test
    void aDiskThatCannotBeKeptLeavesTheRequestUncancelledAndFailsTheDeleteSayingWhy() throws IOException {
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(spotBox(true)));
        when(ec2.modifyInstanceAttribute(anyModify())).thenThrow(ec2Error("UnauthorizedOperation"));
        JsonNode reply = invoke(event(e -> { }));
        assertEquals("FAILED", reply.path("Status").asText());
        String reason = reply.path("Reason").asText();
        assertTrue(reason.contains("NOT cancelled") && reason.contains("Deleting a Spot stack"), reason);
        assertFalse(reason.contains("still running"), "the box is stopped: " + reason);
        verify(ec2, never()).cancelSpotInstanceRequests(anyCancel());
    }

    @Test
    void aRequestAlreadyCancelledByAnEarlierTryIsSuccessWithoutASecondCancel() throws IOException {
        when(ec2.stopInstances(anyStop())).thenThrow(ec2Error("IncorrectInstanceState"));
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(spotBox(false).toBuilder()
                .state(s -> s.name(InstanceStateName.TERMINATED)).build()));
        when(ec2.describeSpotInstanceRequests(anyRequests())).thenReturn(request("cancelled"));
        JsonNode reply = invoke(event(e -> { }));
        assertEquals("SUCCESS", reply.path("Status").asText(), reply.toString());
        assertTrue(reply.path("Reason").asText().contains("already cancelled"), reply.toString());
        verify(ec2, never()).cancelSpotInstanceRequests(anyCancel());
    }

    @Test
    void aCancelThatIsDeniedFailsTheDeleteWithTheWayToFinishByHand() throws IOException {
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(spotBox(false)));
        when(ec2.describeSpotInstanceRequests(anyRequests())).thenReturn(request("disabled"));
        when(ec2.cancelSpotInstanceRequests(anyCancel())).thenThrow(ec2Error("UnauthorizedOperation"));
        JsonNode reply = invoke(event(e -> { }));
        assertEquals("FAILED", reply.path("Status").asText());
        String reason = reply.path("Reason").asText();
        assertTrue(reason.contains(REQUEST_ID) && reason.contains("Deleting a Spot stack"), reason);
    }

    @Test
    void deleteStopsTheBoxAndAnswersTheResponseUrl() throws IOException {
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        byte[] sample = Events.raw(Events.DIR.resolve("custom-resource-delete.json"));
        JsonNode reply = invoke(sample);
        JsonNode event = ProxyIntegration.JSON.readTree(sample);

        assertEquals("SUCCESS", reply.path("Status").asText(), reply.toString());
        assertEquals(event.path("ResponseURL").asText(), urls.get(0));
        for (String echoed : List.of("StackId", "RequestId", "LogicalResourceId", "PhysicalResourceId")) {
            assertEquals(event.path(echoed).asText(), reply.path(echoed).asText(), echoed + " echoed back");
        }
        assertTrue(reply.path("Reason").asText().contains(BOX_ID));
        verify(ec2).stopInstances(anyStop());
    }

    @Test
    void deleteSendsStopInstancesForThatBoxOnly() throws IOException {
        List<StopInstancesRequest> stops = new ArrayList<>();
        when(ec2.stopInstances(anyStop())).thenAnswer(call -> {
            StopInstancesRequest.Builder b = StopInstancesRequest.builder();
            Consumer<StopInstancesRequest.Builder> request = call.getArgument(0);
            request.accept(b);
            stops.add(b.build());
            return StopInstancesResponse.builder().build();
        });
        invoke(event(e -> { }));
        assertEquals(List.of(BOX_ID), stops.get(0).instanceIds());
        assertTrue(stops.get(0).force() == null || !stops.get(0).force(), "a normal stop, never forced");
    }

    @Test
    void createAndUpdateTouchNothingAndRecordTheBoxAsThePhysicalId() throws IOException {
        JsonNode created = invoke(event(e -> {
            e.put("RequestType", "Create");
            e.remove("PhysicalResourceId");
        }));
        assertEquals("SUCCESS", created.path("Status").asText());
        assertEquals(BOX_ID, created.path("PhysicalResourceId").asText());
        verifyNoInteractions(ec2);
    }

    @Test
    void aReplacedBoxGetsANewPhysicalIdSoCloudFormationDeletesAndStopsTheOldOne() throws IOException {
        JsonNode updated = invoke(event(e -> {
            e.put("RequestType", "Update");
            e.set("OldResourceProperties", e.get("ResourceProperties").deepCopy());
            ((ObjectNode) e.get("ResourceProperties")).put("InstanceId", OTHER_ID);
        }));
        assertEquals("SUCCESS", updated.path("Status").asText());
        assertEquals(OTHER_ID, updated.path("PhysicalResourceId").asText());
        verifyNoInteractions(ec2);
    }

    @Test
    void aBoxThatIsAlreadyGoneIsSuccess() throws IOException {
        when(ec2.stopInstances(anyStop())).thenThrow(ec2Error("InvalidInstanceID.NotFound"));
        assertEquals("SUCCESS", invoke(event(e -> { })).path("Status").asText());
    }

    @Test
    void aTerminatedBoxIsSuccessButAPendingOneFailsTheDelete() throws IOException {
        when(ec2.stopInstances(anyStop())).thenThrow(ec2Error("IncorrectInstanceState"));
        when(ec2.describeInstances(anyDescribe()))
                .thenReturn(instances(box(BOX_ID, InstanceStateName.TERMINATED)));
        assertEquals("SUCCESS", invoke(event(e -> { })).path("Status").asText());

        replies.clear();
        when(ec2.describeInstances(anyDescribe())).thenReturn(instances(box(BOX_ID, InstanceStateName.PENDING)));
        JsonNode pending = invoke(event(e -> { }));
        assertEquals("FAILED", pending.path("Status").asText());
        assertTrue(pending.path("Reason").asText().contains("still running"), pending.toString());
    }

    @Test
    void aStopThatIsDeniedFailsTheDeleteButStillAnswers() throws IOException {
        when(ec2.stopInstances(anyStop())).thenThrow(ec2Error("UnauthorizedOperation"));
        JsonNode reply = invoke(event(e -> { }));
        assertEquals("FAILED", reply.path("Status").asText());
        assertTrue(reply.path("Reason").asText().contains("UnauthorizedOperation"), reply.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theStopGetsTheInvocationsRemainingTimeLessTheMarginToAnswerCloudFormation() throws IOException {
        Context context = mock(Context.class);
        when(context.getRemainingTimeInMillis()).thenReturn(40_000);
        when(ec2.stopInstances(anyStop())).thenReturn(StopInstancesResponse.builder().build());
        handler.handleRequest(new ByteArrayInputStream(event(e -> { })), new ByteArrayOutputStream(), context);
        ArgumentCaptor<Consumer<StopInstancesRequest.Builder>> call = ArgumentCaptor.forClass(Consumer.class);
        verify(ec2).stopInstances(call.capture());
        StopInstancesRequest.Builder request = StopInstancesRequest.builder();
        call.getValue().accept(request);
        Duration timeout = request.build().overrideConfiguration().orElseThrow().apiCallTimeout().orElseThrow();
        assertEquals(List.of(BOX_ID), request.build().instanceIds());
        assertTrue(timeout.compareTo(Duration.ofSeconds(25)) <= 0 && timeout.compareTo(Duration.ofSeconds(23)) > 0,
                "40 s left less 15 s kept for the reply: " + timeout);
        assertEquals("SUCCESS", replies.get(0).path("Status").asText());
    }

    @Test
    void withNoTimeLeftTheDeleteFailsAtOnceWithAnAnswerThatNamesTheCliNotTheDeletedApi() throws IOException {
        Context context = mock(Context.class);
        when(context.getRemainingTimeInMillis()).thenReturn(10_000);
        handler.handleRequest(new ByteArrayInputStream(event(e -> { })), new ByteArrayOutputStream(), context);
        verifyNoInteractions(ec2);
        String reason = replies.get(0).path("Reason").asText();
        assertEquals("FAILED", replies.get(0).path("Status").asText());
        assertTrue(reason.contains("no time left") && reason.contains("aws ec2 stop-instances --instance-ids " + BOX_ID), reason);
        assertTrue(!reason.contains("POST /stop"), "the API is being deleted with the stack: " + reason);
    }

    @Test
    void theRollbackOfAFailedCreateHasNoBoxAndSucceeds() throws IOException {
        JsonNode reply = invoke(event(e -> {
            e.put("PhysicalResourceId", "2026/11/29/[$LATEST]0123456789abcdef");
            ((ObjectNode) e.get("ResourceProperties")).remove("InstanceId");
        }));
        assertEquals("SUCCESS", reply.path("Status").asText());
        assertEquals("2026/11/29/[$LATEST]0123456789abcdef", reply.path("PhysicalResourceId").asText());
        verify(ec2, never()).stopInstances(anyStop());
        verify(ec2, never()).describeInstances(any(DescribeInstancesRequest.class));
    }

    @Test
    void somethingThatIsNotACustomResourceEventIsRefusedWithoutCalls() {
        assertThrows(IllegalArgumentException.class, () -> handler.handleRequest(
                new ByteArrayInputStream(Events.raw(Events.DIR.resolve("state-change-stopped.json"))),
                new ByteArrayOutputStream(), null));
        verifyNoInteractions(ec2);
        assertTrue(replies.isEmpty());
    }

    @Test
    void theReplyIsAPutWithoutContentTypeRetriedAfterA5xx() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            CustomResourceReply.put("http://127.0.0.1:" + server.getAddress().getPort() + "/signed?X-Amz-Signature=x",
                    "{\"Status\":\"SUCCESS\"}".getBytes());
        } finally {
            server.stop(0);
        }
        assertEquals(2, calls.get(), "a 503 is retried");
        assertEquals("PUT null {\"Status\":\"SUCCESS\"}", seen.get(1));
    }

    // ------------------------------------------------------------------ the ShutdownTimezone check (issue 15.4)

    static byte[] zoneCheck(String requestType, String zone) throws IOException {
        return event(e -> {
            e.put("RequestType", requestType);
            e.put("LogicalResourceId", "ShutdownTimezoneCheck");
            e.put("ResourceType", "Custom::ShutdownTimezone");
            e.remove("PhysicalResourceId");
            ((ObjectNode) e.path("ResourceProperties")).remove("InstanceId");
            ((ObjectNode) e.path("ResourceProperties")).put("Zone", zone);
        });
    }

    @Test
    void aMisspeltZoneFailsTheDeployWithAMessageNamingTheParameter() throws IOException {
        for (String bad : List.of("America/NewYork", "UTC+8", "+08:00", "")) {
            replies.clear();
            JsonNode reply = invoke(zoneCheck("Create", bad));
            assertEquals("FAILED", reply.path("Status").asText(), bad);
            assertTrue(reply.path("Reason").asText().startsWith("ShutdownTimezone '" + bad + "' is not a time zone"
                    + " of the IANA database"), reply.path("Reason").asText());
        }
        verifyNoInteractions(ec2);
    }

    @Test
    void anIanaZonePassesAndIsTheScheduleZone() throws IOException {
        JsonNode reply = invoke(zoneCheck("Update", "America/New_York"));
        assertEquals("SUCCESS", reply.path("Status").asText());
        assertEquals("America/New_York", reply.path("Data").path("Zone").asText());
        assertEquals("gpubox-shutdown-timezone", reply.path("PhysicalResourceId").asText());
        replies.clear();
        assertEquals("SUCCESS", invoke(zoneCheck("Delete", "Not/AZone")).path("Status").asText(),
                "a delete never fails on the zone");
        verifyNoInteractions(ec2);
    }

    // ------------------------------------------------------------------ the FallbackInstanceTypes check (issue 17.1)

    static byte[] fallbackCheck(String requestType, String preferred, String fallbacks) throws IOException {
        return event(e -> {
            e.put("RequestType", requestType);
            e.put("LogicalResourceId", "FallbackTypesCheck");
            e.put("ResourceType", "Custom::FallbackInstanceTypes");
            e.remove("PhysicalResourceId");
            ObjectNode properties = (ObjectNode) e.path("ResourceProperties");
            properties.remove("InstanceId");
            properties.put("InstanceType", preferred);
            properties.put("FallbackInstanceTypes", fallbacks);
        });
    }

    void answerDescribeInstanceTypes() {
        when(ec2.describeInstanceTypes(any(software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest.class)))
                .thenAnswer(a -> {
                    var asked = a.<software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest>getArgument(0)
                            .instanceTypesAsStrings();
                    if (!dev.gpubox.box.Ec2Fixtures.INSTANCE_TYPES.keySet().containsAll(asked)) {
                        throw ec2Error("InvalidInstanceType");
                    }
                    return software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse.builder()
                            .instanceTypes(asked.stream().map(dev.gpubox.box.Ec2Fixtures.INSTANCE_TYPES::get).toList())
                            .build();
                });
    }

    @Test
    void aFallBackListThatCannotBootTheDiskFailsTheDeployNamingEachTypeAndWhy() throws IOException {
        answerDescribeInstanceTypes();
        JsonNode reply = invoke(fallbackCheck("Create", "g4dn.xlarge", "g5.xlarge,g5g.xlarge,g9.xlarge"));
        assertEquals("FAILED", reply.path("Status").asText());
        String reason = reply.path("Reason").asText();
        assertTrue(reason.startsWith("FallbackInstanceTypes cannot boot the box's disk (made for g4dn.xlarge):")
                && reason.contains("g5g.xlarge (its architecture (arm64) is not x86_64)")
                && reason.contains("g9.xlarge (EC2 does not know it in this region)"), reason);
    }

    @Test
    void aCompatibleListPassesAndAnEmptyOneNeedsNoEc2Call() throws IOException {
        answerDescribeInstanceTypes();
        assertEquals("SUCCESS", invoke(fallbackCheck("Update", "g4dn.xlarge", "g5.xlarge,g6.xlarge"))
                .path("Status").asText());
        replies.clear();
        org.mockito.Mockito.clearInvocations(ec2);
        assertEquals("SUCCESS", invoke(fallbackCheck("Create", "g4dn.xlarge", "")).path("Status").asText());
        verifyNoInteractions(ec2);
    }
}
