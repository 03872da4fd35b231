package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.INSTANCE_TYPES;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeResponse;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesResponse;

/**
 * Issue 17 point 1: a start EC2 refuses for capacity moves the stopped box to the next compatible
 * FallbackInstanceTypes type and starts it again; the reply names the type it got and its price. A stateful
 * stand-in for EC2 (the box's type and state change as EC2's would) under Mockito; the simulator and moto
 * tiers drive the same path over HTTP.
 */
class CapacityFallbackTest {
    final Ec2Client ec2 = mock(Ec2Client.class);
    final FakeTime time = new FakeTime(NOW);
    final BoxControl control = new BoxControl(ec2, config(), time, time);
    final List<String> soldOut = new ArrayList<>();
    /** Types EC2 accepts a start of and then abandons, back to stopped with a capacity reason. */
    final List<String> abandoned = new ArrayList<>();
    String stateReason = null;
    final List<String> modifiedTo = new ArrayList<>();
    String type = "g4dn.xlarge";
    InstanceStateName state = InstanceStateName.STOPPED;
    String fallbackTag = "g5g.xlarge,g5.xlarge,g6.xlarge";
    String restoreTag = "false";

    {
        when(ec2.describeAddresses(any(DescribeAddressesRequest.class))).thenReturn(eip(BOX_ID));
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenAnswer(a -> {
            Instance seen = current();
            if (state == InstanceStateName.PENDING) { // the next look sees where the start went
                boolean gaveUp = abandoned.contains(type);
                state = gaveUp ? InstanceStateName.STOPPED : InstanceStateName.RUNNING;
                stateReason = gaveUp ? "Server.InsufficientInstanceCapacity" : null;
            }
            return instances(seen);
        });
        when(ec2.describeInstanceTypes(any(DescribeInstanceTypesRequest.class))).thenAnswer(a -> {
            DescribeInstanceTypesRequest r = a.getArgument(0);
            if (!INSTANCE_TYPES.keySet().containsAll(r.instanceTypesAsStrings())) { // as EC2 answers an unknown name
                throw awsError("InvalidInstanceType", 400);
            }
            return DescribeInstanceTypesResponse.builder().instanceTypes(r.instanceTypesAsStrings().stream()
                    .map(INSTANCE_TYPES::get).filter(t -> t != null).toList()).build();
        });
        when(ec2.modifyInstanceAttribute(any(ModifyInstanceAttributeRequest.class))).thenAnswer(a -> {
            ModifyInstanceAttributeRequest r = a.getArgument(0);
            if (state != InstanceStateName.STOPPED) {
                throw awsError("IncorrectInstanceState", 400);
            }
            type = r.instanceType().value();
            modifiedTo.add(type);
            return ModifyInstanceAttributeResponse.builder().build();
        });
        when(ec2.startInstances(any(StartInstancesRequest.class))).thenAnswer(a -> {
            if (soldOut.contains(type)) {
                throw awsError("InsufficientInstanceCapacity", 500);
            }
            state = InstanceStateName.PENDING;
            stateReason = null;
            return StartInstancesResponse.builder().build();
        });
    }

    Instance current() {
        return box(BOX_ID, state, NOW, tag(BoxTags.PREFERRED_TYPE, "g4dn.xlarge"),
                tag(BoxTags.FALLBACK_TYPES, fallbackTag), tag(BoxTags.RESTORE_PREFERRED, restoreTag)).toBuilder().instanceType(type)
                .stateReason(stateReason == null ? null : software.amazon.awssdk.services.ec2.model.StateReason.builder()
                        .code(stateReason).message(stateReason + ": Insufficient capacity.").build()).build();
    }

    @Test
    void aRefusedStartRunsOnTheNextTypeThatCanBootTheDiskAndSaysWhichAndItsPrice() {
        soldOut.add("g4dn.xlarge");

        ActionResult result = control.start(25);

        assertEquals(List.of("g5.xlarge"), modifiedTo, "g5g.xlarge (arm64) cannot boot an x86_64 disk: skipped");
        assertEquals("running", result.box().state());
        assertEquals("g5.xlarge", result.box().instanceType(), "status shows the type actually running");
        assertTrue(result.message().contains("(g5.xlarge, not g4dn.xlarge: AWS had no capacity for it; ~$1.01/h)"),
                result.message());
        assertEquals(1.006, result.box().hourlyPriceUsd(), "the price of the type running");
    }

    @Test
    void aStartAcceptedAndThenAbandonedForCapacityFallsBackWithinTheWait() {
        abandoned.add("g4dn.xlarge");

        ActionResult result = control.start(25);

        assertEquals(List.of("g5.xlarge"), modifiedTo, "changed while stopped, after EC2 gave up on g4dn.xlarge");
        assertEquals("running", result.box().state());
        assertEquals("g5.xlarge", result.box().instanceType());
        assertTrue(time.instant().isBefore(NOW.plusSeconds(BoxControl.MAX_WAIT_SECONDS)), "inside the API's wait");
    }

