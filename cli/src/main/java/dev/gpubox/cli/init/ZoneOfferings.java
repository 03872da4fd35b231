package dev.gpubox.cli.init;

import java.io.PrintStream;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;

/** Step 1: does the region offer the instance type at all, and in which zones. */
final class ZoneOfferings {
    private final Ec2Client ec2;

    ZoneOfferings(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    List<String> check(String region, String instanceType, PrintStream out) throws InitFailure {
        List<String> zones = ec2.describeInstanceTypeOfferingsPaginator(r -> r
                        .locationType(LocationType.AVAILABILITY_ZONE)
                        .filters(Filter.builder().name("instance-type").values(instanceType).build()))
                .instanceTypeOfferings().stream()
                .map(InstanceTypeOffering::location).sorted().toList();
        if (zones.isEmpty()) {
            throw new InitFailure(1, region + " does not offer " + instanceType
                    + " in any zone: pick another region (--region) or type (--instance-type).");
        }
        out.println("instance type: " + region + " offers " + instanceType + " in " + String.join(", ", zones)
                + (zones.size() > 1 ? " (EC2 picks one unless you deploy with SubnetId)" : ""));
        return zones;
    }
}
