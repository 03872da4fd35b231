package dev.gpubox.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The change-set check behind `./gpubox deploy`, on DescribeChangeSet replies in CloudFormation's shapes. */
class ReplacementGuardTest {
    static JsonNode changeSet(String name) throws IOException {
        try (InputStream in = ReplacementGuardTest.class.getResourceAsStream("/change-sets/" + name)) {
            assertNotNull(in, name);
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void aNewKeyPairReplacesTheBoxAndTheRefusalNamesTheParameter() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("new-key-pair.json"));
        assertFalse(verdict.safe());
        assertEquals(1, verdict.dangers().size(), "the EIP association's own replacement is a consequence, not a box");
        ReplacementGuard.BoxChange box = verdict.dangers().get(0);
        assertEquals("GpuInstance", box.logicalId());
        assertEquals(Set.of("KeyName"), box.parameters());
        assertEquals(1, box.causes().size(), "the Dynamic duplicate of the same change is folded in");
        String message = ReplacementGuard.explain(verdict, false);
        assertTrue(message.startsWith("gpubox deploy: REFUSED"), message);
        assertTrue(message.contains("KeyName (parameter KeyName changed) forces a new instance"), message);
        assertTrue(message.contains("previous value of KeyName back in samconfig.toml"),
                "a command-line override lasts one deploy, so the fix goes in samconfig.toml: " + message);
        assertTrue(message.contains("--allow-replacement"), message);
        assertTrue(message.contains("i-0123456789abcdef0"), message);
    }

    @Test
    void aConditionalReplacementIsRefusedTooWithEveryParameterNamed() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("new-ami-and-bigger-disk.json"));
        assertFalse(verdict.safe());
        assertEquals(Set.of("ImageId", "RootVolumeSize"), verdict.dangers().get(0).parameters());
        String message = ReplacementGuard.explain(verdict, false);
        assertTrue(message.contains("may be replaced"), message);
        assertTrue(message.contains("BlockDeviceMappings (parameter RootVolumeSize changed) may force a new instance"),
                message);
    }

    /** Issue 18 point 1: UseSpot set on an existing stack changes the box's create-only LaunchTemplate. */
    @Test
    void switchingUseSpotIsRefusedEvenWithAllowReplacementAndPointsAtMovingToANewStack() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("use-spot-switched-on.json"));
        assertFalse(verdict.safe());
        assertFalse(verdict.allowedBy(true, true), "a Spot switch is never a replacement gpubox performs");
        for (boolean allowReplacement : new boolean[] {false, true}) {
            String message = ReplacementGuard.explain(verdict, allowReplacement, false);
            assertTrue(message.startsWith("gpubox deploy: REFUSED"), message);
            assertTrue(message.contains("LaunchTemplate (resource SpotLaunchTemplate changed) forces a new instance"), message);
            assertTrue(message.contains("UseSpot changed") && message.contains("docs/setup.md \"Moving to or from Spot\""),
                    message);
            assertTrue(message.contains("EC2 then terminates the stopped old box"), message);
            assertFalse(message.contains("run\n  ./gpubox deploy --allow-replacement"), "no way round it: " + message);
            assertTrue(message.endsWith("Nothing was changed: the change set is deleted."), message);
        }
        assertTrue(ReplacementGuard.analyse(changeSet("new-key-pair.json")).allowedBy(true, false),
                "other replacements keep their --allow-replacement");
    }

    @Test
    void removingTheBoxFromTheStackIsRefused() throws IOException {
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet("box-removed.json"));
        assertFalse(verdict.safe());
        String message = ReplacementGuard.explain(verdict, false);
        assertTrue(message.contains("would leave the stack still running"), message);
        // The nightly stop finds boxes by their gpubox:stack tag, which a box leaving the stack keeps.
        assertFalse(message.contains("no longer stopped at night"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"code-and-instance-type.json", "code-only.json", "first-deploy.json"})
    void updatesThatKeepTheBoxPass(String file) throws IOException {
        // A stopped box: the instance type change interrupts nothing (RestartGuardTest has the running box).
        ReplacementGuard.Verdict verdict = ReplacementGuard.analyse(changeSet(file), Map.of("i-0123456789abcdef0", "stopped"));
        assertTrue(verdict.safe(), ReplacementGuard.explain(verdict, false));
        assertEquals("gpubox", verdict.stackName());
    }

    @Test
    void aChangeSetThatCannotBeReadInFullIsNotCalledSafe() throws IOException {
        ReplacementGuard.Verdict paged = ReplacementGuard.analyse(changeSet("more-pages.json"));
        assertFalse(paged.safe());
        assertTrue(paged.unreadable().contains("more than one page"));
        ReplacementGuard.Verdict other = ReplacementGuard.analyse(new ObjectMapper().readTree("{\"StackName\":\"x\"}"));
        assertFalse(other.safe());
    }

    @Test
    void theOverrideStillSaysWhatWillHappen() throws IOException {
        String message = ReplacementGuard.explain(ReplacementGuard.analyse(changeSet("new-key-pair.json")), true);
        assertTrue(message.contains("--allow-replacement given"), message);
        assertTrue(message.contains("leaves\nthe old box"), message);
        assertFalse(message.contains("Nothing was changed"), message);
        assertTrue(message.contains("save the new value of KeyName in samconfig.toml"),
                "else the next plain deploy sends the old key and is refused (or replaces the box again): " + message);
        assertEquals(List.of(), ReplacementGuard.analyse(changeSet("first-deploy.json")).dangers());
    }
}