    /** Nobody waited (a start without wait): the stopped event's handler falls back, and its notice says so. */
    @Test
    void aStartAbandonedWhileNobodyWaitsFallsBackFromTheStoppedEventWithANotice() {
        abandoned.add("g4dn.xlarge");
        assertEquals("start_issued", control.start(0).result());
        current(); // EC2 gives up on it
        ec2.describeInstances(DescribeInstancesRequest.builder().build());
        assertEquals(InstanceStateName.STOPPED, state);
        List<String> notices = new ArrayList<>();

        String notice = new StateChangeNotices(ec2, config(), (subject, body) -> notices.add(body))
                .onStateChange(BOX_ID, "stopped", NOW.plusSeconds(60));

        assertEquals(List.of("g5.xlarge"), modifiedTo);
        assertEquals(InstanceStateName.PENDING, state, "started again as g5.xlarge");
        assertTrue(notice.contains("failed to start") && notice.contains(
                "gpubox is starting it as g5.xlarge instead (FallbackInstanceTypes, ~$1.01/h)."), notice);
        assertEquals(List.of(notice), notices);
    }

    @Test
    void withRestorePreferredTypeTheSweepGivesAStoppedBoxItsInstanceTypeBackAndLeavesARunningOneAlone() {
        restoreTag = "true";
        type = "g5.xlarge";
        state = InstanceStateName.RUNNING;
        NightlyStop sweep = new NightlyStop(ec2, config(), Notifier.NONE, time, time);
        time.set(NOW.plusSeconds(60)); // before the nightly stop: the running box is not due
        sweep.run(java.time.Duration.ofSeconds(30));
        assertEquals(List.of(), modifiedTo, "EC2 changes a type only while stopped");

        state = InstanceStateName.STOPPED;
        sweep.run(java.time.Duration.ofSeconds(30));
        assertEquals(List.of("g4dn.xlarge"), modifiedTo);
        sweep.run(java.time.Duration.ofSeconds(30));
        assertEquals(List.of("g4dn.xlarge"), modifiedTo, "once: it is on its preferred type now");
    }

    @Test
    void withoutRestorePreferredTypeTheFallBackTypeStays() {
        type = "g5.xlarge";
        new NightlyStop(ec2, config(), Notifier.NONE, time, time).run(java.time.Duration.ofSeconds(30));
        verify(ec2, never()).modifyInstanceAttribute(any(ModifyInstanceAttributeRequest.class));
    }

    @Test
    void eachSoldOutTypeIsPassedInOrderUntilOneStarts() {
        soldOut.addAll(List.of("g4dn.xlarge", "g5.xlarge"));

        assertEquals("g6.xlarge", control.start(0).box().instanceType());
        assertEquals(List.of("g5.xlarge", "g6.xlarge"), modifiedTo);
    }

    @Test
    void whenEveryTypeIsSoldOutTheErrorNamesThemAndTheBoxStaysStopped() {
        soldOut.addAll(List.of("g4dn.xlarge", "g5.xlarge", "g6.xlarge"));

        BoxException e = assertThrows(BoxException.class, () -> control.start(25));

        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.error());
        assertTrue(e.getMessage().contains("g4dn.xlarge, g5.xlarge, g6.xlarge"), e.getMessage());
        assertEquals(InstanceStateName.STOPPED, state);
    }

    @Test
    void withoutAFallBackListACapacityRefusalIsWhatItWasAndNoTypeIsLookedUp() {
        fallbackTag = "";
        soldOut.add("g4dn.xlarge");

        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, assertThrows(BoxException.class, () -> control.start(25)).error());
        verify(ec2, never()).describeInstanceTypes(any(DescribeInstanceTypesRequest.class));
        verify(ec2, never()).modifyInstanceAttribute(any(ModifyInstanceAttributeRequest.class));
    }

    @Test
    void theDeployCheckNamesEveryTypeThatCannotBootTheDiskAndWhy() {
        String problems = BootCompatibility.problems(ec2, "g4dn.xlarge",
                BootCompatibility.parseList("g5.xlarge, g5g.xlarge,g9.xlarge"));

        assertTrue(problems.contains("g5g.xlarge (its architecture (arm64) is not x86_64)")
                && problems.contains("g9.xlarge (EC2 does not know it in this region)")
                && !problems.contains("g5.xlarge ("), problems);
        assertNull(BootCompatibility.problems(ec2, "g4dn.xlarge", List.of("g5.xlarge", "g6.xlarge")));
    }
}
