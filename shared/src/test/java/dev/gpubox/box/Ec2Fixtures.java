package dev.gpubox.box;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Real SDK response objects for tests: the model classes are final, so they are built, never mocked. */
public final class Ec2Fixtures {
    public static final String BOX_ID = "i-0123456789abcdef0";
    public static final String OTHER_ID = "i-0fedcba9876543210";
    public static final String ALLOCATION_ID = "eipalloc-0a1b2c3d4e5f67890";
    public static final String EIP = "203.0.113.10";
    public static final String EPHEMERAL_IP = "198.51.100.23";
    public static final String TAG_KEY = "gpubox:stack";
    public static final String TAG_VALUE = "gpubox";
    public static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    /** What DescribeInstanceTypes says of a few types: x86_64 ones that boot the same disk, and an arm64 one. */
    public static final java.util.Map<String, software.amazon.awssdk.services.ec2.model.InstanceTypeInfo> INSTANCE_TYPES =
            java.util.Map.of("g4dn.xlarge", instanceType("g4dn.xlarge", "x86_64"),
                    "g5.xlarge", instanceType("g5.xlarge", "x86_64"),
                    "g6.xlarge", instanceType("g6.xlarge", "x86_64"),
                    "g5g.xlarge", instanceType("g5g.xlarge", "arm64"));

    private Ec2Fixtures() {
    }

    public static BoxConfig config() {
        return new BoxConfig(BOX_ID, ALLOCATION_ID, TAG_KEY, TAG_VALUE, "ubuntu");
    }

    /** The box in a state; running boxes have a public IP and started an hour before {@link #NOW}. */
    public static Instance box(String id, InstanceStateName state) {
        boolean hasAddress = state == InstanceStateName.RUNNING || state == InstanceStateName.PENDING;
        return Instance.builder()
                .instanceId(id)
                .instanceType("g4dn.xlarge")
                .keyName("gpubox-key")
                .state(InstanceState.builder().name(state).code(code(state)).build())
                .publicIpAddress(hasAddress ? EPHEMERAL_IP : null)
                .launchTime(NOW.minusSeconds(3600))
                .tags(Tag.builder().key("Name").value("gpubox-gpu").build(),
                        Tag.builder().key(TAG_KEY).value(TAG_VALUE).build())
                .build();
    }

    /** A box that started at {@code launched}, with extra tags (e.g. a snooze). */
    public static Instance box(String id, InstanceStateName state, Instant launched, Tag... extraTags) {
        Instance base = box(id, state);
        java.util.List<Tag> tags = new java.util.ArrayList<>(base.tags());
        tags.addAll(Arrays.asList(extraTags));
        return base.toBuilder().launchTime(launched).tags(tags).build();
    }

    public static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    public static Instance box(InstanceStateName state) {
        return box(BOX_ID, state);
    }

    public static DescribeInstancesResponse instances(Instance... instances) {
        return instancesPage(null, instances);
    }

    public static DescribeInstancesResponse instancesPage(String nextToken, Instance... instances) {
        return DescribeInstancesResponse.builder()
                .reservations(Reservation.builder().instances(Arrays.asList(instances)).build())
                .nextToken(nextToken)
                .build();
    }

    /** The stack's Elastic IP, associated with {@code holder} (null: not associated). */
    public static DescribeAddressesResponse eip(String holder) {
        return DescribeAddressesResponse.builder()
                .addresses(Address.builder().allocationId(ALLOCATION_ID).publicIp(EIP).domain("vpc")
                        .instanceId(holder)
                        .associationId(holder == null ? null : "eipassoc-0123456789abcdef0")
                        .build())
                .build();
    }

    /** An EC2 error as the SDK raises it after reading AWS's XML error envelope. */
    public static AwsServiceException awsError(String code, int status) {
        return Ec2Exception.builder()
                .statusCode(status)
                .requestId("req-" + code)
                .message(code + " from EC2")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " from EC2")
                        .serviceName("Ec2").build())
                .build();
    }

    /** Matches a request by its EC2 fields, whatever per-call timeouts it carries (overrideConfiguration). */
    public static <T extends software.amazon.awssdk.core.SdkRequest> T sdkFields(T expected) {
        return org.mockito.ArgumentMatchers.argThat(actual -> actual != null && actual.equalsBySdkFields(expected));
    }

    public static List<InstanceStateName> allStates() {
        return List.of(InstanceStateName.PENDING, InstanceStateName.RUNNING, InstanceStateName.STOPPING,
                InstanceStateName.STOPPED, InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    }

    private static int code(InstanceStateName state) {
        return switch (state) {
            case PENDING -> 0;
            case RUNNING -> 16;
            case SHUTTING_DOWN -> 32;
            case TERMINATED -> 48;
            case STOPPING -> 64;
            case STOPPED -> 80;
            default -> -1;
        };
    }

    /** An instance type as DescribeInstanceTypes shows a current GPU one: HVM, ENA and NVMe required. */
    public static software.amazon.awssdk.services.ec2.model.InstanceTypeInfo instanceType(String name, String arch) {
        return software.amazon.awssdk.services.ec2.model.InstanceTypeInfo.builder().instanceType(name)
                .processorInfo(p -> p.supportedArchitecturesWithStrings(arch))
                .supportedVirtualizationTypesWithStrings("hvm")
                .networkInfo(n -> n.enaSupport("required"))
                .ebsInfo(e -> e.nvmeSupport("required")).build();
    }
}
