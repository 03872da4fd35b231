package dev.gpubox.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.sim.ContainerCredentials;
import dev.gpubox.sim.Ec2Simulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What the benchmark puts on the wire: the simulator over TLS with the certificate made at start (a client
 * that trusts it gets through, one that does not is refused), every EC2 request counted by action from the
 * simulator's own log, and container credentials served only against the token.
 */
class BenchWireTest {
    @TempDir
    Path dir;

    @Test
    void theSimulatorServesEc2OverTlsWithTheBenchCertificateAndCountsEveryAction() throws Exception {
        BenchTls tls = BenchTls.create(dir, Path.of(System.getProperty("java.home")));
        try (Ec2Simulator sim = Ec2Simulator.startTls(0, Clock.systemUTC(), Duration.ZERO, Duration.ZERO,
                tls.serverContext())) {
            assertTrue(sim.endpoint().toString().startsWith("https://127.0.0.1:"), sim.endpoint().toString());
            assertTrue(Files.readString(tls.caPem()).startsWith("-----BEGIN CERTIFICATE-----"), "the peer's CA bundle");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(tls.trustStore())) {
                trust.load(in, BenchTls.PASSWORD.toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            try (Ec2Client trusting = client(sim, UrlConnectionHttpClient.builder()
                    .tlsTrustManagersProvider(tmf::getTrustManagers));
                 Ec2Client untrusting = client(sim, UrlConnectionHttpClient.builder())) {
                trusting.describeInstances();
                trusting.describeAddresses();
                trusting.describeAddresses();
                assertEquals(Map.of("DescribeInstances", 1, "DescribeAddresses", 2), sim.callsByAction());
                sim.resetCalls();
                assertThrows(SdkClientException.class, untrusting::describeInstances,
                        "a client without the bench's certificate must fail the handshake");
                assertEquals(Map.of(), sim.callsByAction());
            }
        }
    }

    @Test
    void containerCredentialsAreServedAgainstTheTokenOnly() throws Exception {
        try (ContainerCredentials endpoint = new ContainerCredentials()) {
            Map<String, String> env = endpoint.environment();
            System.setProperty("aws.containerCredentialsFullUri", env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            try {
                System.setProperty("aws.containerAuthorizationToken", env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
                AwsCredentials credentials = ContainerCredentialsProvider.builder().build().resolveCredentials();
                assertEquals("ASIABENCH", credentials.accessKeyId());
                assertTrue(credentials instanceof AwsSessionCredentials, "a session token, as the role's are");
                assertEquals(1, endpoint.served());

                System.setProperty("aws.containerAuthorizationToken", "wrong");
                assertThrows(SdkClientException.class,
                        () -> ContainerCredentialsProvider.builder().build().resolveCredentials());
                assertEquals(1, endpoint.served());
            } finally {
                System.clearProperty("aws.containerCredentialsFullUri");
                System.clearProperty("aws.containerAuthorizationToken");
            }
        }
    }

    private static Ec2Client client(Ec2Simulator sim, UrlConnectionHttpClient.Builder http) {
        return Ec2Client.builder().endpointOverride(sim.endpoint()).region(Region.US_WEST_2).httpClient(http.build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .build();
    }
}
