package dev.gpubox.cli.init;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Step 2: the vCPU quota of the type's family against the type's vCPUs: the On-Demand one, or for a Spot box
 * (UseSpot) the Spot one, a separate quota that the On-Demand one does not cover. New accounts often start at 0,
 * and a request for 1 vCPU (the console's habit) still cannot start a 4-vCPU box: it asks for all of them.
 */
final class VcpuQuota {
    static final String SERVICE = "ec2";
    /** Running On-Demand G and VT instances. */
    static final String G_AND_VT = "L-DB2E81BA";
    /** Running On-Demand P instances. */
    static final String P = "L-417A185B";
    /** All G and VT Spot Instance Requests (issue 18: a Spot box counts here, not against G_AND_VT). */
    static final String G_AND_VT_SPOT = "L-3819A6DF";
    /** All P Spot Instance Requests. */
    static final String P_SPOT = "L-7212CCBC";
    /** A request still being decided (AWS's statuses; APPROVED, DENIED, CASE_CLOSED… are done). */
    private static final Set<String> OPEN = Set.of("PENDING", "CASE_OPENED");

    private final Ec2Client ec2;
    private final ServiceQuotas quotas;

    VcpuQuota(Ec2Client ec2, ServiceQuotas quotas) {
        this.ec2 = ec2;
        this.quotas = quotas;
    }

    /** The family's On-Demand quota code: G and VT, or P; empty for a family gpubox knows no GPU quota for. */
    static Optional<String> quotaCode(String instanceType) {
        return quotaCode(instanceType, false);
    }

    /** The family's quota code for the market the box runs in: On-Demand, or Spot. */
    static Optional<String> quotaCode(String instanceType, boolean spot) {
        String family = instanceType.toLowerCase(Locale.ROOT).split("\\.", 2)[0];
        if (family.startsWith("vt") || family.startsWith("g")) {
            return Optional.of(spot ? G_AND_VT_SPOT : G_AND_VT);
        }
        return family.startsWith("p") ? Optional.of(spot ? P_SPOT : P) : Optional.empty();
    }

    void check(String region, String instanceType, Prompt prompt, PrintStream out) throws InitFailure, IOException {
        check(region, instanceType, false, prompt, out);
    }

    void check(String region, String instanceType, boolean spot, Prompt prompt, PrintStream out)
            throws InitFailure, IOException {
        int vcpus = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings(instanceType))
                .instanceTypes().getFirst().vCpuInfo().defaultVCpus();
        Optional<String> code = quotaCode(instanceType, spot);
        if (code.isEmpty()) {
            out.println("vCPU quota: " + instanceType + " (" + vcpus + " vCPUs) is not a G, VT or P type; not checked");
            return;
        }
        ServiceQuotas.Quota quota = quotas.quota(SERVICE, code.get());
        int have = (int) quota.value();
        String name = quota.name();
        if (have >= vcpus) {
            out.println("vCPU quota: '" + name + "' is " + have + " vCPUs in " + region + ", enough for "
                    + instanceType + " (" + vcpus + ")");
            return;
        }
        String followUp = "aws service-quotas list-requested-service-quota-change-history-by-quota --service-code "
                + SERVICE + " --quota-code " + code.get() + " --region " + region;
        Optional<ServiceQuotas.Change> open = quotas.history(SERVICE, code.get()).stream()
                .filter(c -> OPEN.contains(c.status())).findFirst();
        if (open.isPresent()) {
            out.println("vCPU quota: '" + name + "' is " + have + " vCPUs in " + region + ", short of " + instanceType
                    + "'s " + vcpus + "; a request for " + (int) open.get().desiredValue() + " is already open ("
                    + open.get().status() + ", id " + open.get().id() + "): not filing another. Follow it: "
                    + followUp);
            return;
        }
        out.println("vCPU quota: '" + name + "' is " + have + " vCPUs in " + region + ", short of " + instanceType
                + "'s " + vcpus + ": the box cannot start until it is raised.");
        if (!prompt.confirm("File a request to raise it to " + vcpus + " vCPUs?")) {
            out.println("vCPU quota: not filed. Run ./gpubox init again, or ask in the Service Quotas console.");
            return;
        }
        ServiceQuotas.Change filed = quotas.requestIncrease(SERVICE, code.get(), vcpus);
        out.println("vCPU quota: filed a request for " + vcpus + " vCPUs (id " + filed.id() + ", "
                + filed.status() + "). AWS usually answers within minutes to a day or two (a new"
                + " account may take longer) and emails you; follow it: " + followUp);
    }
}
