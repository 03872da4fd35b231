package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxStatus;
import dev.gpubox.box.HourlyPrice;
import dev.gpubox.box.MotoServer;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.SpotPrices;
import java.time.Clock;
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
 * Issue 18.5, the second implementation: moto implements DescribeSpotPriceHistory (one entry per zone that
 * offers the type, every price "0.00001", product "Linux/UNIX (Amazon VPC)", and it ignores the
 * AvailabilityZone parameter and the times), and RunInstances with Spot market options sets the instance's
 * lifecycle. Through the real SDK: a Spot box launched in moto is priced at moto's Spot price for its own zone.
 */
class SpotPriceMotoTest {
    static final double MOTO_SPOT_PRICE = 0.00001;

    @Test
    void aSpotBoxLaunchedInMotoIsPricedAtMotosSpotPriceForItsZone() throws Exception {
        try (MotoServer moto = MotoServer.start(); Ec2Client ec2 = Endpoints.clientFor(moto.endpoint())) {
            String id = ec2.runInstances(r -> r.imageId(MotoServer.AMI).instanceType(InstanceType.G4_DN_XLARGE)
                    .minCount(1).maxCount(1).keyName("my-laptop")
                    .instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(s -> s
                            .spotInstanceType(SpotInstanceType.PERSISTENT)
                            .instanceInterruptionBehavior(InstanceInterruptionBehavior.STOP)))
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                            .tags(Tag.builder().key("gpubox:stack").value("moto-stack").build()).build()))
                    .instances().get(0).instanceId();
            BoxConfig config = new BoxConfig(id, null, "gpubox:stack", "moto-stack", "ubuntu");
            BoxStatus status = new BoxControl(ec2, config, Notifier.NONE).status();
            assertEquals(HourlyPrice.SPOT, status.priceSource(), "moto sets InstanceLifecycle=spot");
            assertEquals(MOTO_SPOT_PRICE, status.hourlyPriceUsd(), 1e-12);

            SpotPrices prices = new SpotPrices(() -> ec2, Clock.systemUTC());
            assertEquals(MOTO_SPOT_PRICE, prices.usdPerHour(status.availabilityZone(), "g4dn.xlarge"), 1e-12,
                    "the entry of the asked zone, out of every zone moto lists");
            try {
                prices.usdPerHour("us-west-2z", "g4dn.xlarge");
                throw new AssertionError("a zone moto lists no price for must not borrow another zone's");
            } catch (dev.gpubox.box.BoxException expected) {
                assertTrue(expected.getMessage().contains("no Linux/UNIX Spot price"), expected.getMessage());
            }
        }
    }
}
