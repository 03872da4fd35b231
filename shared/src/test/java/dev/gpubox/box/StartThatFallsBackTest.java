package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesResponse;
import software.amazon.awssdk.services.ec2.model.StateReason;

/** Issue 8 point 2: a start EC2 accepted and then abandoned is a capacity failure, not "starting". */
class StartThatFallsBackTest {
    final Ec2Client ec2 = mock(Ec2Client.class);
    final FakeTime time = new FakeTime(NOW);
    final BoxControl control = new BoxControl(ec2, config(), time, time);

    {
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        when(ec2.startInstances(any(StartInstancesRequest.class))).thenReturn(StartInstancesResponse.builder().build());
    }

    static Instance fellBack() {
        return box(InstanceStateName.STOPPED).toBuilder().stateReason(StateReason.builder()
                .code("Server.InsufficientInstanceCapacity")
                .message("Server.InsufficientInstanceCapacity: Insufficient capacity.").build()).build();
    }

    @Test
    void aStartThatFallsBackToStoppedEndsTheWaitAsACapacityFailure() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(InstanceStateName.STOPPED)), instances(box(InstanceStateName.PENDING)),
                instances(box(InstanceStateName.PENDING)), instances(fellBack()));

        BoxException e = assertThrows(BoxException.class, () -> control.start(25));

        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.error(), "the same code as an immediate capacity error");
        assertTrue(e.getMessage().contains("stopped again") && e.getMessage().contains("InsufficientInstanceCapacity"),
                e.getMessage());
        assertEquals(Duration.ofSeconds(4), Duration.between(NOW, time.instant()), "stopped waiting at once");
    }

    @Test
    void startWithWaitOnAPendingBoxWaitsForIt() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(InstanceStateName.PENDING)), instances(box(InstanceStateName.PENDING)),
                instances(box(InstanceStateName.RUNNING)));

        ActionResult result = control.start(25);

        assertEquals("running", result.box().state());
        assertEquals("already_starting", result.result());
        assertTrue(result.message().contains("It stops at "), "says when it stops, like start_issued: "
                + result.message());
        verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
    }

    @Test
    void aPendingBoxThatFallsBackWhileWaitedOnIsACapacityFailureToo() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(InstanceStateName.PENDING)), instances(box(InstanceStateName.PENDING)),
                instances(fellBack()));
        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY,
                assertThrows(BoxException.class, () -> control.start(10)).error());
    }

    @Test
    void withoutWaitAPendingBoxAnswersAtOnce() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(InstanceStateName.PENDING)));
        assertEquals("already_starting", control.start(0).result());
        assertEquals(NOW, time.instant());
    }

    /**
     * Issue 14 point 5: with EBS encryption by default under a customer-managed key, a start the role may not
     * grant falls back with Client.InternalError: the reply names the parameter that fixes it and how to see
     * the account's key, and is not retryable (nothing changes until the stack is redeployed).
     */
    @Test
    void aFallBackForTheVolumesKeyNamesTheEbsKmsKeyArnParameter() {
        Instance keyRefused = box(InstanceStateName.STOPPED).toBuilder().stateReason(StateReason.builder()
                .code("Client.InternalError").message("Client.InternalError: Client error on launch").build()).build();
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instances(box(InstanceStateName.STOPPED)), instances(box(InstanceStateName.PENDING)),
                instances(keyRefused));

        BoxException e = assertThrows(BoxException.class, () -> control.start(25));

        assertEquals(ErrorCode.AWS_ERROR, e.error());
        assertTrue(e.getMessage().contains("set the stack parameter EbsKmsKeyArn to it and redeploy")
                && e.getMessage().contains("aws ec2 get-ebs-default-kms-key-id")
                && e.getMessage().endsWith("(Client.InternalError: Client error on launch)."), e.getMessage());
        assertEquals(null, e.retryAfterSeconds(), "a client-side reason: retrying changes nothing");
        assertTrue(e.getMessage().length() <= 400, "one short line: " + e.getMessage().length());
    }
}
