package dev.gpubox.box;

import java.util.Map;

/**
 * Where the box is and how it is reached, read from the environment variables that template.yaml sets.
 *
 * <ul>
 *   <li>{@code GPUBOX_INSTANCE_ID} — the GPU instance (required by start, stop, status and attach-EIP).</li>
 *   <li>{@code GPUBOX_EIP_ALLOCATION_ID} — the stack's Elastic IP (required by attach-EIP; status shows it).</li>
 *   <li>{@code GPUBOX_MANAGED_TAG} — {@code key=value} tag that marks every box the nightly stop may stop.</li>
 *   <li>{@code GPUBOX_SSH_USER} — login user for the ssh line; default {@code ubuntu} (Deep Learning AMIs).</li>
 * </ul>
 *
 * Missing values are not an error here: the action that needs one reports it as a clear 500, so a
 * half-configured function still answers in JSON instead of failing its cold start.
 */
public record BoxConfig(String instanceId, String eipAllocationId, String managedTagKey, String managedTagValue,
                        String sshUser) {

    public static final String INSTANCE_ID = "GPUBOX_INSTANCE_ID";
    public static final String EIP_ALLOCATION_ID = "GPUBOX_EIP_ALLOCATION_ID";
    public static final String MANAGED_TAG = "GPUBOX_MANAGED_TAG";
    public static final String SSH_USER = "GPUBOX_SSH_USER";
    public static final String DEFAULT_SSH_USER = "ubuntu";

    public static BoxConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static BoxConfig from(Map<String, String> env) {
        String tag = blankToNull(env.get(MANAGED_TAG));
        String tagKey = null;
        String tagValue = null;
        if (tag != null && tag.indexOf('=') > 0) {
            tagKey = tag.substring(0, tag.indexOf('=')).trim();
            tagValue = tag.substring(tag.indexOf('=') + 1).trim();
        }
        String user = blankToNull(env.get(SSH_USER));
        return new BoxConfig(blankToNull(env.get(INSTANCE_ID)), blankToNull(env.get(EIP_ALLOCATION_ID)),
                tagKey, blankToNull(tagValue), user == null ? DEFAULT_SSH_USER : user);
    }

    String requireInstanceId() {
        return require(instanceId, INSTANCE_ID);
    }

    String requireEipAllocationId() {
        return require(eipAllocationId, EIP_ALLOCATION_ID);
    }

    void requireManagedTag() {
        require(managedTagKey == null ? null : managedTagValue, MANAGED_TAG + " (as key=value)");
    }

    private static String require(String value, String name) {
        if (value == null) {
            throw new BoxException(ErrorCode.MISCONFIGURED,
                    "gpubox is not configured: environment variable " + name + " is not set on this function.");
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
