package dev.gpubox.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The security group every simulated box is in, with EC2's ingress-rule behaviour as gpubox meets it
 * (AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress, DescribeSecurityGroupRules): a rule per
 * address range, EC2's own error codes and messages for a duplicate, a full group, an unknown group or
 * rule, and a malformed range. Egress rules are not modelled (gpubox never reads them).
 */
public final class SecurityGroups {
    /** The one group's id, on every simulated instance. */
    public static final String BOX_GROUP = "sg-0a1b2c3d4e5f67890";
    static final String GROUP_NAME = "gpubox-GpuSecurityGroup-SIM";
    /** EC2's default quota: 60 inbound rules per security group (Amazon VPC quotas). */
    public static final int DEFAULT_INBOUND_LIMIT = 60;
    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
    private static final Pattern IPV6_CIDR = Pattern.compile("[0-9a-fA-F:]+(?:\\.\\d{1,3}){0,4}/(\\d{1,3})");

    /** One ingress rule, as DescribeSecurityGroupRules reports it. Exactly one of the two ranges is set. */
    public record Rule(String id, String protocol, int fromPort, int toPort, String cidrIpv4, String cidrIpv6,
                       String description) {
        String peer() {
            return cidrIpv4 != null ? cidrIpv4 : cidrIpv6;
        }
    }

    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private int limit = DEFAULT_INBOUND_LIMIT;
    private int nextId = 1;

    /** A rule as if the stack had made it (SshCidr's "SSH"). */
    public synchronized Rule seedRule(String cidrIpv4, int port, String description) {
        return add("tcp", port, port, cidrIpv4, null, description);
    }

    /** Lowers the group's rule quota, so a test meets RulesPerSecurityGroupLimitExceeded without 60 rules. */
    public synchronized void limitRules(int max) {
        this.limit = max;
    }

    public synchronized List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    synchronized List<Rule> authorize(QueryRequest r) {
        requireGroup(r.get("GroupId"));
        List<Rule> added = new ArrayList<>();
        List<Rule> wanted = new ArrayList<>();
        for (int p = 1; r.get("IpPermissions." + p + ".IpProtocol") != null; p++) {
            String at = "IpPermissions." + p + ".";
            String protocol = r.get(at + "IpProtocol");
            Integer from = r.integer(at + "FromPort");
            Integer to = r.integer(at + "ToPort");
            if (from == null || to == null || from > to) {
                throw Ec2Error.client("InvalidParameterValue", "Invalid value for portRange. Must specify both from and"
                        + " to ports with TCP/UDP.");
            }
            for (int i = 1; r.get(at + "IpRanges." + i + ".CidrIp") != null; i++) {
                String cidr = r.get(at + "IpRanges." + i + ".CidrIp");
                if (!validIpv4(cidr)) {
                    throw Ec2Error.client("InvalidParameterValue", "CIDR block " + cidr + " is malformed");
                }
                wanted.add(new Rule(null, protocol, from, to, cidr, null, r.get(at + "IpRanges." + i + ".Description")));
            }
            for (int i = 1; r.get(at + "Ipv6Ranges." + i + ".CidrIpv6") != null; i++) {
                String cidr = r.get(at + "Ipv6Ranges." + i + ".CidrIpv6");
                if (!IPV6_CIDR.matcher(cidr).matches() || Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)) > 128) {
                    throw Ec2Error.client("InvalidParameterValue", "CIDR block " + cidr + " is malformed");
                }
                wanted.add(new Rule(null, protocol, from, to, null, cidr, r.get(at + "Ipv6Ranges." + i + ".Description")));
            }
        }
        if (wanted.isEmpty()) {
            throw Ec2Error.client("MissingParameter", "No IP permissions were specified");
        }
        for (Rule w : wanted) {
            for (Rule have : rules.values()) {
                if (have.protocol().equals(w.protocol()) && have.fromPort() == w.fromPort() && have.toPort() == w.toPort()
                        && have.peer().equals(w.peer())) {
                    throw Ec2Error.client("InvalidPermission.Duplicate", "the specified rule \"peer: " + w.peer() + ", "
                            + w.protocol().toUpperCase(java.util.Locale.ROOT) + ", from port: " + w.fromPort()
                            + ", to port: " + w.toPort() + ", ALLOW\" already exists");
                }
            }
        }
        if (rules.size() + wanted.size() > limit) {
            throw Ec2Error.client("RulesPerSecurityGroupLimitExceeded",
                    "The maximum number of rules per security group has been reached.");
        }
        for (Rule w : wanted) {
            added.add(add(w.protocol(), w.fromPort(), w.toPort(), w.cidrIpv4(), w.cidrIpv6(), w.description()));
        }
        return added;
    }

    synchronized void revoke(QueryRequest r) {
        requireGroup(r.get("GroupId"));
        List<String> ids = r.list("SecurityGroupRuleId");
        if (ids.isEmpty()) {
            throw Ec2Error.client("MissingParameter", "The request must contain the parameter SecurityGroupRuleId"
                    + " (the simulator models revoking by rule id only)");
        }
        for (String id : ids) {
            if (!rules.containsKey(id)) {
                throw Ec2Error.client("InvalidSecurityGroupRuleId.NotFound",
                        "The security group rule ID '" + id + "' does not exist");
            }
        }
        ids.forEach(rules::remove);
    }

    synchronized List<Rule> describe(QueryRequest r) {
        List<String> groups = r.filters().getOrDefault("group-id", List.of());
        List<String> ids = r.list("SecurityGroupRuleId");
        if (!groups.isEmpty() && !groups.contains(BOX_GROUP)) {
            return List.of();
        }
        return rules.values().stream().filter(rule -> ids.isEmpty() || ids.contains(rule.id())).toList();
    }

    static void rule(Xml x, Rule rule) {
        x.leaf("securityGroupRuleId", rule.id()).leaf("groupId", BOX_GROUP).leaf("groupOwnerId", "123456789012")
                .leaf("isEgress", false).leaf("ipProtocol", rule.protocol()).leaf("fromPort", rule.fromPort())
                .leaf("toPort", rule.toPort()).leaf("cidrIpv4", rule.cidrIpv4()).leaf("cidrIpv6", rule.cidrIpv6())
                .leaf("description", rule.description())
                .leaf("securityGroupRuleArn", "arn:aws:ec2:us-west-2:123456789012:security-group-rule/" + rule.id());
    }

    private Rule add(String protocol, int from, int to, String v4, String v6, String description) {
        Rule rule = new Rule(String.format("sgr-%017x", nextId++), protocol, from, to, v4, v6, description);
        rules.put(rule.id(), rule);
        return rule;
    }

    private static void requireGroup(String groupId) {
        if (groupId == null) {
            throw Ec2Error.client("MissingParameter", "The request must contain the parameter groupId");
        }
        if (!BOX_GROUP.equals(groupId)) {
            throw Ec2Error.client("InvalidGroup.NotFound", "The security group '" + groupId + "' does not exist");
        }
    }

    private static boolean validIpv4(String cidr) {
        var m = IPV4_CIDR.matcher(cidr);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return Integer.parseInt(m.group(5)) <= 32;
    }
}
