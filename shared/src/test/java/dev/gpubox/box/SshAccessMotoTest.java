package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;

/**
 * Issue 17 point 2, the second implementation: {@link SshAccess} against moto's EC2 (moto_server), so the
 * rule shapes, the rule-id revoke and the group-id filter are what another EC2 makes of them, not only our
 * simulator. Counted in moto's own state (DescribeSecurityGroupRules), never through a mock.
 */
class SshAccessMotoTest {
    static MotoServer moto;
    static Ec2Client ec2;
    static String group;
    static String box;

    @BeforeAll
    static void motoWithABoxInItsGroup() throws Exception {
        moto = MotoServer.start();
        ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
        group = ec2.createSecurityGroup(b -> b.groupName("gpubox-ssh-moto").description("gpubox - SSH from SshCidr only"))
                .groupId();
        ec2.authorizeSecurityGroupIngress(b -> b.groupId(group).ipPermissions(p -> p.ipProtocol("tcp").fromPort(22)
                .toPort(22).ipRanges(r -> r.cidrIp("203.0.113.7/32").description("SSH"))));
        box = ec2.runInstances(b -> b.imageId(MotoServer.AMI).instanceType("g4dn.xlarge").minCount(1).maxCount(1)
                .securityGroupIds(group)).instances().get(0).instanceId();
    }

    @AfterAll
    static void close() throws Exception {
        ec2.close();
        moto.close();
    }

    @Test
    void opensRenewsEvictsAndSweepsOnMotosGroup() {
        FakeTime time = new FakeTime(Instant.parse("2026-12-02T23:00:00Z"));
        SshAccess ssh = new SshAccess(ec2, new BoxConfig(box, null, "gpubox:stack", "moto", "ubuntu"), time);

        SshAccess.Grant opened = ssh.open("198.51.100.1", "1");
        assertEquals("opened", opened.result());
        assertEquals(group, opened.groupId(), "the box's group, read from DescribeInstances");
        SecurityGroupRule rule = ours().get(0);
        assertEquals(List.of("tcp", 22, 22, "198.51.100.1/32", "gpubox-ssh until 2026-12-03T00:00Z"),
                List.of(rule.ipProtocol(), rule.fromPort(), rule.toPort(), rule.cidrIpv4(), rule.description()));

        assertEquals("renewed", ssh.open("198.51.100.1", "2").result());
        assertEquals(1, ours().size(), "one rule per address");
        ssh.open("198.51.100.2", "3");
        ssh.open("198.51.100.3", "4");
        SshAccess.Grant fourth = ssh.open("198.51.100.4", "5");
        assertEquals(List.of("198.51.100.1/32"), fourth.removed().stream().map(SshAccess.Rule::cidr).toList(),
                "the one that expires first");
        assertEquals(3, ours().size());
        assertEquals("already_open", ssh.open("203.0.113.7", null).result(), "SshCidr's rule is this address");

        BoxException ipv6 = assertThrows(BoxException.class, () -> ssh.open("2001:db8::7", null));
        assertEquals(ErrorCode.BAD_REQUEST, ipv6.error());

        time.advance(Duration.ofHours(4).plusMinutes(1));
        assertEquals(List.of("198.51.100.2/32", "198.51.100.3/32"),
                ssh.removeExpired().stream().map(SshAccess.Rule::cidr).toList());
        assertEquals(List.of("198.51.100.4/32"), ours().stream().map(SecurityGroupRule::cidrIpv4).toList());
        assertTrue(ec2.describeSecurityGroupRules(b -> b.filters(f -> f.name("group-id").values(group)))
                .securityGroupRules().stream().anyMatch(r -> "SSH".equals(r.description())), "the permanent rule stays");
    }

    private static List<SecurityGroupRule> ours() {
        return ec2.describeSecurityGroupRules(b -> b.filters(f -> f.name("group-id").values(group)))
                .securityGroupRules().stream()
                .filter(r -> r.description() != null && r.description().startsWith(SshAccess.PREFIX)).toList();
    }
}
