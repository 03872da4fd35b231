package dev.gpubox.box;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that knows which instance types carry an instance store: local NVMe that the Deep Learning
 * AMIs mount at {@value #DLAMI_MOUNT}, and that EC2 wipes at every stop (EC2 user guide, "Instance store
 * lifetime"). Work kept there is gone after the nightly stop, a snooze end or the idle watchdog, so every
 * stop notice for such a type says so.
 *
 * <p>{@link #GB} holds every {@code InstanceType} template.yaml allows: InstanceStoreTemplateIT keeps the two
 * equal, and InstanceStoreMotoTest checks the sizes against EC2's DescribeInstanceTypes data as moto ships it.
 */
public final class InstanceStore {
    /** Where the Deep Learning AMIs mount the instance store (their release notes). */
    public static final String DLAMI_MOUNT = "/opt/dlami/nvme";

    /** Instance store size in GB of each allowed type; 0: EBS only. */
    static final Map<String, Integer> GB = Map.of(
            "g4dn.xlarge", 125,
            "g4dn.2xlarge", 225,
            "g5.xlarge", 250,
            "g5.2xlarge", 450,
            "g6.xlarge", 250,
            "g6.2xlarge", 450,
            "g6e.xlarge", 250,
            "p3.2xlarge", 0,
            "p2.xlarge", 0);

    private InstanceStore() {
    }

    /** The types this class knows, i.e. template.yaml's InstanceType AllowedValues. */
    public static Set<String> knownTypes() {
        return new TreeSet<>(GB.keySet());
    }

    /**
     * The instance store's size in GB; 0 for an EBS-only type. A size of a family listed here that the template
     * does not offer (a box tagged by hand) counts as having one, of unknown size: -1.
     */
    public static int sizeGb(String instanceType) {
        if (instanceType == null) {
            return 0;
        }
        String type = instanceType.toLowerCase(Locale.ROOT);
        Integer known = GB.get(type);
        if (known != null) {
            return known;
        }
        String family = type.split("\\.")[0];
        boolean familyHasOne = GB.entrySet().stream()
                .anyMatch(e -> e.getKey().split("\\.")[0].equals(family) && e.getValue() > 0);
        return familyHasOne ? -1 : 0;
    }

    public static boolean has(String instanceType) {
        return sizeGb(instanceType) != 0;
    }

    /** For a stop issued or done: " Its instance store (125 GB NVMe at /opt/dlami/nvme) is wiped…", or "". */
    public static String wipedNote(String instanceType) {
        return has(instanceType) ? " Its instance store (" + what(instanceType) + ") is wiped at every stop: files"
                + " there are gone; keep work on the EBS disk." : "";
    }

    /** For a notice before a stop: " Stopping wipes its instance store (…): copy…", or "". */
    public static String willWipeNote(String instanceType) {
        return has(instanceType) ? " Stopping wipes its instance store (" + what(instanceType) + "): copy what you"
                + " need from there to the EBS disk first." : "";
    }

    /** For a notice about several boxes, {@code example} the type of one with an instance store. */
    public static String willWipeSomeNote(String example) {
        return "Stopping wipes the instance store (NVMe at " + DLAMI_MOUNT + ") of those that have one (such as "
                + example + "): copy what you need from there to their EBS disks first.";
    }

    private static String what(String instanceType) {
        int gb = sizeGb(instanceType);
        return (gb > 0 ? gb + " GB " : "") + "NVMe at " + DLAMI_MOUNT;
    }
}
