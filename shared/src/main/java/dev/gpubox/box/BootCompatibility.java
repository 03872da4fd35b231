package dev.gpubox.box;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.EbsNvmeSupport;
import software.amazon.awssdk.services.ec2.model.EnaSupport;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * Which instance types can boot the box's disk: EC2 changes a stopped instance's type only to one with the
 * same architecture and virtualization, and the AMI must have the ENA and NVMe drivers the new type needs
 * (EC2 user guide, "Change the instance type"). Read from {@code DescribeInstanceTypes}; used by the
 * capacity fall-back at start and by the deploy-time check of {@code FallbackInstanceTypes}.
 */
public final class BootCompatibility {
    private BootCompatibility() {
    }

    /** "g5.xlarge,g6.xlarge" (commas or spaces) → its types, in order, without blanks or repeats. */
    public static List<String> parseList(String raw) {
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        return Arrays.stream(raw.split("[,\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /**
     * What EC2 says of these types, by name; a name EC2 does not know is missing from the map. EC2 refuses the
     * whole call for one unknown name (InvalidInstanceType), so then each is asked on its own.
     */
    static Map<String, InstanceTypeInfo> describe(Ec2Client ec2, List<String> types) {
        Map<String, InstanceTypeInfo> byName = new LinkedHashMap<>();
        try {
            describeInto(ec2, types, byName);
        } catch (BoxException e) {
            if (!unknownType(e)) {
                throw e;
            }
            for (String type : types) {
                try {
                    describeInto(ec2, List.of(type), byName);
                } catch (BoxException one) {
                    if (!unknownType(one)) {
                        throw one;
                    }
                }
            }
        }
        return byName;
    }

    private static void describeInto(Ec2Client ec2, List<String> types, Map<String, InstanceTypeInfo> byName) {
        Ec2Calls.call("look up instance types " + String.join(", ", types), () -> ec2.describeInstanceTypes(
                        DescribeInstanceTypesRequest.builder().instanceTypesWithStrings(types).build()))
                .instanceTypes().forEach(t -> byName.put(t.instanceTypeAsString(), t));
    }

    private static boolean unknownType(BoxException e) {
        return e.getCause() instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && "InvalidInstanceType".equals(aws.awsErrorDetails().errorCode());
    }

    /** Why {@code candidate} cannot boot a disk that boots on {@code base}; null when it can. */
    static String whyNot(InstanceTypeInfo base, InstanceTypeInfo candidate) {
        List<String> baseArch = base.processorInfo() == null ? List.of()
                : base.processorInfo().supportedArchitecturesAsStrings();
        List<String> arch = candidate.processorInfo() == null ? List.of()
                : candidate.processorInfo().supportedArchitecturesAsStrings();
        if (arch.stream().noneMatch(baseArch::contains)) {
            return "its architecture (" + String.join("/", arch) + ") is not " + String.join("/", baseArch);
        }
        List<String> virt = candidate.supportedVirtualizationTypesAsStrings();
        if (!virt.isEmpty() && base.supportedVirtualizationTypesAsStrings().stream().noneMatch(virt::contains)) {
            return "its virtualization (" + String.join("/", virt) + ") differs";
        }
        boolean baseEna = ena(base) != EnaSupport.UNSUPPORTED;
        if (baseEna != (ena(candidate) != EnaSupport.UNSUPPORTED)) {
            return baseEna ? "it has no ENA networking" : "it requires ENA networking";
        }
        boolean baseNvme = nvme(base) != EbsNvmeSupport.UNSUPPORTED;
        if (baseNvme != (nvme(candidate) != EbsNvmeSupport.UNSUPPORTED)) {
            return baseNvme ? "it has no NVMe disks" : "it needs NVMe disk drivers";
        }
        return null;
    }

    /**
     * The deploy-time check: every fall-back type exists and can boot a disk made for {@code preferred}.
     *
     * @return null when the list is fine, else one message naming each wrong type and why
     */
    public static String problems(Ec2Client ec2, String preferred, List<String> fallbacks) {
        if (fallbacks.isEmpty()) {
            return null;
        }
        List<String> all = new ArrayList<>();
        all.add(preferred);
        fallbacks.stream().filter(t -> !t.equals(preferred)).forEach(all::add);
        Map<String, InstanceTypeInfo> known = describe(ec2, all);
        InstanceTypeInfo base = known.get(preferred);
        if (base == null) {
            return "EC2 does not know InstanceType " + preferred + " in this region.";
        }
        List<String> wrong = new ArrayList<>();
        for (String type : fallbacks) {
            InstanceTypeInfo info = known.get(type);
            String why = info == null ? "EC2 does not know it in this region" : whyNot(base, info);
            if (why != null) {
                wrong.add(type + " (" + why + ")");
            }
        }
        return wrong.isEmpty() ? null : "FallbackInstanceTypes cannot boot the box's disk (made for " + preferred
                + "): " + String.join("; ", wrong) + ". Use types of the same architecture with ENA and NVMe, e.g."
                + " g5.xlarge,g6.xlarge for g4dn.xlarge, in samconfig.toml's parameter_overrides, and deploy again.";
    }

    private static EnaSupport ena(InstanceTypeInfo t) {
        return t.networkInfo() == null || t.networkInfo().enaSupport() == null ? EnaSupport.UNSUPPORTED
                : t.networkInfo().enaSupport();
    }

    private static EbsNvmeSupport nvme(InstanceTypeInfo t) {
        return t.ebsInfo() == null || t.ebsInfo().nvmeSupport() == null ? EbsNvmeSupport.UNSUPPORTED
                : t.ebsInfo().nvmeSupport();
    }

}
