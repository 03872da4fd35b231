package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.Ec2Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

class ScheduledStopHandlerTest {
    final Ec2Client ec2 = mock(Ec2Client.class);

    private JsonNode invoke(byte[] payload) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ScheduledStopHandler(ec2, config()).handleRequest(new ByteArrayInputStream(payload), out, null);
        return ProxyIntegration.JSON.readTree(out.toByteArray());
    }

    private void givenOneRunningOneStopped() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                box("i-00000000000000001", InstanceStateName.RUNNING),
                box("i-00000000000000002", InstanceStateName.STOPPED)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
    }

    static Stream<Path> scheduleEvents() {
        return Events.all().stream().filter(Events::isScheduleEvent);
    }

    @ParameterizedTest
    @MethodSource("scheduleEvents")
    void everyScheduleEventStopsTheRunningBox(Path file) throws Exception {
        givenOneRunningOneStopped();
        JsonNode report = invoke(Events.raw(file));
        assertEquals("i-00000000000000001", report.path("stopped").get(0).asText());
        assertEquals("i-00000000000000002", report.path("alreadyStopped").get(0).asText());
        verify(ec2).stopInstances(Ec2Fixtures.sdkFields(StopInstancesRequest.builder().instanceIds("i-00000000000000001").build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "  "})
    void anEmptyPayloadIsAScheduleToo(String payload) throws Exception {
        givenOneRunningOneStopped();
        assertEquals(1, invoke(payload.getBytes(StandardCharsets.UTF_8)).path("stopped").size());
    }

    static Stream<Path> apiEvents() {
        return Events.all().stream().filter(Events::isApiEvent);
    }

    @Test
    void anEc2StateChangeIsStillAnObjectButStopsOnlyWhatIsDue() throws Exception {
        givenOneRunningOneStopped();
        assertEquals(1, invoke(Events.raw(Events.DIR.resolve("state-change-stopped.json"))).path("stopped").size());
    }

    @ParameterizedTest
    @MethodSource("apiEvents")
    void anApiRequestStopsNothing(Path file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> invoke(Events.raw(file)));
        assertTrue(e.getMessage().contains("Nothing was stopped"));
        verifyNoInteractions(ec2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[1,2]", "\"stop\"", "42"})
    void malformedPayloadStopsNothing(String payload) {
        assertThrows(IllegalArgumentException.class, () -> invoke(payload.getBytes(StandardCharsets.UTF_8)));
        verifyNoInteractions(ec2);
    }

    @Test
    void aBoxThatCannotBeStoppedFailsTheRunAfterStoppingTheRest() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                box("i-00000000000000001", InstanceStateName.RUNNING),
                box("i-00000000000000003", InstanceStateName.RUNNING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenAnswer(call -> {
            if (((StopInstancesRequest) call.getArgument(0)).instanceIds().contains("i-00000000000000003")) {
                throw dev.gpubox.box.Ec2Fixtures.awsError("UnauthorizedOperation", 403);
            }
            return StopInstancesResponse.builder().build();
        });
        RuntimeException e = assertThrows(ScheduledStopHandler.ScheduledStopFailed.class,
                () -> invoke("{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("stopped 1") && e.getMessage().contains("failed 1"), e.getMessage());
        verify(ec2).stopInstances(Ec2Fixtures.sdkFields(StopInstancesRequest.builder().instanceIds("i-00000000000000001").build()));
    }
}
