package dev.gpubox.box;

import software.amazon.awssdk.services.ec2.model.Address;

/**
 * Some EC2-compatible endpoints (moto, and LocalStack built on it) write an absent field as an empty
 * element ({@code <instanceId/>}), which the SDK reads as "". Real EC2 omits it. Read both as absent, once,
 * where gpubox reads the reply, so no caller mistakes "" for an instance.
 */
final class Ec2Blanks {
    private Ec2Blanks() {
    }

    static Address address(Address a) {
        if (isBlank(a.instanceId()) || isBlank(a.associationId()) || isBlank(a.networkInterfaceId())) {
            return a.toBuilder()
                    .instanceId(blankToNull(a.instanceId()))
                    .associationId(blankToNull(a.associationId()))
                    .networkInterfaceId(blankToNull(a.networkInterfaceId()))
                    .build();
        }
        return a;
    }

    private static boolean isBlank(String s) {
        return s != null && s.isBlank();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
