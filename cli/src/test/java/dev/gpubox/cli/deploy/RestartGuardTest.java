package dev.gpubox.cli.deploy;

import static dev.gpubox.cli.deploy.ReplacementGuardTest.changeSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The second half of the deploy guard: a change CloudFormation makes by stopping and starting the box
 * ("Some interruptions") is refused while the box runs, unless --allow-restart.
 */
class RestartGuardTest {
    static final String BOX = "i-0123456789abcdef0";

    @Test
    void theUpgradeToTheBootstrapRestartsARunningBoxOnceAndTheRefusalSaysSo() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("bootstrap-upgrade.json"), Map.of(BOX, "running"));
        assertFalse(verdict.safe());
        assertEquals(List.of(), verdict.dangers(), "nothing replaces the box");
        assertEquals(1, verdict.restarts().size());
        ReplacementGuard.BoxRestart box = verdict.restarts().get(0);
        assertEquals("running", box.state());
        // IamInstanceProfile is "No interruption": only UserData stops the box.
        assertEquals(List.of("UserData"), box.causes().stream().map(ReplacementGuard.Cause::property).toList());
        String message = ReplacementGuard.explain(verdict, false, false);
        assertTrue(message.startsWith("gpubox deploy: REFUSED. This update would stop and start your GPU box while it runs"), message);
        assertTrue(message.contains("GpuInstance (i-0123456789abcdef0) is running; CloudFormation stops and starts it to change:\n"
                + "      UserData (template.yaml changed it)"), message);
        assertTrue(message.contains("docs/setup.md \"Upgrading an existing stack\""), message);
        assertTrue(message.contains("./gpubox down") && message.contains("./gpubox deploy --allow-restart"), message);
        assertTrue(message.endsWith("Nothing was changed: the change set is deleted."), message);
        assertFalse(verdict.allowedBy(true, false), "--allow-replacement does not cover a restart");
        assertTrue(verdict.allowedBy(false, true));
    }

    @Test
    void anInstanceTypeChangeIsRefusedWhileTheBoxRunsAndNamesTheParameter() throws IOException {
        ReplacementGuard.Verdict running = ReplacementGuard.analyse(changeSet("code-and-instance-type.json"), Map.of(BOX, "pending"));
        String message = ReplacementGuard.explain(running, false, false);
        assertTrue(message.contains("is pending") && message.contains("InstanceType (parameter InstanceType changed)"), message);
        assertFalse(message.contains("Tags"), "tags change without interruption: " + message);
        assertFalse(message.contains("UserData changes once"), message);

        assertTrue(ReplacementGuard.analyse(changeSet("code-and-instance-type.json"), Map.of(BOX, "stopped")).safe());
    }

    @Test
    void aBoxWhoseStateCouldNotBeReadCountsAsRunning() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("bootstrap-upgrade.json"), Map.of());
        assertNull(verdict.restarts().get(0).state());
        assertTrue(ReplacementGuard.explain(verdict, false, false).contains("may be running (its state could not be read)"));
    }

    @Test
    void theOverrideStillSaysWhatWillHappen() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("bootstrap-upgrade.json"), Map.of(BOX, "running"));
        String message = ReplacementGuard.explain(verdict, false, true);
        assertTrue(message.startsWith("gpubox deploy: --allow-restart given; this update STOPS AND STARTS your GPU box"), message);
        assertFalse(message.contains("Nothing was changed"), message);
    }

    /** Every property the reference marks "Some interruptions" is caught, each on its own. */
    @ParameterizedTest
    @MethodSource("interruptingProperties")
    void everyInterruptingPropertyOfTheReferenceIsCaught(String property) throws IOException {
        assertEquals(List.of(property), restartCauses(property));
    }

    static Stream<String> interruptingProperties() {
        List<String> found = InstanceUpdates.table().entrySet().stream()
                .filter(e -> e.getValue() == InstanceUpdates.Behaviour.INTERRUPTION).map(Map.Entry::getKey).toList();
        assertTrue(found.containsAll(List.of("UserData", "InstanceType", "EbsOptimized", "KernelId", "RamdiskId")), found.toString());
        return found.stream();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tags", "IamInstanceProfile", "MetadataOptions", "InstanceInitiatedShutdownBehavior"})
    void aChangeWithoutInterruptionPasses(String property) throws IOException {
        assertEquals(List.of(), restartCauses(property));
    }

    @Test
    void aPropertyTheTableDoesNotKnowCountsAsAnInterruption() throws IOException {
        assertFalse(InstanceUpdates.listed("SomeFutureProperty"));
        assertEquals(List.of("SomeFutureProperty"), restartCauses("SomeFutureProperty"));
    }

    @Test
    void theBoxesToCheckAreThoseAChangeWouldRestart(@TempDir Path dir) throws IOException {
        assertEquals(List.of(BOX), ReplacementGuard.interruptions(changeSet("bootstrap-upgrade.json")).stream()
                .map(ReplacementGuard.BoxRestart::physicalId).toList());
        assertEquals(List.of(), ReplacementGuard.interruptions(changeSet("code-only.json")));
        // A replaced box is the replacement check's: no state is needed for it.
        assertEquals(List.of(), ReplacementGuard.interruptions(changeSet("new-key-pair.json")));
        Path states = Files.writeString(dir.resolve("states"), BOX + "\tstopped\ni-0fedcba9876543210\trunning\n\n");
        assertEquals(Map.of(BOX, "stopped", "i-0fedcba9876543210", "running"), ReplacementGuard.boxStates(Files.readString(states)));
    }

    /** The restart causes of a change set that modifies only {@code property} of the running box. */
    private static List<String> restartCauses(String property) throws IOException {
        ObjectNode changeSet = (ObjectNode) changeSet("code-and-instance-type.json").deepCopy();
        JsonNode box = changeSet.path("Changes").get(1).path("ResourceChange");
        ObjectNode detail = new ObjectMapper().createObjectNode();
        detail.putObject("Target").put("Attribute", "Properties").put("Name", property).put("RequiresRecreation", "Never");
        detail.put("Evaluation", "Static").put("ChangeSource", "DirectModification");
        ((com.fasterxml.jackson.databind.node.ArrayNode) box.path("Details")).removeAll().add(detail);
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet, Map.of(BOX, "running"));
        return verdict.restarts().stream().flatMap(r -> r.causes().stream()).map(ReplacementGuard.Cause::property).toList();
    }
}
