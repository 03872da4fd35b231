package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.BOX_ID;
import static dev.gpubox.box.Ec2Fixtures.box;
import static dev.gpubox.box.Ec2Fixtures.eip;
import static dev.gpubox.box.Ec2Fixtures.instances;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.mock;

import java.util.concurrent.atomic.AtomicReference;
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

/**
 * A Mockito {@link Ec2Client} whose answers follow one box's state, so a handler that starts the box and
 * then waits sees it running (transitions are instant here; the local simulator models real timing).
 */
final class FakeEc2 {
    final Ec2Client client = mock(Ec2Client.class);
    final AtomicReference<InstanceStateName> state;
    final AtomicReference<String> eipHolder;

    FakeEc2(InstanceStateName initial, String eipHolder) {
        this.state = new AtomicReference<>(initial);
        this.eipHolder = new AtomicReference<>(eipHolder);
        lenient().when(client.describeInstances(any(DescribeInstancesRequest.class)))
                // Started an hour before the real clock the handlers read: a run inside its ceiling (MaxRunHours).
                .thenAnswer(call -> instances(box(BOX_ID, state.get(), java.time.Instant.now().minusSeconds(3600))));
        lenient().when(client.describeAddresses(any(DescribeAddressesRequest.class)))
                .thenAnswer(call -> eip(this.eipHolder.get()));
        lenient().when(client.startInstances(any(StartInstancesRequest.class))).thenAnswer(call -> {
            state.set(InstanceStateName.RUNNING);
            return StartInstancesResponse.builder().build();
        });
        lenient().when(client.stopInstances(any(StopInstancesRequest.class))).thenAnswer(call -> {
            state.set(InstanceStateName.STOPPED);
            return StopInstancesResponse.builder().build();
        });
        lenient().when(client.createTags(any(CreateTagsRequest.class))).thenReturn(CreateTagsResponse.builder().build());
        lenient().when(client.deleteTags(any(DeleteTagsRequest.class))).thenReturn(DeleteTagsResponse.builder().build());
        lenient().when(client.associateAddress(any(AssociateAddressRequest.class))).thenAnswer(call -> {
            this.eipHolder.set(BOX_ID);
            return AssociateAddressResponse.builder().associationId("eipassoc-1").build();
        });
    }
}
