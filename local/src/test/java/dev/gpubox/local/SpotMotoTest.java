package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.MotoServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Issue 18, the second implementation: moto launches a box with Spot market options (what UseSpot's
 * LaunchTemplate asks for) and sets only its {@code InstanceLifecycle=spot} — no SpotInstanceRequestId, no
 * request state. gpubox's status still tells a Spot box ({@code spot} not null, not interrupted) and, with no
 * request id to read, makes no DescribeSpotInstanceRequests; an on-demand box's {@code spot} is null. The
 * request states and interruption are the simulator's (SpotWireTest), as moto does not model them.
 */
class SpotMotoTest {
    @Test
    void aBoxLaunchedWithSpotMarketOptionsIsSpotInStatus() throws Exception {
        try (MotoServer moto = MotoServer.start(); Ec2Client ec2 = Endpoints.clientFor(moto.endpoint())) {
            String spotBox = launch(ec2, true);
            String onDemand = launch(ec2, false);
            ec2.stopInstances(r -> r.instanceIds(spotBox, onDemand));
            String allocation = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();

            WireFixture.Reply spot = status(ec2, new BoxConfig(spotBox, allocation, "gpubox:stack", "moto", "ubuntu"));
            assertEquals(200, spot.status(), spot.json().toString());
            assertTrue(spot.json().path("spot").isObject(), spot.json().toString());
            assertTrue(spot.json().path("spot").path("requestId").isNull(), "moto sets no request id: " + spot.json());
            assertEquals(false, spot.json().path("spot").path("interrupted").asBoolean(true));
            assertTrue(spot.field("message").contains("is stopped"), spot.field("message"));

            WireFixture.Reply plain = status(ec2, new BoxConfig(onDemand, allocation, "gpubox:stack", "moto", "ubuntu"));
            assertTrue(plain.json().has("spot") && plain.json().path("spot").isNull(), plain.json().toString());
        }
    }

    private static WireFixture.Reply status(Ec2Client ec2, BoxConfig config) throws Exception {
        try (LocalApi api = LocalApi.start(0, WireFixture.KEY, ec2, config)) {
            return WireFixture.call(api, WireFixture.KEY, "GET", "/status");
        }
    }

    private static String launch(Ec2Client ec2, boolean spot) {
        return ec2.runInstances(r -> {
            r.imageId(MotoServer.AMI).instanceType(InstanceType.G4_DN_XLARGE).minCount(1).maxCount(1)
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                            .tags(List.of(Tag.builder().key("gpubox:stack").value("moto").build())).build());
            if (spot) {
                r.instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(s -> s
                        .spotInstanceType(SpotInstanceType.PERSISTENT)
                        .instanceInterruptionBehavior(InstanceInterruptionBehavior.STOP)));
            }
        }).instances().get(0).instanceId();
    }
}
