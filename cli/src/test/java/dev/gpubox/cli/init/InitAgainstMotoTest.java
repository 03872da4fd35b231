package dev.gpubox.cli.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.gpubox.box.MotoServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@code ./gpubox init} end to end through the real SDK: EC2 (offerings, instance types, key pairs) on
 * moto_server; SSM's public parameters and Service Quotas on a recording stand-in, where moto lacks them.
 */
class InitAgainstMotoTest {
    private static final String ROOT = DeepLearningAmi.ROOT;
    private static final String PUBLIC_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGCSJtIWaMRPnonVSYfVl/7oxn0VHj9CoyFTQAjrad50 me@laptop";
    private static MotoServer moto;

    @TempDir
    Path dir;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.start();
    }

    @AfterAll
    static void stopMoto() throws IOException {
        if (moto != null) {
            moto.close();
        }
    }

    private record Run(int exit, String out, String err) {}

    private Run init(JsonProtocolStandIn standIn, String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        URI standInUri = standIn.endpoint();
        Init init = new Init(Map.of("HOME", dir.toString()),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                region -> new Init.Clients(
                        Ec2Client.builder().region(region).credentialsProvider(creds).endpointOverride(moto.endpoint()).build(),
                        SsmClient.builder().region(region).credentialsProvider(creds).endpointOverride(standInUri).build(),
                        new ServiceQuotas(region, standInUri, creds)),
                ZoneId.of("Europe/Berlin"));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", dir.resolve("samconfig.toml").toString()));
        int exit = init.run(all);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What AWS publishes, in the shape it does: several lines, older and newer, GPU and not. */
    private static JsonProtocolStandIn publicAws() throws IOException {
        var standIn = new JsonProtocolStandIn();
        standIn.parameters.put(ROOT + "/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id", "ami-0000000000000base");
        standIn.parameters.put(ROOT + "/oss-nvidia-driver-gpu-pytorch-2.6-ubuntu-22.04/latest/ami-id", "ami-00000000000000026");
        standIn.parameters.put(ROOT + "/oss-nvidia-driver-gpu-pytorch-2.7-ubuntu-22.04/latest/ami-id", "ami-00000000000000027");
        standIn.parameters.put(ROOT + "/oss-nvidia-driver-gpu-pytorch-2.7-ubuntu-22.04/2025-06-01/ami-id", "ami-0000000000000old0");
        standIn.parameters.put(ROOT + "/oss-nvidia-driver-gpu-pytorch-2.7-amazon-linux-2023/latest/ami-id", "ami-000000000000al2023");
        standIn.parameters.put(ROOT + "/base-neuron-ubuntu-22.04/latest/ami-id", "ami-00000000000neuron");
        standIn.quotas.put(VcpuQuota.G_AND_VT, 0.0);
        return standIn;
    }

    @Test
    void firstRunDoesEveryStepAndTheSecondChangesNothing() throws Exception {
        Files.createDirectories(dir.resolve(".ssh"));
        Files.writeString(dir.resolve(".ssh/id_ed25519.pub"), PUBLIC_KEY + "\n");
        try (var aws = publicAws()) {
            Run first = init(aws, "", "--region", "us-east-1", "--ssh-cidr", "203.0.113.7/32", "--yes");
            assertEquals(0, first.exit(), first.err());
            String out = first.out();
            assertTrue(out.contains("us-east-1 offers g4dn.xlarge in us-east-1a, us-east-1b"), out);
            assertTrue(out.contains("is 0 vCPUs in us-east-1, short of g4dn.xlarge's 4"), out);
            assertTrue(out.contains("filed a request for 4 vCPUs"), out);
            assertTrue(out.contains("list-requested-service-quota-change-history-by-quota --service-code ec2"
                    + " --quota-code L-DB2E81BA --region us-east-1"), out);
            assertTrue(out.contains("AMI: ami-00000000000000027 (oss-nvidia-driver-gpu-pytorch-2.7-ubuntu-22.04)"), out);
            assertTrue(out.contains("key pair: imported"), out);
            assertTrue(out.contains("proposing this laptop's, Europe/Berlin"), out);
            assertTrue(out.endsWith("next: ./gpubox deploy\n"), out);

            // The increase asks for the type's full vCPU count (4), not 1, for G and VT.
            var filed = aws.calls("RequestServiceQuotaIncrease");
            assertEquals(1, filed.size());
            assertEquals("L-DB2E81BA", filed.get(0).body().path("QuotaCode").asText());
            assertEquals(4.0, filed.get(0).body().path("DesiredValue").asDouble());
            // Signed as AWS checks it: SigV4 for the servicequotas signing name, in the stack's region.
            assertTrue(filed.get(0).authorization().matches(
                    "AWS4-HMAC-SHA256 Credential=testing/\\d{8}/us-east-1/servicequotas/aws4_request, SignedHeaders=.*x-amz-target.*"),
                    filed.get(0).authorization());
            // The AMI list is read with paging: 6 parameters, two a page.
            assertEquals(3, aws.calls("GetParametersByPath").size());

            // The key is in EC2 (moto), under gpubox, with the laptop's key.
            try (var ec2 = Ec2Client.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                    .build()) {
                assertEquals(List.of("gpubox"), ec2.describeKeyPairs().keyPairs().stream().map(k -> k.keyName()).toList());
            }

            Path samconfig = dir.resolve("samconfig.toml");
            JsonNode deploy = new TomlMapper().readTree(samconfig.toFile()).path("default").path("deploy").path("parameters");
            assertEquals("gpubox", deploy.path("stack_name").asText());
            assertEquals("us-east-1", deploy.path("region").asText());
            assertEquals("CAPABILITY_IAM", deploy.path("capabilities").asText());
            assertTrue(deploy.path("resolve_s3").asBoolean());
            assertEquals("InstanceType=\"g4dn.xlarge\" ImageId=\"ami-00000000000000027\" KeyName=\"gpubox\""
                    + " ShutdownTimezone=\"Europe/Berlin\" SshCidr=\"203.0.113.7/32\"",
                    deploy.path("parameter_overrides").asText());
            String written = Files.readString(samconfig);

            // AWS publishes a newer AMI; a second run, no flags but the file, answers nothing (no --yes).
            aws.parameters.put(ROOT + "/oss-nvidia-driver-gpu-pytorch-2.8-ubuntu-24.04/latest/ami-id", "ami-00000000000000028");
            Run second = init(aws, "");
            assertEquals(0, second.exit(), second.err());
            String again = second.out();
            assertTrue(again.contains("a request for 4 is already open (PENDING, id req-1): not filing another"), again);
            assertTrue(again.contains("keeping the pinned ami-00000000000000027"), again);
            assertTrue(again.contains("the newest is ami-00000000000000028"), again);
            assertTrue(again.contains("key pair: gpubox exists; keeping it"), again);
            assertTrue(again.contains("samconfig.toml: already up to date; nothing changed"), again);
            assertFalse(again.contains("proposing"), again);
            assertEquals(1, aws.calls("RequestServiceQuotaIncrease").size(), "filed twice");
            assertEquals(written, Files.readString(samconfig));
        }
    }

    @Test
    void keepsTheRestOfAnExistingSamconfigAndAsksBeforeFiling() throws Exception {
        Path samconfig = dir.resolve("samconfig.toml");
        Files.writeString(samconfig, """
                version = 0.1
                [default.deploy.parameters]
                stack_name = "mybox"
                region = "us-west-2"
                confirm_changeset = true
                parameter_overrides = "InstanceType=\\"g4dn.xlarge\\" ImageId=\\"ami-0aaaaaaaaaaaaaaaa\\" IdleMinutes=\\"30\\" ShutdownTimezone=\\"America/New_York\\""
                """);
        try (var aws = publicAws(); var ec2 = Ec2Client.builder().region(Region.US_WEST_2).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))).build()) {
            ec2.importKeyPair(r -> r.keyName("laptop").publicKeyMaterial(
                    software.amazon.awssdk.core.SdkBytes.fromUtf8String(PUBLIC_KEY)));
            Run run = init(aws, "n\n", "--key-name", "laptop", "--ssh-cidr", "198.51.100.0/24");
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("File a request to raise it to 4 vCPUs? [y/N]"), run.out());
            assertTrue(run.out().contains("vCPU quota: not filed"), run.out());
            assertEquals(0, aws.calls("RequestServiceQuotaIncrease").size());
            assertTrue(run.out().contains("key pair: using the existing laptop"), run.out());

            JsonNode deploy = new TomlMapper().readTree(samconfig.toFile()).path("default").path("deploy").path("parameters");
            assertEquals("mybox", deploy.path("stack_name").asText());
            assertEquals("us-west-2", deploy.path("region").asText());
            assertTrue(deploy.path("confirm_changeset").asBoolean());
            assertEquals("InstanceType=\"g4dn.xlarge\" ImageId=\"ami-0aaaaaaaaaaaaaaaa\" IdleMinutes=\"30\""
                    + " ShutdownTimezone=\"America/New_York\" KeyName=\"laptop\" SshCidr=\"198.51.100.0/24\"",
                    deploy.path("parameter_overrides").asText());
        }
    }

    @Test
    void aTypeTheRegionDoesNotOfferStopsBeforeAnythingIsWritten() throws Exception {
        try (var aws = publicAws()) {
            Run run = init(aws, "", "--region", "us-east-1", "--ssh-cidr", "203.0.113.7/32", "--instance-type", "g9.nosuch");
            assertEquals(1, run.exit());
            assertTrue(run.err().contains("us-east-1 does not offer g9.nosuch in any zone"), run.err());
            assertFalse(Files.exists(dir.resolve("samconfig.toml")));
            assertEquals(List.of(), aws.calls());
        }
    }

    @Test
    void aBadCidrIsRefusedBeforeAnyAwsCall() throws Exception {
        try (var aws = publicAws()) {
            Run run = init(aws, "", "--region", "us-east-1", "--ssh-cidr", "203.0.113.300/32");
            assertEquals(2, run.exit());
            assertTrue(run.err().contains("is not an IPv4 CIDR such as 203.0.113.7/32"), run.err());
            Run none = init(aws, "", "--region", "us-east-1");
            assertEquals(2, none.exit());
            assertTrue(none.err().contains("give --ssh-cidr"), none.err());
            assertEquals(List.of(), aws.calls());
        }
    }

    /**
     * Issue 18 point 1: a Spot box counts against the Spot vCPU quota, not the On-Demand one: an account with
     * On-Demand room and no Spot room is told so, and the request filed is for the Spot quota.
     */
    @Test
    void withSpotTheSpotQuotaIsCheckedAndRaisedAndUseSpotIsSaved() throws Exception {
        Files.createDirectories(dir.resolve(".ssh"));
        Files.writeString(dir.resolve(".ssh/id_ed25519.pub"), PUBLIC_KEY + "\n");
        try (var aws = publicAws()) {
            aws.quotas.put(VcpuQuota.G_AND_VT, 64.0);
            aws.quotas.put(VcpuQuota.G_AND_VT_SPOT, 0.0);
            // Its own region: moto is shared by the class, and the first-run test expects no key pair in us-east-1.
            Run run = init(aws, "", "--region", "us-east-2", "--ssh-cidr", "203.0.113.7/32", "--spot", "--yes");
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("is 0 vCPUs in us-east-2, short of g4dn.xlarge's 4"), run.out());
            assertEquals(List.of("L-3819A6DF"), aws.calls("GetServiceQuota").stream()
                    .map(c -> c.body().path("QuotaCode").asText()).toList(), "the Spot quota alone");
            var filed = aws.calls("RequestServiceQuotaIncrease");
            assertEquals(1, filed.size());
            assertEquals("L-3819A6DF", filed.get(0).body().path("QuotaCode").asText());
            assertEquals(4.0, filed.get(0).body().path("DesiredValue").asDouble());
            assertTrue(run.out().contains("UseSpot true; it takes effect for a NEW stack only"), run.out());
            JsonNode deploy = new TomlMapper().readTree(dir.resolve("samconfig.toml").toFile())
                    .path("default").path("deploy").path("parameters");
            assertTrue(deploy.path("parameter_overrides").asText().contains("UseSpot=\"true\""), deploy.toString());

            // A second run without --spot keeps the saved UseSpot, and so the Spot quota.
            Run again = init(aws, "");
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("--quota-code L-3819A6DF"), again.out());
        }
    }

    @Test
    void pTypesCountAgainstThePQuota() {
        assertEquals("L-7212CCBC", VcpuQuota.quotaCode("p3.2xlarge", true).orElseThrow());
        assertEquals("L-3819A6DF", VcpuQuota.quotaCode("g4dn.xlarge", true).orElseThrow());
        assertEquals("L-417A185B", VcpuQuota.quotaCode("p3.2xlarge").orElseThrow());
        assertEquals("L-DB2E81BA", VcpuQuota.quotaCode("vt1.3xlarge").orElseThrow());
        assertEquals("L-DB2E81BA", VcpuQuota.quotaCode("g6e.xlarge").orElseThrow());
        assertTrue(VcpuQuota.quotaCode("m7i.large").isEmpty());
    }
}
