package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.gpubox.box.Ec2Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

class StateChangeHandlerTest {
    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> notices = new ArrayList<>();
    final StateChangeHandler handler = new StateChangeHandler(ec2, config(), (s, m) -> notices.add(m));

    private String invoke(byte[] payload) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSampleStoppedEventSendsOneNotice() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(box(BOX_ID, InstanceStateName.STOPPED)));
        invoke(Events.raw(Events.DIR.resolve("state-change-stopped.json")));
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).startsWith("GPU box gpubox-gpu (g4dn.xlarge) stopped after 1 h 0 min, ~$0.53"),
                notices.get(0));
    }

    @Test
    void anInstanceEc2NoLongerKnowsEndsQuietlyWithoutANotice() throws Exception {
        // The rule sees every instance in the region; a terminated stranger must not fail the invocation.
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenThrow(Ec2Fixtures.awsError("InvalidInstanceID.NotFound", 400));
        assertEquals("\"no notice\"", invoke(Events.raw(Events.DIR.resolve("state-change-stopped.json"))));
        assertTrue(notices.isEmpty());
    }

    @Test
    void anUnmanagedInstanceEndsQuietlyWithoutANotice() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(Ec2Fixtures.box(Ec2Fixtures.OTHER_ID, InstanceStateName.STOPPED)
                        .toBuilder().tags(List.of()).build()));
        assertEquals("\"no notice\"", invoke(Events.raw(Events.DIR.resolve("state-change-stopped.json"))));
        assertTrue(notices.isEmpty());
    }

    /** Issue 18 point 3: the fixture of EC2's two-minute warning, through the real handler, gives one notice. */
    @Test
    void theSpotInterruptionWarningSendsOneNoticeSayingWhatToSave() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.RUNNING).toBuilder().instanceLifecycle(InstanceLifecycleType.SPOT)
                        .spotInstanceRequestId("sir-0a1b2c3d").build()));
        String reply = invoke(Events.raw(Events.DIR.resolve("spot-interruption-warning.json")));
        assertEquals(1, notices.size());
        String notice = notices.get(0);
        assertTrue(reply.contains("AWS is taking the capacity"), reply);
        assertTrue(notice.contains("in two minutes") && notice.contains("Save your work now"), notice);
        assertTrue(notice.contains("EBS disk") && notice.contains("survives"), notice);
        assertTrue(notice.contains("/opt/dlami/nvme is wiped"), "g4dn.xlarge has an instance store: " + notice);
        assertTrue(notice.contains("stops, it is not terminated"), notice);
    }

    @Test
    void theRebalanceRecommendationSendsOneNotice() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(
                box(BOX_ID, InstanceStateName.RUNNING).toBuilder().instanceLifecycle(InstanceLifecycleType.SPOT).build()));
        invoke(Events.raw(Events.DIR.resolve("rebalance-recommendation.json")));
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).contains("higher risk of interruption") && notices.get(0).contains("nothing stops yet"),
                notices.get(0));
    }

    @Test
    void aSpotEventAboutAnotherInstanceSendsNothing() throws Exception {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenReturn(instances(Ec2Fixtures.box(Ec2Fixtures.OTHER_ID, InstanceStateName.RUNNING)
                        .toBuilder().tags(List.of()).build()));
        assertEquals("\"no notice\"", invoke(Events.raw(Events.DIR.resolve("spot-interruption-warning.json"))));
        assertTrue(notices.isEmpty());
    }

    /** The fixtures this function answers: EC2's state changes and its two Spot events. */
    static Stream<Path> otherEvents() {
        return Events.all().stream().filter(f -> !Events.isEc2Notice(f));
    }

    @ParameterizedTest
    @MethodSource("otherEvents")
    void anyOtherEventIsRefusedWithoutEc2Calls(Path file) {
        assertThrows(IllegalArgumentException.class, () -> invoke(Events.raw(file)));
        verifyNoInteractions(ec2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{not json", "{\"detail-type\":\"EC2 Instance State-change Notification\"}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-1\"},\"time\":\"x\"}"})
    void malformedEventsAreRefusedWithoutEc2Calls(String payload) {
        assertThrows(IllegalArgumentException.class, () -> invoke(payload.getBytes(StandardCharsets.UTF_8)));
        verifyNoInteractions(ec2);
    }
}
