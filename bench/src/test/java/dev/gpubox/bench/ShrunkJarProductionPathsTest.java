package dev.gpubox.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gpubox.box.MotoServer;
import dev.gpubox.functions.StatusHandler;
import dev.gpubox.local.DeployedJarOnClasspathTest;
import dev.gpubox.local.Endpoints;
import dev.gpubox.sim.ContainerCredentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Production paths no other wire test takes, run through the ProGuard-shrunk jar alone, in a child JVM as
 * Lambda runs it, so a change to functions/proguard.pro cannot silently break them: the state-change notice
 * is published to SNS (moto), signed with credentials the default chain fetched from the container endpoint
 * (what Lambda gives a SnapStart-restored function). moto delivers the notice to an HTTP subscriber here.
 */
class ShrunkJarProductionPathsTest {
    @TempDir
    Path dir;

    @Test
    void aStateChangeNoticeIsPublishedToSnsWithContainerCredentialsFromTheShrunkJar() throws Exception {
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        HttpServer subscriber = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        subscriber.createContext("/", exchange -> {
            delivered.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        subscriber.start();
        try (MotoServer moto = MotoServer.start(); ContainerCredentials credentials = new ContainerCredentials();
             Ec2Client ec2 = Endpoints.clientFor(moto.endpoint())) {
            String box = ec2.runInstances(r -> r.imageId(MotoServer.AMI).instanceType(InstanceType.G4_DN_XLARGE)
                    .minCount(1).maxCount(1).tagSpecifications(TagSpecification.builder()
                            .resourceType(ResourceType.INSTANCE)
                            .tags(Tag.builder().key("gpubox:stack").value("shrunk-jar").build()).build()))
                    .instances().get(0).instanceId();
            ec2.stopInstances(r -> r.instanceIds(box));
            String topic = snsQuery(moto.endpoint(), Map.of("Action", "CreateTopic", "Name", "gpubox-notices"),
                    "TopicArn");
            snsQuery(moto.endpoint(), Map.of("Action", "Subscribe", "TopicArn", topic, "Protocol", "http",
                    "Endpoint", "http://127.0.0.1:" + subscriber.getAddress().getPort() + "/notices"), "SubscriptionArn");
            Path event = dir.resolve("state-change.json");
            Files.writeString(event, Files.readString(Path.of("../events/state-change-stopped.json"))
                    .replace("i-0123456789abcdef0", box));

            Path jar = DeployedJarOnClasspathTest.jarOf(StatusHandler.class);
            ProcessBuilder child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", BenchInvoke.classpathBeside(jar),
                    BenchInvoke.class.getName(), "cold", "dev.gpubox.functions.StateChangeHandler",
                    event.toString()).redirectErrorStream(true);
            child.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GPUBOX_")
                    || k.equals("JAVA_TOOL_OPTIONS"));
            child.environment().putAll(credentials.environment());
            child.environment().putAll(Map.of("AWS_REGION", "us-west-2", "AWS_ENDPOINT_URL", moto.endpoint().toString(),
                    "AWS_EC2_METADATA_DISABLED", "true", "GPUBOX_MANAGED_TAG", "gpubox:stack=shrunk-jar",
                    "GPUBOX_INSTANCE_ID", box, "GPUBOX_TOPIC_ARN", topic, "GPUBOX_TIMEZONE", "Asia/Shanghai"));
            Process p = child.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), output);

            assertTrue(credentials.served() >= 1, "the default chain fetched the container credentials:\n" + output);
            long deadline = System.currentTimeMillis() + 10_000;
            while (delivered.stream().noneMatch(m -> m.contains("\"Notification\"")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            String notices = delivered.stream().filter(m -> m.contains("\"Notification\"")).collect(Collectors.joining("\n"));
            assertTrue(notices.contains("stopped"), "moto delivered the notice the shrunk jar published: "
                    + delivered + "\nchild output:\n" + output);
        } finally {
            subscriber.stop(0);
        }
    }

    /** One unsigned SNS Query call to moto (the test's own setup, not under test); returns a field of the reply. */
    private static String snsQuery(URI moto, Map<String, String> params, String field) throws Exception {
        String form = params.entrySet().stream().map(e -> e.getKey() + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"))
                + "&Version=2010-03-31";
        HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(moto)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-west-2/sns/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("<" + field + ">([^<]+)</" + field + ">").matcher(reply.body());
        assertTrue(m.find(), params.get("Action") + " at moto: " + reply.body());
        return m.group(1);
    }
}
