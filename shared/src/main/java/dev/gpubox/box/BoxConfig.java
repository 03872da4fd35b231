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
 *   <li>{@code GPUBOX_SHUTDOWN_TIME}, {@code GPUBOX_TIMEZONE} — the nightly stop, e.g. {@code 20:00},
 *       {@code Asia/Shanghai} (the defaults).</li>
 *   <li>{@code GPUBOX_MAX_SNOOZE_HOURS} — the longest snooze; default 12.</li>
 *   <li>{@code GPUBOX_LATE_START_HOURS} — how long a box started after the nightly stop may run; default 4,
 *       0 to keep it on until the next nightly stop.</li>
 *   <li>{@code GPUBOX_MAX_RUN_HOURS} — the longest any run may last, snoozed or not; default 24, 0 for no limit.</li>
 *   <li>{@code GPUBOX_HOURLY_PRICE} — USD per hour for cost estimates; unset or 0 uses {@link Pricing}'s table.</li>
 *   <li>{@code GPUBOX_TOPIC_ARN} — the SNS topic for notices; unset: notices are only logged.</li>
 * </ul>
 *
 * Missing values are not an error here: the action that needs one reports it as a clear 500, so a
 * half-configured function still answers in JSON instead of failing its cold start.
 */
public record BoxConfig(String instanceId, String eipAllocationId, String managedTagKey, String managedTagValue,
                        String sshUser, Settings settings) {

    /** The when and how much: the nightly stop, snooze bound, price and notice topic. */
    public record Settings(String shutdownTime, String timezone, String maxSnoozeHours, Double hourlyPrice,
                           String topicArn, String lateStartHours, String maxRunHours) {
        public static final Settings DEFAULTS = new Settings(null, null, null, null, null, null, null);

        /** Settings with the default run ceiling. */
        public Settings(String shutdownTime, String timezone, String maxSnoozeHours, Double hourlyPrice,
                        String topicArn, String lateStartHours) {
            this(shutdownTime, timezone, maxSnoozeHours, hourlyPrice, topicArn, lateStartHours, null);
        }

        /** Settings with the default late-start allowance. */
        public Settings(String shutdownTime, String timezone, String maxSnoozeHours, Double hourlyPrice,
                        String topicArn) {
            this(shutdownTime, timezone, maxSnoozeHours, hourlyPrice, topicArn, null);
        }

        public Settings withShutdownTime(String time) {
            return new Settings(time, timezone, maxSnoozeHours, hourlyPrice, topicArn, lateStartHours, maxRunHours);
        }

        public Settings withLateStartHours(String hours) {
            return new Settings(shutdownTime, timezone, maxSnoozeHours, hourlyPrice, topicArn, hours, maxRunHours);
        }

        public Settings withMaxRunHours(String hours) {
            return new Settings(shutdownTime, timezone, maxSnoozeHours, hourlyPrice, topicArn, lateStartHours, hours);
        }
    }

    /** A box with the default stop policy, pricing and no notice topic. */
    public BoxConfig(String instanceId, String eipAllocationId, String managedTagKey, String managedTagValue,
                     String sshUser) {
        this(instanceId, eipAllocationId, managedTagKey, managedTagValue, sshUser, Settings.DEFAULTS);
    }

    public static final String INSTANCE_ID = "GPUBOX_INSTANCE_ID";
    public static final String EIP_ALLOCATION_ID = "GPUBOX_EIP_ALLOCATION_ID";
    public static final String MANAGED_TAG = "GPUBOX_MANAGED_TAG";
    public static final String SSH_USER = "GPUBOX_SSH_USER";
    public static final String SHUTDOWN_TIME = "GPUBOX_SHUTDOWN_TIME";
    public static final String TIMEZONE = "GPUBOX_TIMEZONE";
    public static final String MAX_SNOOZE_HOURS = "GPUBOX_MAX_SNOOZE_HOURS";
    public static final String LATE_START_HOURS = "GPUBOX_LATE_START_HOURS";
    public static final String MAX_RUN_HOURS = "GPUBOX_MAX_RUN_HOURS";
    public static final String HOURLY_PRICE = "GPUBOX_HOURLY_PRICE";
    public static final String TOPIC_ARN = "GPUBOX_TOPIC_ARN";
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
                tagKey, blankToNull(tagValue), user == null ? DEFAULT_SSH_USER : user,
                new Settings(blankToNull(env.get(SHUTDOWN_TIME)), blankToNull(env.get(TIMEZONE)),
                        blankToNull(env.get(MAX_SNOOZE_HOURS)), price(env.get(HOURLY_PRICE)),
                        blankToNull(env.get(TOPIC_ARN)), blankToNull(env.get(LATE_START_HOURS)),
                        blankToNull(env.get(MAX_RUN_HOURS))));
    }

    /** The stop policy; a bad setting is a configuration error reported when it is needed. */
    public StopPolicy policy() {
        return StopPolicy.parse(settings.shutdownTime(), settings.timezone(), settings.maxSnoozeHours(),
                settings.lateStartHours(), settings.maxRunHours());
    }

    public Pricing pricing() {
        return new Pricing(settings.hourlyPrice());
    }

    public BoxConfig withSettings(Settings newSettings) {
        return new BoxConfig(instanceId, eipAllocationId, managedTagKey, managedTagValue, sshUser, newSettings);
    }

    private static Double price(String raw) {
        try {
            return raw == null || raw.isBlank() ? null : Double.valueOf(raw.trim());
        } catch (NumberFormatException e) {
            return null; // an unreadable override falls back to the table rather than breaking status
        }
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
