package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxTags;
import dev.gpubox.box.ExternalTools;
import dev.gpubox.sim.Ec2Simulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Every function as Lambda's own Java runtime runs it: AWS's runtime interface client
 * ({@code aws-lambda-java-runtime-interface-client}, copied to target/lambda-runtime by the build) in a
 * JVM of its own, started with the function's exact Handler string from template.yaml, the deployed jar
 * unpacked as the task root (what Lambda does with a jar), talking to a fake Runtime API on loopback and
 * to the EC2 simulator through {@code AWS_ENDPOINT_URL_EC2}. Each function gets its sample event from
 * events/ and the reply is checked — the runtime's reflection and serialization included, which the unit
 * tests (calling handleRequest directly) cannot see.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RuntimeClientIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOYED_JAR = REPO.resolve("functions/target/gpubox-functions.jar");
    static final Path RUNTIME = Path.of("target", "lambda-runtime").toAbsolutePath();
    static final Path LOGS = Path.of("target", "runtime-client").toAbsolutePath();
    static final String ENTRY = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final Pattern HANDLER = Pattern.compile("^\\s+Handler:\\s*(\\S+)\\s*$", Pattern.MULTILINE);
    static final ObjectMapper JSON = new ObjectMapper();

    static Ec2Simulator sim;
    static BoxConfig box;
    static Path taskRoot;
    static Map<String, String> handlers; // class simple name -> the exact Handler string

    @BeforeAll
    static void unpackTheDeployedJarAndStartTheSimulator() throws IOException {
        long started = System.nanoTime();
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch");
        ExternalTools.require(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
                "the Lambda runtime interface client's native (JNI) part ships for Linux x86_64 and aarch64 only;"
                        + " this is " + os + " " + arch);
        assertTrue(Files.isRegularFile(DEPLOYED_JAR), DEPLOYED_JAR + " is built by the functions module");
        try (Stream<Path> jars = Files.list(RUNTIME)) {
            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client")),
                    "the runtime client is copied to " + RUNTIME + " by the build (local/pom.xml)");
        }
        taskRoot = Files.createTempDirectory("gpubox-task-root");
        unzip(DEPLOYED_JAR, taskRoot);
        Files.createDirectories(LOGS);
        handlers = new LinkedHashMap<>();
        Matcher m = HANDLER.matcher(Files.readString(REPO.resolve("template.yaml")));
        while (m.find()) {
            String handler = m.group(1);
            handlers.put(handler.substring(handler.lastIndexOf('.') + 1, handler.indexOf("::")), handler);
        }
        sim = Ec2Simulator.start(0, Clock.systemUTC(), Duration.ZERO, Duration.ZERO);
        box = SeededBox.seed(sim.state());
        System.out.printf("RuntimeClientIT: set up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stop() throws IOException {
        if (sim != null) {
            sim.close();
        }
        if (taskRoot != null) {
            try (Stream<Path> files = Files.walk(taskRoot)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(0)
    void everyFunctionInTheTemplateIsRunHere() {
        assertEquals(List.of("StatusHandler", "StartHandler", "StopHandler", "AttachEipHandler", "SnoozeHandler",
                "SchedulePauseHandler", "ScheduledStartHandler", "SshHandler",
                "PanelHandler", "ScheduledStopHandler", "StateChangeHandler", "StopOnDeleteHandler"),
                List.copyOf(handlers.keySet()),
                "a new function needs its run below");
    }

    @Test
    @Order(1)
    void statusAnswersWithTheBox() throws Exception {
        JsonNode reply = apiCall("StatusHandler", "status.json", 200);
        assertTrue(reply.path("body").asText().contains(box.instanceId()), reply.toString());
    }

    @Test
    @Order(2)
    void startStartsTheStoppedBox() throws Exception {
        int before = sim.calls("StartInstances");
        apiCall("StartHandler", "start.json", 202);
        assertEquals(before + 1, sim.calls("StartInstances"));
    }

    @Test
    @Order(3)
    void snoozeTagsTheRunningBox() throws Exception {
        int before = sim.calls("CreateTags");
        apiCall("SnoozeHandler", "snooze.json", 200);
        assertEquals(before + 1, sim.calls("CreateTags"));
    }

    @Test
    @Order(4)
    void attachEipKeepsTheAddressOnTheBox() throws Exception {
        apiCall("AttachEipHandler", "eip.json", 200);
    }

    @Test
    @Order(5)
    void stopStopsTheBox() throws Exception {
        int before = sim.calls("StopInstances");
        apiCall("StopHandler", "stop.json", 202);
        assertEquals(before + 1, sim.calls("StopInstances"));
    }

    @Test
    @Order(6)
    void theScheduledStopRunsAndReports() throws Exception {
        JsonNode report = invoke("ScheduledStopHandler", "scheduled-stop-scheduler.json", e -> { });
        assertTrue(report.has("stopped"), report.toString());
    }

    @Test
    @Order(7)
    void theStateChangeNoticeIsWritten() throws Exception {
        JsonNode notice = invoke("StateChangeHandler", "state-change-stopped.json",
                e -> ((ObjectNode) e.path("detail")).put("instance-id", box.instanceId()));
        assertTrue(notice.asText().contains("stopped"), notice.toString());
    }

    @Test
    @Order(8)
    void theStackDeleteStopsTheBoxAndAnswersCloudFormation() throws Exception {
        int stopsBefore = sim.calls("StopInstances");
        JsonNode reply = invoke("StopOnDeleteHandler", "custom-resource-delete.json", e -> {
            e.put("ResponseURL", "{presigned}");
            e.put("PhysicalResourceId", box.instanceId());
            ((ObjectNode) e.path("ResourceProperties")).put("InstanceId", box.instanceId());
        });
        assertEquals("SUCCESS", reply.path("Status").asText(), reply.toString());
        assertEquals(stopsBefore + 1, sim.calls("StopInstances"), "the box was asked to stop");
    }

    @Test
    @Order(9)
    void thePanelPageIsServedWithoutAKey() throws Exception {
        JsonNode reply = invoke("PanelHandler", "panel.json", e -> { });
        assertEquals(200, reply.path("statusCode").asInt(), reply.toString());
        assertTrue(reply.path("headers").path("Content-Type").asText().startsWith("text/html"), reply.toString());
        assertTrue(reply.path("body").asText().contains("<html"), "the page itself");
    }

    /**
     * Issue 14: the schedules that keep each API function's SnapStart version Active send
     * {"gpubox":"keep-warm"} (events/keep-warm.json); every API function answers it at once, through
     * Lambda's own runtime, and the EC2 simulator sees no request at all.
     */
    @Test
    @Order(10)
    void theKeepWarmInvokeIsAnsweredByEveryApiFunctionWithoutAnEc2Call() throws Exception {
        for (String handler : List.of("StatusHandler", "StartHandler", "StopHandler", "AttachEipHandler", "SnoozeHandler")) {
            int requestsBefore = sim.totalCalls();
            Map<String, Integer> before = sim.callsByAction();
            JsonNode reply = invoke(handler, "keep-warm.json", e -> { });
            assertEquals(200, reply.path("statusCode").asInt(), handler + " replied " + reply);
            assertEquals("kept_warm", JSON.readTree(reply.path("body").asText()).path("result").asText(),
                    handler + " replied " + reply);
            assertEquals(before, sim.callsByAction(), handler + " made EC2 calls for a keep-warm invoke");
            assertEquals(requestsBefore, sim.totalCalls(), handler + " sent the EC2 endpoint a request");
        }
    }

    /** Issue 17: the caller's own address (sourceIp, never X-Forwarded-For) gets port 22, one rule at the wire. */
    @Test
    @Order(11)
    void sshOpensPort22ToTheCallersAddress() throws Exception {
        int before = sim.calls("AuthorizeSecurityGroupIngress");
        JsonNode body = JSON.readTree(apiCall("SshHandler", "ssh.json", 200).path("body").asText());
        assertEquals("198.51.100.7/32", body.path("ssh").path("cidr").asText(), body.toString());
        assertEquals(before + 1, sim.calls("AuthorizeSecurityGroupIngress"));
    }

    /**
     * Issue 17's morning start and its pause, through Lambda's runtime: a paused day starts nothing, a resumed
     * one starts the box. The stack's StartTime reaches the functions as a tag on the box, as the template puts it.
     */
    @Test
    @Order(12)
    void aPausedMorningStartStartsNothingAndAResumedOneStartsTheBox() throws Exception {
        try (Ec2Client ec2 = EndpointClients.ec2(sim.endpoint())) {
            ec2.createTags(b -> b.resources(box.instanceId())
                    .tags(Tag.builder().key(BoxTags.START_TIME).value("00:00 Mon-Sun").build()));
        }
        String nextWeek = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(7).toString();
        int tagsBefore = sim.calls("CreateTags");
        invokeApi("SchedulePauseHandler", "schedule-pause.json", 200, e -> {
            ((ObjectNode) e.path("queryStringParameters")).put("until", nextWeek);
            ((ObjectNode) e.path("multiValueQueryStringParameters")).putArray("until").add(nextWeek);
        });
        assertEquals(tagsBefore + 1, sim.calls("CreateTags"), "the pause is a tag on the box");

        int startsBefore = sim.calls("StartInstances");
        assertEquals("skipped_paused", invoke("ScheduledStartHandler", "scheduled-start.json", e -> { }).asText());
        assertEquals(startsBefore, sim.calls("StartInstances"), "a paused day starts nothing");

        int untagsBefore = sim.calls("DeleteTags");
        apiCall("SchedulePauseHandler", "schedule-pause-cancel.json", 200);
        assertEquals(untagsBefore + 1, sim.calls("DeleteTags"));
        assertEquals("started", invoke("ScheduledStartHandler", "scheduled-start.json", e -> { }).asText());
        assertEquals(startsBefore + 1, sim.calls("StartInstances"));
    }

    /** The schedule's payload in events/ is the one the template sends. */
    @Test
    @Order(13)
    void theMorningStartFixtureIsWhatTheScheduleSends() throws IOException {
        String sent = Files.readString(REPO.resolve("events/scheduled-start.json")).strip();
        assertTrue(Files.readString(REPO.resolve("template.yaml")).contains("Input: '" + sent + "'"),
                "template.yaml's morning-start schedule sends " + sent);
    }

    // ------------------------------------------------------------------ plumbing

    private static JsonNode apiCall(String handler, String event, int status) throws Exception {
        return invokeApi(handler, event, status, e -> { });
    }

    private static JsonNode invokeApi(String handler, String event, int status, Consumer<ObjectNode> change)
            throws Exception {
        JsonNode reply = invoke(handler, event, change);
        assertEquals(status, reply.path("statusCode").asInt(), handler + " replied " + reply);
        JsonNode body = JSON.readTree(reply.path("body").asText());
        assertTrue(body.path("message").isTextual(), "every reply has a message: " + body);
        return reply;
    }

    /** Starts the function's runtime, feeds it one event, returns the reply the runtime posted. */
    private static JsonNode invoke(String handlerClass, String eventFile, Consumer<ObjectNode> change) throws Exception {
        String handler = handlers.get(handlerClass);
        assertNotNull(handler, handlerClass + " is not a Handler in template.yaml");
        ObjectNode event = (ObjectNode) JSON.readTree(REPO.resolve("events").resolve(eventFile).toFile());
        change.accept(event);
        Path log = LOGS.resolve(handlerClass + ".log");
        try (FakeRuntimeApi runtimeApi = new FakeRuntimeApi()) {
            String payload = JSON.writeValueAsString(event).replace("{presigned}", runtimeApi.presignedUrl());
            String requestId = runtimeApi.enqueue(payload);
            Process function = start(handler, runtimeApi, log);
            try {
                FakeRuntimeApi.Outcome outcome = runtimeApi.await(requestId, Duration.ofSeconds(90));
                String output = Files.readString(log);
                assertTrue(runtimeApi.initErrors.isEmpty(), handler + " failed to initialise: "
                        + runtimeApi.initErrors.peek() + "\n" + output);
                assertNotNull(outcome, handler + " never answered; its output:\n" + output);
                assertTrue(outcome.isResponse(), handler + " answered with an error (" + outcome.errorType() + "): "
                        + outcome.body() + "\n" + output);
                if (handlerClass.equals("StopOnDeleteHandler")) {
                    assertEquals(1, runtimeApi.presignedPuts.size(), "CloudFormation got exactly one answer");
                    assertTrue(runtimeApi.presignedPuts.get(0).startsWith("PUT {\"Status\":\"SUCCESS\""),
                            runtimeApi.presignedPuts.get(0));
                }
                return JSON.readTree(outcome.body());
            } finally {
                function.destroyForcibly().waitFor();
            }
        }
    }

    private static Process start(String handler, FakeRuntimeApi runtimeApi, Path log) throws IOException {
        List<String> classpath = new ArrayList<>();
        try (Stream<Path> jars = Files.list(RUNTIME)) {
            jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> classpath.add(j.toString()));
        }
        // The template's JAVA_TOOL_OPTIONS; native access is what the runtime client's JNI part needs.
        ProcessBuilder pb = new ProcessBuilder(JAVA, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(java.io.File.pathSeparator, classpath), ENTRY, handler)
                .directory(taskRoot.toFile()) // the runtime client loads the function from its working directory
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GPUBOX_") || k.startsWith("JAVA_TOOL"));
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi.address());
        env.put("_HANDLER", handler);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "gpubox-test");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/gpubox-test");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/29/[$LATEST]0123456789abcdef");
        env.put("AWS_REGION", "us-west-2");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_ENDPOINT_URL_EC2", sim.endpoint().toString());
        env.put(BoxConfig.INSTANCE_ID, box.instanceId());
        env.put(BoxConfig.EIP_ALLOCATION_ID, box.eipAllocationId());
        env.put(BoxConfig.MANAGED_TAG, box.managedTagKey() + "=" + box.managedTagValue());
        env.put(BoxConfig.TIMEZONE, "Asia/Shanghai"); // the template always sets it; unset is misconfigured
        return pb.start();
    }

    private static void unzip(Path jar, Path into) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the task root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target); // copies this entry only; the stream stays open
                }
            }
        }
    }
}
