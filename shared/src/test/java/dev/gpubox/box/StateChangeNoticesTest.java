package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.NOW;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static dev.gpubox.box.Ec2Fixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StateReason;

class StateChangeNoticesTest {
    static final Instant LAUNCHED = NOW.minusSeconds(3 * 3600 + 300);
    /** What every stop notice of a g4dn.xlarge (the fixtures' type) ends with: issue 14 point 8. */
    static final String G4DN_WIPED = " Its instance store (125 GB NVMe at /opt/dlami/nvme) is wiped at every stop:"
            + " files there are gone; keep work on the EBS disk.";
    final Ec2Client ec2 = mock(Ec2Client.class);
    final List<String> subjects = new ArrayList<>();
    final List<String> sent = new ArrayList<>();
    final StateChangeNotices notices = new StateChangeNotices(ec2, config(), (s, m) -> {
        subjects.add(s);
        sent.add(m);
    });

    private String stopped(Instance box) {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instances(box));
        return notices.onStateChange(BOX_ID, "stopped", NOW);
    }

    @Test
    void theNightlyStopIsNamedWithUptimeAndCost() {
        String notice = stopped(box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED, tag(BoxTags.STOP_REASON, "schedule@" + NOW)));
        assertEquals("GPU box gpubox-gpu (g4dn.xlarge) was stopped by the nightly 20:00 Asia/Shanghai stop after"
                + " 3 h 5 min, ~$1.62." + G4DN_WIPED, notice);
        assertEquals(List.of(notice), sent);
        assertEquals(List.of("gpubox: gpubox-gpu stopped"), subjects);
    }

    @Test
    void aSnoozeEndIsNamed() {
        assertEquals("GPU box gpubox-gpu (g4dn.xlarge) was stopped at the end of its snooze (20:00 Asia/Shanghai)"
                        + " after 3 h 5 min, ~$1.62." + G4DN_WIPED,
                stopped(box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED, tag(BoxTags.STOP_REASON, "snooze@" + NOW))));
    }

    @Test
    void aShutdownFromInsideTheBoxIsTheWatchdogOrTheUser() {
        Instance box = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED).toBuilder().stateReason(StateReason.builder()
                .code("Client.InstanceInitiatedShutdown").message("Client.InstanceInitiatedShutdown").build()).build();
        assertEquals("GPU box gpubox-gpu (g4dn.xlarge) shut itself down (the idle watchdog, or a shutdown on the box)"
                + " after 3 h 5 min, ~$1.62." + G4DN_WIPED, stopped(box));
    }

    @Test
    void aFailedStartIsSaidToBeOne() {
        Instance box = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED).toBuilder().stateReason(StateReason.builder()
                .code("Server.InsufficientInstanceCapacity").message("Server.InsufficientInstanceCapacity: Insufficient"
                        + " capacity.").build()).build();
        assertEquals("GPU box gpubox-gpu (g4dn.xlarge) failed to start and is stopped again: AWS had no capacity"
                + " for it (Server.InsufficientInstanceCapacity: Insufficient capacity). Nothing is billed for the"
                + " attempt; try again in a few minutes or choose another InstanceType.", stopped(box));
    }

    @Test
    void aStartThatFailsForAClientReasonIsAFailedStartTooNotAStopByYou() {
        Instance box = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED).toBuilder().stateReason(StateReason.builder()
                .code("Client.InternalError").message("Client.InternalError: Client error on launch.").build()).build();
        String notice = stopped(box);
        // Issue 14 point 5: the notice names the stack parameter that grants the key, and how to find the key.
        assertTrue(notice.startsWith("GPU box gpubox-gpu (g4dn.xlarge) failed to start and is stopped again: EC2"
                + " could not use its encrypted volume's KMS key") && notice.contains("set the stack parameter"
                + " EbsKmsKeyArn to it") && notice.contains("aws ec2 get-ebs-default-kms-key-id")
                && notice.contains("Client.InternalError"), notice);
    }

    @Test
    void aReasonFromAnEarlierRunIsNotReused() {
        String notice = stopped(box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED,
                tag(BoxTags.STOP_REASON, "schedule@" + LAUNCHED.minusSeconds(86400))));
        assertEquals("GPU box gpubox-gpu (g4dn.xlarge) stopped after 3 h 5 min, ~$1.62 (by you, the console, or"
                + " another tool)." + G4DN_WIPED, notice);
    }

    @Test
    void otherInstancesAndOtherStatesSendNothing() {
        Instance stranger = box(BOX_ID, InstanceStateName.STOPPED).toBuilder()
                .tags(tag("Name", "someone-else")).build();
        assertNull(stopped(stranger));
        assertNull(notices.onStateChange(BOX_ID, "running", NOW));
        assertEquals(List.of(), sent);
    }

    @Test
    void aRunningEventDoesNotEvenLookTheBoxUp() {
        Ec2Client untouched = mock(Ec2Client.class);
        assertNull(new StateChangeNotices(untouched, config(), Notifier.NONE).onStateChange(BOX_ID, "running", NOW));
        verifyNoInteractions(untouched);
    }

    /**
     * Issue 14 point 8: the DLAMIs mount a g4dn/g5/g6/g6e's local NVMe at /opt/dlami/nvme and every stop wipes
     * it, so the stop notice of such a type says so, whatever stopped it; an EBS-only type's does not, nor does
     * a start that failed (it never ran, so nothing was there).
     */
    @Test
    void everyStopNoticeOfATypeWithAnInstanceStoreSaysItIsWiped() {
        for (String reason : new String[] {"schedule", "snooze", "late-start", "manual"}) {
            Instance box = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED,
                    tag(BoxTags.STOP_REASON, reason + "@" + NOW.minusSeconds(60)));
            assertTrue(stopped(box).endsWith(G4DN_WIPED), reason + ": " + stopped(box));
            String g6e = stopped(box.toBuilder().instanceType("g6e.xlarge").build());
            assertTrue(g6e.endsWith(" Its instance store (250 GB NVMe at /opt/dlami/nvme) is wiped at every stop:"
                    + " files there are gone; keep work on the EBS disk."), g6e);
            assertFalse(stopped(box.toBuilder().instanceType("p3.2xlarge").build()).contains("instance store"));
        }
        Instance watchdog = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED).toBuilder().stateReason(StateReason
                .builder().code("Client.InstanceInitiatedShutdown").message("Client.InstanceInitiatedShutdown").build())
                .build();
        assertTrue(stopped(watchdog).endsWith(G4DN_WIPED), stopped(watchdog));
        Instance failedStart = box(BOX_ID, InstanceStateName.STOPPED, LAUNCHED).toBuilder().stateReason(StateReason
                .builder().code("Server.InsufficientInstanceCapacity").message("Insufficient capacity.").build()).build();
        assertFalse(stopped(failedStart).contains("instance store"), stopped(failedStart));
    }
}
