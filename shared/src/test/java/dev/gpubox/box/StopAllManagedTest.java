package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.TAG_KEY;
import static dev.gpubox.box.Ec2Fixtures.TAG_VALUE;
import static dev.gpubox.box.Ec2Fixtures.awsError;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.config;
import static dev.gpubox.box.Ec2Fixtures.instancesPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;

@ExtendWith(MockitoExtension.class)
class StopAllManagedTest {
    @Mock
    Ec2Client ec2;

    private static String id(int n) {
        return String.format("i-%017x", n);
    }

    @Test
    void findsBoxesByTagAcrossPagesAndStopsOnlyRunningOnes() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(
                instancesPage("page-2", box(id(1), InstanceStateName.RUNNING), box(id(2), InstanceStateName.STOPPED)),
                instancesPage(null, box(id(3), InstanceStateName.STOPPING), box(id(4), InstanceStateName.RUNNING),
                        box(id(5), InstanceStateName.PENDING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());

        SweepReport report = new BoxControl(ec2, config()).stopAllManaged();

        assertEquals(List.of(id(1), id(4)), report.stopped());
        assertEquals(List.of(id(2), id(3)), report.alreadyStopped());
        assertEquals(List.of(id(5)), List.copyOf(report.failed().keySet()));
        ArgumentCaptor<DescribeInstancesRequest> describes = ArgumentCaptor.forClass(DescribeInstancesRequest.class);
        verify(ec2, times(2)).describeInstances(describes.capture());
        DescribeInstancesRequest first = describes.getAllValues().get(0);
        assertTrue(first.instanceIds().isEmpty(), "boxes are found by tag, never by pasted ids");
        assertTrue(first.filters().contains(Filter.builder().name("tag:" + TAG_KEY).values(TAG_VALUE).build()));
        assertEquals("page-2", describes.getAllValues().get(1).nextToken());
        verify(ec2).stopInstances(StopInstancesRequest.builder().instanceIds(id(1), id(4)).build());
        assertEquals("gpubox scheduled stop: stopped 2 [" + id(1) + ", " + id(4) + "]; already stopped 2 ["
                + id(2) + ", " + id(3) + "]; failed 1 [" + id(5)
                + " (still starting; EC2 cannot stop a pending instance)]", report.summary());
    }

    @Test
    void stopsInBatches() {
        Instance[] running = IntStream.range(0, 120).mapToObj(n -> box(id(n), InstanceStateName.RUNNING))
                .toArray(Instance[]::new);
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null, running));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenReturn(StopInstancesResponse.builder().build());

        SweepReport report = new BoxControl(ec2, config()).stopAllManaged();

        assertEquals(120, report.stopped().size());
        verify(ec2, times(3)).stopInstances(any(StopInstancesRequest.class));
        verify(ec2, never()).stopInstances(argThat((StopInstancesRequest r) -> r.instanceIds().size() > 50));
    }

    @Test
    void oneFailingBoxDoesNotKeepTheOthersRunning() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class))).thenReturn(instancesPage(null,
                box(id(1), InstanceStateName.RUNNING), box(id(2), InstanceStateName.RUNNING),
                box(id(3), InstanceStateName.RUNNING)));
        when(ec2.stopInstances(any(StopInstancesRequest.class))).thenAnswer(call -> {
            StopInstancesRequest request = call.getArgument(0);
            if (request.instanceIds().contains(id(2))) {
                throw awsError("UnauthorizedOperation", 403);
            }
            return StopInstancesResponse.builder().build();
        });

        SweepReport report = new BoxControl(ec2, config()).stopAllManaged();

        assertEquals(List.of(id(1), id(3)), report.stopped());
        assertEquals(Map.of(id(2), report.failed().get(id(2))), report.failed());
        assertTrue(report.failed().get(id(2)).contains("UnauthorizedOperation"));
        assertTrue(report.hasFailures());
    }

    @Test
    void withoutTheManagementTagNothingIsCalled() {
        BoxControl control = new BoxControl(ec2, new BoxConfig("i-1", null, null, null, "ubuntu"));
        assertEquals(ErrorCode.MISCONFIGURED, assertThrows(BoxException.class, control::stopAllManaged).error());
        verifyNoInteractions(ec2);
    }

    @Test
    void listingFailureIsMappedNotThrownRaw() {
        when(ec2.describeInstances(any(DescribeInstancesRequest.class)))
                .thenThrow(awsError("RequestLimitExceeded", 503));
        BoxException e = assertThrows(BoxException.class, () -> new BoxControl(ec2, config()).stopAllManaged());
        assertEquals(ErrorCode.THROTTLED, e.error());
    }
}
