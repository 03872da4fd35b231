package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupRulesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;

/**
 * {@code POST /ssh}: port 22 on the box's security group for the caller's own address, for a few hours.
 * The expiry lives on the rule itself (its description, {@value #PREFIX}2026-12-03T03:00Z), so there is no
 * other state: any call, and the sweep, reads the rules back from EC2. Only rules with that description are
 * ever touched; the stack's permanent {@code SshCidr} rule ("SSH") and anything a person added stay.
 *
 * <p>Port 22 is fixed here, not by IAM: the Service Authorization Reference gives
 * {@code ec2:AuthorizeSecurityGroupIngress} no condition key on the rule's port or address (only the
 * group's tags, id and VPC), so the policy scopes the group and this class the port.
 */
public final class SshAccess {
    public static final String PREFIX = "gpubox-ssh until ";
    public static final int DEFAULT_HOURS = 4;
    public static final int MAX_HOURS = 12;
    /** At most this many callers' rules at once; opening one more revokes the one that expires first. */
    public static final int MAX_RULES = 3;
    static final int SSH_PORT = 22;
    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmX")
            .withZone(ZoneOffset.UTC);
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV4_MAPPED = Pattern.compile("(?i)(?:0{0,4}:){0,5}:?ffff:(\\d{1,3}(?:\\.\\d{1,3}){3})");

    /** One of our rules, read back from EC2. */
    public record Rule(String ruleId, String cidr, Instant until) {
    }

    /**
     * What a call did.
     *
     * @param result  {@code opened}, {@code renewed}, or {@code already_open} (a rule that is not ours,
     *                e.g. SshCidr, is exactly this address already)
     * @param removed the rules this call revoked to stay within {@link #MAX_RULES} or because they expired
     */
    public record Grant(String result, String cidr, Instant until, String groupId, List<Rule> removed) {
        public String message() {
            return switch (result) {
                case "already_open" -> "SSH is already open to " + cidr + " by a permanent rule (SshCidr).";
                case "renewed" -> "SSH from " + cidr + " stays open until " + UNTIL.format(until) + ".";
                default -> "SSH is open from " + cidr + " until " + UNTIL.format(until) + "."
                        + (removed.isEmpty() ? "" : " Closed: " + String.join(", ",
                        removed.stream().map(Rule::cidr).toList()) + ".");
            };
        }
    }

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Clock clock;
    /** The box's group, once found: it does not change while the stack lives. */
    private String groupId;

    public SshAccess(Ec2Client ec2, BoxConfig config, Clock clock) {
        this.ec2 = ec2;
        this.config = config;
        this.clock = clock;
    }

