package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.ALLOCATION_ID;
import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.EIP;
import static dev.gpubox.box.Ec2Fixtures.EPHEMERAL_IP;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.OTHER_ID;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.AssociateAddressResponse;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesResponse;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

@ExtendWith(MockitoExtension.class)
class BoxControlTest {
    @Mock
    Ec2Client ec2;
    BoxControl control;
    final List<java.time.Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void setUp() {
        control = new BoxControl(ec2, config(), Clock.fixed(NOW, ZoneOffset.UTC), sleeps::add);
    }

    private void given(InstanceStateName state, String eipHolder) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box(state)));
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(eipHolder));
    }

    @Nested
    class Status {
        @Test
        void runningWithElasticIpShowsAddressUptimeAndSsh() {
            given(InstanceStateName.RUNNING, BOX_ID);
            BoxStatus status = control.status();
            assertEquals("running", status.state());
            assertEquals("gpubox-gpu", status.name());
            assertEquals("g4dn.xlarge", status.instanceType());
            assertEquals(EIP, status.elasticIp());
            assertTrue(status.elasticIpAttached());
            assertEquals(3600L, status.uptimeSeconds());
            assertEquals("ssh -i ~/.ssh/gpubox-key.pem ubuntu@" + EIP, status.ssh());
            assertEquals("GPU box gpubox-gpu (g4dn.xlarge) is running at " + EIP + ", up 1 h 0 min (~$0.53);"
                    + " it stops at 20:00 Asia/Shanghai.", status.summary());
            assertEquals(NOW, status.nextAutomaticStop(), "NOW is 20:00 in Asia/Shanghai, the default stop");
            assertEquals(0.53, status.estimatedCostUsd());
        }

        @Test
        void runningWithoutElasticIpUsesThePublicIp() {
            given(InstanceStateName.RUNNING, null);
            BoxStatus status = control.status();
            assertFalse(status.elasticIpAttached());
            assertEquals(EPHEMERAL_IP, status.address());
            assertEquals("ssh -i ~/.ssh/gpubox-key.pem ubuntu@" + EPHEMERAL_IP, status.ssh());
        }

        @Test
        void stoppedHasNoUptimeNoLaunchTimeAndNoSsh() {
            given(InstanceStateName.STOPPED, null);
            BoxStatus status = control.status();
            assertNull(status.uptimeSeconds());
            assertNull(status.launchTime());
            assertNull(status.ssh());
            assertTrue(status.summary().contains("is stopped; its address is " + EIP));
        }

        @Test
        void unknownBoxIsNotFound() {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances());
            BoxException e = assertThrows(BoxException.class, control::status);
            assertEquals(ErrorCode.NOT_FOUND, e.error());
        }

        @Test
        void withoutElasticIpConfiguredStatusStillWorks() {
            control = new BoxControl(ec2, new BoxConfig(BOX_ID, null, null, null, "ubuntu"));
            when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                    .thenReturn(instances(box(InstanceStateName.STOPPED)));
            assertNull(control.status().elasticIp());
            verify(ec2, never()).describeAddresses(any(DescribeAddressesRequest.class));
        }

        @Test
        void missingInstanceIdIsAConfigurationErrorWithoutAnyEc2Call() {
            control = new BoxControl(ec2, BoxConfig.from(java.util.Map.of()));
            BoxException e = assertThrows(BoxException.class, control::status);
            assertEquals(ErrorCode.MISCONFIGURED, e.error());
            assertTrue(e.getMessage().contains("GPUBOX_INSTANCE_ID"));
            verifyNoInteractions(ec2);
        }
    }

    @Nested
    class Start {
        @Test
        void stoppedBoxIsStartedOnce() {
            given(InstanceStateName.STOPPED, BOX_ID);
            when(ec2.startInstances(any(StartInstancesRequest.class))).thenReturn(StartInstancesResponse.builder().build());
            ActionResult result = control.start(0);
            assertTrue(result.accepted());
            assertEquals("start_issued", result.result());
            ArgumentCaptor<StartInstancesRequest> request = ArgumentCaptor.forClass(StartInstancesRequest.class);
            verify(ec2).startInstances(request.capture());
            assertEquals(List.of(BOX_ID), request.getValue().instanceIds());
            assertEquals("GPU box is starting (g4dn.xlarge); it will be at " + EIP + ".", result.message());
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"RUNNING", "PENDING"})
        void runningOrPendingBoxIsLeftAlone(InstanceStateName state) {
            given(state, BOX_ID);
            ActionResult result = control.start(0);
            assertFalse(result.accepted());
            verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        }

        @Test
        void stoppingBoxIsAConflictWithARetryHint() {
            given(InstanceStateName.STOPPING, BOX_ID);
            BoxException e = assertThrows(BoxException.class, () -> control.start(0));
            assertEquals(ErrorCode.WRONG_STATE, e.error());
            assertEquals(AwsErrors.STATE_RETRY_SECONDS, e.retryAfterSeconds());
            verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"SHUTTING_DOWN", "TERMINATED"})
        void terminatedBoxIsNeverReplaced(InstanceStateName state) {
            given(state, null);
            BoxException e = assertThrows(BoxException.class, () -> control.start(0));
            assertEquals(ErrorCode.WRONG_STATE, e.error());
            assertNull(e.retryAfterSeconds());
            verify(ec2, never()).startInstances(any(StartInstancesRequest.class));
        }

        @Test
        void waitPollsUntilRunningAndReturnsTheAddress() {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                    instances(box(InstanceStateName.STOPPED)), instances(box(InstanceStateName.PENDING)),
                    instances(box(InstanceStateName.PENDING)), instances(box(InstanceStateName.RUNNING)));
            when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
            when(ec2.startInstances(any(StartInstancesRequest.class))).thenReturn(StartInstancesResponse.builder().build());
            ActionResult result = control.start(10);
            assertEquals("running", result.box().state());
            assertEquals("GPU box is running (g4dn.xlarge) at " + EIP + ". It stops at 20:00 Asia/Shanghai.", result.message());
            assertEquals(2, sleeps.size());
        }

        @Test
        void waitGivesUpAtTheBudgetAndStillReports202() {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                    instances(box(InstanceStateName.STOPPED)), instances(box(InstanceStateName.PENDING)));
            when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
            when(ec2.startInstances(any(StartInstancesRequest.class))).thenReturn(StartInstancesResponse.builder().build());
            // The fixed clock never advances, so the loop must stop by counting its polls against the budget.
            control = new BoxControl(ec2, config(), new SteppingClock(), sleeps::add);
            ActionResult result = control.start(6);
            assertTrue(result.accepted());
            assertEquals("pending", result.box().state());
            assertTrue(sleeps.size() <= 3, "slept " + sleeps.size() + " times in a 6 s budget");
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, 26, 1000})
        void waitOutOfRangeIsBadRequestWithoutAnyEc2Call(int wait) {
            BoxException e = assertThrows(BoxException.class, () -> control.start(wait));
            assertEquals(ErrorCode.BAD_REQUEST, e.error());
            verifyNoInteractions(ec2);
        }

        @Test
        void capacityErrorOnStartIsMapped() {
            given(InstanceStateName.STOPPED, BOX_ID);
            when(ec2.startInstances(any(StartInstancesRequest.class)))
                    .thenThrow(awsError("InsufficientInstanceCapacity", 500));
            BoxException e = assertThrows(BoxException.class, () -> control.start(0));
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.error());
            assertEquals("req-InsufficientInstanceCapacity", e.awsRequestId());
        }
    }

    @Nested
    class Stop {
        @Test
        void runningBoxIsStopped() {
            given(InstanceStateName.RUNNING, BOX_ID);
            when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());
            ActionResult result = control.stop();
            assertTrue(result.accepted());
            assertEquals("stop_issued", result.result());
            // Issue 14 point 8: a g4dn's local NVMe is gone after the stop; the reply says so.
            assertEquals("GPU box is stopping (g4dn.xlarge) after 1 h 0 min, ~$0.53. Its instance store (125 GB NVMe"
                    + " at /opt/dlami/nvme) is wiped at every stop: files there are gone; keep work on the EBS disk.",
                    result.message());
            verify(ec2).stopInstances(StopInstancesRequest.builder().instanceIds(BOX_ID).build());
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"STOPPED", "STOPPING"})
        void stoppedOrStoppingBoxIsLeftAlone(InstanceStateName state) {
            given(state, BOX_ID);
            assertFalse(control.stop().accepted());
            verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"PENDING", "SHUTTING_DOWN", "TERMINATED"})
        void otherStatesAreConflicts(InstanceStateName state) {
            given(state, null);
            BoxException e = assertThrows(BoxException.class, control::stop);
            assertEquals(ErrorCode.WRONG_STATE, e.error());
            verify(ec2, never()).stopInstances(any(StopInstancesRequest.class));
        }
    }

    @Nested
    class AttachEip {
        @Test
        void alreadyAttachedIsANoOp() {
            given(InstanceStateName.RUNNING, BOX_ID);
            ActionResult result = control.attachEip(false);
            assertFalse(result.accepted());
            verify(ec2, never()).associateAddress(any(AssociateAddressRequest.class));
        }

        @Test
        void aBlankInstanceIdIsAnUnattachedAddressNotAnotherInstance() {
            // moto and LocalStack describe a free address with an empty <instanceId/>.
            given(InstanceStateName.RUNNING, "");
            when(ec2.associateAddress(any(AssociateAddressRequest.class)))
                    .thenReturn(AssociateAddressResponse.builder().associationId("eipassoc-1").build());
            ActionResult result = control.attachEip(false);
            assertEquals("eip_attached", result.result());
            assertEquals("Elastic IP " + EIP + " is now attached to the GPU box.", result.message());
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"RUNNING", "STOPPED", "PENDING", "STOPPING"})
        void unattachedAddressIsAssociatedWithoutReassociation(InstanceStateName state) {
            given(state, null);
            when(ec2.associateAddress(any(AssociateAddressRequest.class)))
                    .thenReturn(AssociateAddressResponse.builder().associationId("eipassoc-1").build());
            ActionResult result = control.attachEip(false);
            assertEquals("eip_attached", result.result());
            assertFalse(result.accepted(), "an association is complete when the call returns");
            verify(ec2).associateAddress(AssociateAddressRequest.builder().allocationId(ALLOCATION_ID)
                    .instanceId(BOX_ID).allowReassociation(false).build());
        }

        @Test
        void addressHeldByAnotherInstanceIsAConflict() {
            given(InstanceStateName.RUNNING, OTHER_ID);
            BoxException e = assertThrows(BoxException.class, () -> control.attachEip(false));
            assertEquals(ErrorCode.EIP_IN_USE, e.error());
            assertTrue(e.getMessage().contains(OTHER_ID));
            verify(ec2, never()).associateAddress(any(AssociateAddressRequest.class));
        }

        @Test
        void forceMovesTheAddress() {
            given(InstanceStateName.RUNNING, OTHER_ID);
            when(ec2.associateAddress(any(AssociateAddressRequest.class)))
                    .thenReturn(AssociateAddressResponse.builder().associationId("eipassoc-1").build());
            ActionResult result = control.attachEip(true);
            assertTrue(result.message().contains("moved from " + OTHER_ID));
            verify(ec2).associateAddress(AssociateAddressRequest.builder().allocationId(ALLOCATION_ID)
                    .instanceId(BOX_ID).allowReassociation(true).build());
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"SHUTTING_DOWN", "TERMINATED"})
        void terminatedBoxGetsNoAddress(InstanceStateName state) {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box(state)));
            assertEquals(ErrorCode.WRONG_STATE, assertThrows(BoxException.class, () -> control.attachEip(false)).error());
            verify(ec2, never()).associateAddress(any(AssociateAddressRequest.class));
        }

        @Test
        void withoutAllocationIdIsAConfigurationErrorWithoutAnyEc2Call() {
            control = new BoxControl(ec2, new BoxConfig(BOX_ID, null, null, null, "ubuntu"));
            assertEquals(ErrorCode.MISCONFIGURED,
                    assertThrows(BoxException.class, () -> control.attachEip(false)).error());
            verifyNoInteractions(ec2);
        }
    }

    @Nested
    class Snooze {
        @Test
        void aRunningBoxIsTaggedWithTheSnoozeEnd() {
            given(InstanceStateName.RUNNING, BOX_ID);
            when(ec2.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
            ActionResult result = control.snooze("23:30", null);
            assertEquals("snoozed", result.result());
            verify(ec2).createTags(CreateTagsRequest.builder().resources(BOX_ID)
                    .tags(Ec2Fixtures.tag(BoxTags.SNOOZE_UNTIL, "2026-11-29T15:30:00Z " + NOW.minusSeconds(3600))).build());
        }

        @ParameterizedTest
        @EnumSource(value = InstanceStateName.class, names = {"STOPPED", "STOPPING", "TERMINATED"})
        void aBoxThatIsNotRunningCannotBeSnoozed(InstanceStateName state) {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box(state)));
            assertEquals(ErrorCode.WRONG_STATE, assertThrows(BoxException.class, () -> control.snooze(null, "60")).error());
            verify(ec2, never()).createTags(any(CreateTagsRequest.class));
        }

        @Test
        void aBadSnoozeMakesNoEc2Call() {
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(BoxException.class, () -> control.snooze("9pm", null)).error());
            verifyNoInteractions(ec2);
        }

        @Test
        void cancellingRemovesTheTagAndCancellingAgainIsANoOp() {
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(Ec2Fixtures.box(
                    BOX_ID, InstanceStateName.RUNNING, NOW.minusSeconds(3600),
                    Ec2Fixtures.tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(NOW.plusSeconds(3600), NOW.minusSeconds(3600))))),
                    instances(box(InstanceStateName.RUNNING)));
            when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
            when(ec2.deleteTags(any(DeleteTagsRequest.class))).thenReturn(DeleteTagsResponse.builder().build());
            assertEquals("snooze_cancelled", control.cancelSnooze().result());
            verify(ec2).deleteTags(DeleteTagsRequest.builder().resources(BOX_ID)
                    .tags(software.amazon.awssdk.services.ec2.model.Tag.builder().key(BoxTags.SNOOZE_UNTIL).build())
                    .build());
            assertEquals("not_snoozed", control.cancelSnooze().result());
            verify(ec2, times(1)).deleteTags(any(DeleteTagsRequest.class));
        }

        @Test
        void statusShowsTheSnoozeAsTheNextAutomaticStop() {
            Instant end = NOW.plusSeconds(12600);
            when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(Ec2Fixtures.box(
                    BOX_ID, InstanceStateName.RUNNING, NOW.minusSeconds(3600),
                    Ec2Fixtures.tag(BoxTags.SNOOZE_UNTIL, BoxTags.snoozeValue(end, NOW.minusSeconds(3600))))));
            when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
            BoxStatus status = control.status();
            assertEquals(end, status.snoozedUntil());
            assertEquals(end, status.nextAutomaticStop());
            assertTrue(status.summary().endsWith("; snoozed, it stops at 23:30 Asia/Shanghai."), status.summary());
        }
    }

    @Test
    void aStartThatAwsRefusesIsAlsoANotice() {
        List<String> notices = new ArrayList<>();
        control = new BoxControl(ec2, config(), Clock.fixed(NOW, ZoneOffset.UTC), sleeps::add, (s, m) -> notices.add(m));
        given(InstanceStateName.STOPPED, BOX_ID);
        when(ec2.startInstances(any(StartInstancesRequest.class))).thenThrow(awsError("VcpuLimitExceeded", 400));
        assertThrows(BoxException.class, () -> control.start(0));
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).startsWith("gpubox could not start GPU box gpubox-gpu (g4dn.xlarge): Your AWS"));
    }

    /** Advances two seconds each time it is read, like a wall clock during polling. */
    static final class SteppingClock extends Clock {
        private java.time.Instant now = NOW;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            java.time.Instant current = now;
            now = now.plusSeconds(2);
            return current;
        }
    }

    @Test
    void everyActionOnEveryStateMakesOnlyTheCallsItShould() {
        for (InstanceStateName state : Ec2Fixtures.allStates()) {
            org.mockito.Mockito.reset(ec2);
            org.mockito.Mockito.lenient().when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                    .thenReturn(instances(box(state)));
            org.mockito.Mockito.lenient().when(ec2.describeAddresses(any(DescribeAddressesRequest.class)))
                    .thenReturn(eip(null));
            boolean startable = state == InstanceStateName.STOPPED;
            boolean stoppable = state == InstanceStateName.RUNNING;
            try {
                control.start(0);
            } catch (BoxException expected) {
                assertFalse(startable, state + ": start failed: " + expected.getMessage());
            }
            try {
                control.stop();
            } catch (BoxException expected) {
                assertFalse(stoppable, state + ": stop failed: " + expected.getMessage());
            }
            verify(ec2, times(startable ? 1 : 0)).startInstances(any(StartInstancesRequest.class));
            verify(ec2, times(stoppable ? 1 : 0)).stopInstances(any(StopInstancesRequest.class));
        }
    }
}
