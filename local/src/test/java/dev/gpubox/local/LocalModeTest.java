package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode's flags, its schedules' resilience and its help. */
class LocalModeTest {

    @Test
    void theSweepSurvivesAnErrorAndRunsAgain() throws Exception {
        // A scheduled executor cancels a task that throws; a jar rebuilt under the JVM throws an Error.
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch thirdRun = new CountDownLatch(3);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.scheduleWithFixedDelay(LocalMode.survivingAnything("sweep", () -> {
                thirdRun.countDown();
                if (runs.incrementAndGet() == 1) {
                    throw new NoClassDefFoundError("dev/gpubox/box/SweepReport");
                }
                throw new IllegalStateException("EC2 unreachable");
            }), 0, 10, TimeUnit.MILLISECONDS);
            assertTrue(thirdRun.await(10, TimeUnit.SECONDS), "the sweep kept running after it failed");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void managedTagFlagConfiguresTheNightlyStopForAnotherEndpoint() {
        LocalMode.Options o = LocalMode.Options.parse(new String[] {"--ec2-endpoint", "http://127.0.0.1:1",
                "--instance-id", "i-0123456789abcdef0", "--managed-tag", "gpubox:stack=mine"});
        BoxConfig config = o.boxFromFlagsOrEnvironment();
        assertEquals("gpubox:stack", config.managedTagKey());
        assertEquals("mine", config.managedTagValue());
    }

    @Test
    void aManagedTagWithoutKeyOrValueIsRefused() {
        for (String bad : new String[] {"novalue", "=x", "k="}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalMode.Options.parse(new String[] {"--managed-tag", bad}));
            assertTrue(e.getMessage().contains("KEY=VALUE"), e.getMessage());
        }
    }

    @Test
    void anyEc2ErrorCodeCanBeInjectedButNotGarbage() {
        assertEquals("PendingVerification",
                LocalMode.Options.parse(new String[] {"--fault", "StartInstances=PendingVerificationx2"}).faults.get(0).code());
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--fault", "StartInstances=no such code"}));
    }

    @Test
    void aFaultOnAnUnknownActionOrAHugeCountIsAUsageError() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--fault", "StartInstance=Unavailable"}));
        assertTrue(unknown.getMessage().startsWith("--fault: the simulator has no action 'StartInstance'; use one of ["),
                unknown.getMessage());
        assertTrue(unknown.getMessage().contains("StartInstances"), unknown.getMessage());
        for (String count : new String[] {"99999999999", "0", "1001"}) {
            IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                    () -> LocalMode.Options.parse(new String[] {"--fault", "StartInstances=Unavailablex" + count}));
            assertEquals("--fault's xN takes a whole number from 1 to 1000", huge.getMessage());
        }
        assertEquals(1000, LocalMode.Options.parse(new String[] {"--fault", "*=Unavailablex1000"}).faults.get(0).times());
    }

    @Test
    void aGatewayFaultIsOneOfTheGatewaysOwnStatusesWithACount() {
        LocalMode.GatewayFaultFlag flag = LocalMode.Options.parse(new String[] {"--gateway-fault", "502x2"}).gatewayFaults.get(0);
        assertEquals(new LocalMode.GatewayFaultFlag(502, 2), flag);
        assertEquals(1, LocalMode.Options.parse(new String[] {"--gateway-fault", "429"}).gatewayFaults.get(0).times());
        assertEquals(new LocalMode.GatewayFaultFlag(502, 1, true),
                LocalMode.Options.parse(new String[] {"--gateway-fault", "502:bare"}).gatewayFaults.get(0));
        assertEquals(new LocalMode.GatewayFaultFlag(504, 3, true),
                LocalMode.Options.parse(new String[] {"--gateway-fault", "504x3:bare"}).gatewayFaults.get(0));
        assertTrue(LocalMode.USAGE.contains("--gateway-fault STATUS[xN][:bare]"), LocalMode.USAGE);
        for (String bad : new String[] {"404", "502x0", "5O2", "502x", "", "429:bare", "502:plain"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalMode.Options.parse(new String[] {"--gateway-fault", bad}));
            assertTrue(e.getMessage().startsWith("--gateway-fault"), e.getMessage());
        }
    }

    /** Issue 17.1: a per-type capacity fault and the fall-back list, for the simulator only. */
    @Test
    void soldOutAndFallbackTypesAreSimulatorFlagsCheckedLikeTheTemplatesParameter() {
        LocalMode.Options o = LocalMode.Options.parse(new String[] {"--sold-out", "g4dn.xlarge", "--sold-out",
                "g5.xlarge:late", "--fallback-types", "g5.xlarge,g6.xlarge"});
        assertEquals(java.util.Map.of("g4dn.xlarge", false, "g5.xlarge", true), o.soldOut);
        assertEquals("g5.xlarge,g6.xlarge", o.fallbackTypes);
        for (String[] bad : new String[][] {{"--sold-out", "g4dn xlarge"}, {"--fallback-types", "g5.xlarge, g6.xlarge"},
                {"--sold-out", "g4dn.xlarge", "--aws"}}) {
            assertThrows(IllegalArgumentException.class, () -> LocalMode.Options.parse(bad), String.join(" ", bad));
        }
        assertTrue(LocalMode.USAGE.contains("--sold-out TYPE[:late]") && LocalMode.USAGE.contains("--fallback-types LIST"));
    }

    @Test
    void theHelpSaysRetriedFaultsNeedMoreThanThree() {
        assertTrue(LocalMode.USAGE.contains("InsufficientInstanceCapacityx4") && LocalMode.USAGE.contains("retries"),
                LocalMode.USAGE);
    }

    @Test
    void helpPrintsWithoutAJdkOrABuild(@TempDir Path bin) throws Exception {
        // Only what the help path needs on PATH: no java, no mvn.
        for (String tool : new String[] {"bash", "sed", "dirname"}) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        ProcessBuilder pb = new ProcessBuilder(bin.resolve("bash").toString(), Path.of("..", "gpubox").toString(),
                "local", "--help");
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals(LocalMode.USAGE, out);
    }

    /** Issue 18: --spot makes the seeded box Spot; an interruption needs a Spot box and the simulator. */
    @Test
    void spotFlagsParseAndAnInterruptionNeedsASpotBoxOnTheSimulator() {
        LocalMode.Options o = LocalMode.Options.parse(new String[] {"--spot", "--spot-interrupt-after", "30",
                "--spot-warning-seconds", "20", "--spot-capacity-after", "40"});
        assertEquals(true, o.spot);
        assertEquals(30, o.spotInterruptAfter);
        assertEquals(20, o.spotWarningSeconds);
        assertEquals(40, o.spotCapacityAfter);
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--spot-interrupt-after", "30"}));
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--spot", "--aws"}));
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--spot", "--spot-warning-seconds", "soon"}));
    }
}