    /** @param hours the {@code ?hours=} text; null or blank means {@link #DEFAULT_HOURS} */
    public Grant open(String sourceIp, String hours) {
        String cidr = cidrOf(sourceIp);
        int h = hoursOf(hours);
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofHours(h)).truncatedTo(ChronoUnit.MINUTES);
        String group = groupId();
        List<SecurityGroupRule> ssh = sshRules(group);
        if (ssh.stream().anyMatch(r -> cidr.equals(r.cidrIpv4()) && ruleOf(r) == null)) {
            return new Grant("already_open", cidr, null, group, List.of());
        }
        List<Rule> ours = new ArrayList<>(ssh.stream().map(SshAccess::ruleOf).filter(r -> r != null).toList());
        List<Rule> removed = new ArrayList<>();
        boolean renewing = false;
        for (Rule r : List.copyOf(ours)) {
            // Renewing revokes the old rule first: EC2 refuses a second rule for the same address and port
            // (InvalidPermission.Duplicate) whatever its description, and a connection already open survives
            // the revoke (security groups track established connections).
            if (r.cidr().equals(cidr) || !r.until().isAfter(now)) {
                revoke(group, r);
                ours.remove(r);
                if (r.cidr().equals(cidr)) {
                    renewing = true;
                } else {
                    removed.add(r);
                }
            }
        }
        ours.sort(Comparator.comparing(Rule::until));
        while (ours.size() >= MAX_RULES) {
            Rule oldest = ours.remove(0);
            revoke(group, oldest);
            removed.add(oldest);
        }
        authorize(group, cidr, until);
        return new Grant(renewing ? "renewed" : "opened", cidr, until, group, List.copyOf(removed));
    }

    /** The sweep's part: revokes our rules whose time has passed. */
    public List<Rule> removeExpired() {
        Instant now = clock.instant();
        String group = groupId();
        List<Rule> expired = sshRules(group).stream().map(SshAccess::ruleOf)
                .filter(r -> r != null && !r.until().isAfter(now)).toList();
        expired.forEach(r -> revoke(group, r));
        return expired;
    }

    /** Our open rules, soonest expiry first. */
    public List<Rule> rules() {
        return sshRules(groupId()).stream().map(SshAccess::ruleOf).filter(r -> r != null)
                .sorted(Comparator.comparing(Rule::until)).toList();
    }

    public static String formatUntil(Instant until) {
        return UNTIL.format(until);
    }

    /**
     * The caller's address as a /32. IPv6 is refused, not opened: the box is reached at its Elastic IP,
     * an IPv4 address, so the connection comes from the caller's IPv4 address and an ::/128 rule would
     * open nothing that ssh uses. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, a dual-stack socket's
     * view of an IPv4 peer) is that IPv4 address.
     */
    static String cidrOf(String sourceIp) {
        String ip = sourceIp == null ? "" : sourceIp.strip();
        var mapped = IPV4_MAPPED.matcher(ip);
        if (mapped.matches()) {
            ip = mapped.group(1);
        }
        var v4 = IPV4.matcher(ip);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    throw notAnAddress(sourceIp);
                }
            }
            return ip + "/32";
        }
        if (ip.contains(":")) {
            throw new BoxException(ErrorCode.BAD_REQUEST, "This request came from the IPv6 address "
                    + Quote.excerpt(ip, 45) + ", but the box is reached over IPv4 at its Elastic IP, so a rule for"
                    + " it would not let ssh in. Call again over IPv4 (e.g. curl -4, or ./gpubox up).");
        }
        throw notAnAddress(sourceIp);
    }

    private static BoxException notAnAddress(String sourceIp) {
        return new BoxException(ErrorCode.BAD_REQUEST, "The request carries no caller address gpubox can open SSH"
                + " to (" + Quote.input(sourceIp == null ? "" : sourceIp) + "); POST /ssh needs the API's"
                + " requestContext.identity.sourceIp.");
    }

    static int hoursOf(String raw) {
        if (raw == null || raw.isBlank()) {
            return DEFAULT_HOURS;
        }
        try {
            int h = Integer.parseInt(raw.strip());
            if (h >= 1 && h <= MAX_HOURS) {
                return h;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, as an out-of-range value is
        }
        throw new BoxException(ErrorCode.BAD_REQUEST, "hours must be a whole number from 1 to " + MAX_HOURS
                + ", not " + Quote.input(raw) + ".");
    }

    /** Our rule, or null for any other (the permanent SshCidr rule, a person's own, egress, other ports). */
    static Rule ruleOf(SecurityGroupRule r) {
        String d = r.description();
        if (d == null || !d.startsWith(PREFIX) || r.cidrIpv4() == null) {
            return null;
        }
        try {
            return new Rule(r.securityGroupRuleId(), r.cidrIpv4(),
                    java.time.OffsetDateTime.parse(d.substring(PREFIX.length()),
                            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmX")).toInstant());
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    /**
     * The box's group: the first on the instance (the template gives it exactly one, GpuSecurityGroup).
     * The IAM policy lets this class change that group alone.
     */
    private String groupId() {
        if (groupId == null) {
            String id = config.requireInstanceId();
            List<GroupIdentifier> groups = Ec2Calls.call("look up the GPU box (" + id + ")",
                            () -> ec2.describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build()))
                    .reservations().stream().flatMap(r -> r.instances().stream())
                    .filter(i -> id.equals(i.instanceId())).findFirst()
                    .orElseThrow(() -> new BoxException(ErrorCode.NOT_FOUND, "EC2 does not know the GPU box " + id
                            + "; check GPUBOX_INSTANCE_ID or the stack's GpuInstance."))
                    .securityGroups();
            if (groups.isEmpty()) {
                throw new BoxException(ErrorCode.MISCONFIGURED, "The GPU box " + id + " has no security group.");
            }
            groupId = groups.get(0).groupId();
        }
        return groupId;
    }

    /** The group's ingress rules for exactly TCP port 22. */
    private List<SecurityGroupRule> sshRules(String group) {
        return Ec2Calls.call("read the SSH rules of the box's security group (" + group + ")",
                        () -> ec2.describeSecurityGroupRules(DescribeSecurityGroupRulesRequest.builder()
                                .filters(Filter.builder().name("group-id").values(group).build()).build()))
                .securityGroupRules().stream()
                .filter(r -> !Boolean.TRUE.equals(r.isEgress()) && "tcp".equals(r.ipProtocol())
                        && Integer.valueOf(SSH_PORT).equals(r.fromPort()) && Integer.valueOf(SSH_PORT).equals(r.toPort()))
                .toList();
    }

    private void revoke(String group, Rule rule) {
        try {
            ec2.revokeSecurityGroupIngress(b -> b.groupId(group).securityGroupRuleIds(rule.ruleId()));
        } catch (AwsServiceException e) {
            if (e.awsErrorDetails() != null
                    && "InvalidSecurityGroupRuleId.NotFound".equals(e.awsErrorDetails().errorCode())) {
                return; // gone already: another call or the sweep revoked it first
            }
            throw AwsErrors.map(e, "close SSH from " + rule.cidr() + " on " + group);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.map(e, "close SSH from " + rule.cidr() + " on " + group);
        }
    }

    private void authorize(String group, String cidr, Instant until) {
        IpPermission ssh = IpPermission.builder().ipProtocol("tcp").fromPort(SSH_PORT).toPort(SSH_PORT)
                .ipRanges(IpRange.builder().cidrIp(cidr).description(PREFIX + UNTIL.format(until)).build())
                .build();
        try {
            ec2.authorizeSecurityGroupIngress(b -> b.groupId(group).ipPermissions(ssh));
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if ("RulesPerSecurityGroupLimitExceeded".equals(code)) {
                throw new BoxException(ErrorCode.SSH_RULE_LIMIT, "The box's security group " + group + " has no room"
                        + " for another rule (EC2: RulesPerSecurityGroupLimitExceeded); remove rules you added by"
                        + " hand, or use ./gpubox up --ssm, which needs no inbound rule.", e.requestId(), null, e);
            }
            if ("InvalidPermission.Duplicate".equals(code)) {
                // Another call opened this address between our read and this write: it is open, which is the ask.
                return;
            }
            throw AwsErrors.map(e, "open SSH from " + cidr + " on " + group);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.map(e, "open SSH from " + cidr + " on " + group);
        }
    }
}
