package dev.gpubox.sim;

import java.util.List;
import java.util.Map;

/**
 * What DescribeInstanceTypes says of the GPU types gpubox allows and a few neighbours: architecture,
 * virtualization, ENA and EBS NVMe, the fields that decide whether a stopped box's type may change (EC2 user
 * guide, "Change the instance type"). Values as AWS's own instance-type data gives them (moto serves the same).
 */
final class InstanceTypes {
    record Info(String name, String architecture, String ena, String nvme) {
    }

    static final Map<String, Info> KNOWN = Map.ofEntries(
            x86("g4dn.xlarge"), x86("g4dn.2xlarge"), x86("g5.xlarge"), x86("g5.2xlarge"), x86("g6.xlarge"),
            x86("g6.2xlarge"), x86("g6e.xlarge"),
            Map.entry("g5g.xlarge", new Info("g5g.xlarge", "arm64", "required", "required")),
            // Xen-based: EBS is not NVMe there, ENA only supported.
            Map.entry("p3.2xlarge", new Info("p3.2xlarge", "x86_64", "supported", "unsupported")),
            Map.entry("p2.xlarge", new Info("p2.xlarge", "x86_64", "supported", "unsupported")));

    private InstanceTypes() {
    }

    private static Map.Entry<String, Info> x86(String name) {
        return Map.entry(name, new Info(name, "x86_64", "required", "required"));
    }

    /** EC2's answer: every name known, or InvalidInstanceType naming the unknown ones. */
    static List<Info> describe(List<String> names) {
        List<String> unknown = names.stream().filter(n -> !KNOWN.containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            throw Ec2Error.client("InvalidInstanceType",
                    "The following supplied instance types do not exist: [" + String.join(", ", unknown) + "]");
        }
        return (names.isEmpty() ? List.copyOf(KNOWN.keySet()) : names).stream().distinct().map(KNOWN::get).toList();
    }
}
