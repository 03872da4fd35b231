package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/setup.md walks the deploy as template.yaml and the SAM CLI make it happen. */
class SetupDocIT {
    static final String DOC = read();
    static final Pattern PROMPT_ROW = Pattern.compile("^\\| `([^`]+)` \\| (.*) \\|$", Pattern.MULTILINE);
    /** Properties of AWS::EC2::Instance whose change replaces the instance (CloudFormation's resource reference). */
    static final Set<String> REPLACING_PROPERTIES = InstanceUpdateTable.replacing();

    static String read() {
        try {
            return Files.readString(Template.REPO.resolve("docs/setup.md"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String section(String heading) {
        int start = DOC.indexOf("\n" + heading);
        assertTrue(start >= 0, "docs/setup.md has no section " + heading);
        int end = DOC.indexOf("\n## ", start + 1);
        return DOC.substring(start, end < 0 ? DOC.length() : end);
    }

    /** The prompts `sam deploy --guided` shows (samcli/commands/deploy/guided_context.py), parameters in template order. */
    @Test
    void everyGuidedPromptIsListedInTheOrderSamAsks() {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = PROMPT_ROW.matcher(section("## 4. Build and deploy"));
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        List<String> expected = new ArrayList<>(List.of("Stack Name", "AWS Region"));
        Template.TREE.path("Parameters").fieldNames().forEachRemaining(p -> expected.add("Parameter " + p));
        expected.addAll(List.of("Confirm changes before deploy", "Allow SAM CLI IAM role creation", "Disable rollback",
                "Save arguments to configuration file"));
        List<String> prompts = new ArrayList<>(rows.keySet());
        prompts.removeIf(p -> !expected.contains(p) && !p.startsWith("Parameter "));
        assertEquals(expected, prompts);
    }

    /** "Enter (X)" in the doc means the template's default is X. */
    @Test
    void theDefaultsTheDocTellsYouToAcceptAreTheTemplatesDefaults() {
        Matcher m = PROMPT_ROW.matcher(section("## 4. Build and deploy"));
        int checked = 0;
        while (m.find()) {
            if (!m.group(1).startsWith("Parameter ") || !m.group(2).startsWith("Enter (")) {
                continue;
            }
            String parameter = m.group(1).substring("Parameter ".length());
            String said = m.group(2).substring("Enter (".length()).split("[ ),:]")[0].replace("`", "");
            String actual = Template.TREE.path("Parameters").path(parameter).path("Default").asText();
            assertEquals(actual, said.equals("empty") ? "" : said, parameter + "'s default");
            checked++;
        }
        assertTrue(checked >= 10, "checked " + checked);
    }

    /** A parameter without a default (ShutdownTimezone since issue 15) is never described with one. */
    @Test
    void aParameterWithoutADefaultIsNeverGivenOneInThePromptList() {
        Matcher m = PROMPT_ROW.matcher(section("## 4. Build and deploy"));
        Map<String, String> rows = new LinkedHashMap<>();
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        List<String> withoutDefault = new ArrayList<>();
        Template.TREE.path("Parameters").properties().forEach(p -> {
            if (!p.getValue().has("Default")) {
                withoutDefault.add(p.getKey());
                String row = rows.get("Parameter " + p.getKey());
                assertFalse(row.startsWith("Enter") || row.contains("(default"), p.getKey() + ": " + row);
            }
        });
        assertTrue(withoutDefault.contains("ShutdownTimezone"), "no silent time zone: " + withoutDefault);
        assertTrue(rows.get("Parameter ShutdownTimezone").contains("`./gpubox deploy --guided` proposes your laptop's zone"));
    }

    @Test
    void theQuotaStepSaysTheDeployFailsWithoutItAndHowToRecover() {
        String quota = section("## 1. Ask for GPU quota");
        assertTrue(quota.contains("deploy itself fails"), quota);
        assertTrue(quota.contains("ROLLBACK_COMPLETE") && quota.contains("sam delete"), "how to recover");
        assertTrue(DOC.substring(0, DOC.indexOf("\n## 1.")).contains("a\nday or two")
                && quota.startsWith("\n## 1. Ask for GPU quota (do this first: it can take a day or two)"),
                "the introduction and the quota step give the same wait");
    }

    @Test
    void whatAFailedFirstDeployLeavesMatchesTheTemplate() {
        String quota = section("## 1. Ask for GPU quota");
        for (String id : List.of("GpuInstance", "GpuSecurityGroup")) {
            String policy = Template.resource(id).path("DeletionPolicy").asText();
            assertEquals("RetainExceptOnCreate", policy, id + ": the doc says a failed create leaves no box or group");
            assertTrue(quota.contains("`DeletionPolicy: " + policy + "`"), policy);
        }
        boolean diskKept = !Template.resource("GpuInstance").path("Properties").path("BlockDeviceMappings").get(0)
                .path("Ebs").path("DeleteOnTermination").asBoolean(true);
        assertEquals(diskKept, quota.contains("aws ec2 delete-volume"), "the volume a failed create may leave, and how to remove it");
        assertFalse(DOC.contains("leaves nothing half-made"), "a failed create may leave the root volume");
    }

    @Test
    void everyOlderGpuTheTemplateAllowsGetsTheAmiWarning() {
        String heading = DOC.lines().filter(l -> l.startsWith("### About p2")).findFirst().orElse("");
        String description = Template.TREE.path("Parameters").path("InstanceType").path("Description").asText();
        for (JsonNode type : Template.TREE.path("Parameters").path("InstanceType").path("AllowedValues")) {
            String family = type.asText().split("\\.")[0];
            if (family.equals("p2") || family.equals("p3")) {
                assertTrue(heading.contains(family), family + " in the AMI warning's heading: " + heading);
                assertTrue(description.contains(type.asText()), family + " in InstanceType's description");
            }
        }
        assertTrue(DOC.contains("**p3 (NVIDIA V100) carries the same warning.**"));
    }

    @Test
    void theUpdateSectionNamesEveryParameterThatWouldReplaceTheBox() {
        Set<String> replacing = new LinkedHashSet<>();
        Template.resource("GpuInstance").path("Properties").properties().forEach(p -> {
            if (REPLACING_PROPERTIES.contains(p.getKey())) {
                Matcher ref = Pattern.compile("\"Ref\":\"(\\w+)\"").matcher(p.getValue().toString());
                while (ref.find()) {
                    if (Template.TREE.path("Parameters").has(ref.group(1))) {
                        replacing.add(ref.group(1));
                    }
                }
            }
        });
        assertEquals(Set.of("ImageId", "KeyName", "RootVolumeSize", "RootDeviceName", "SubnetId"), replacing);
        String update = section("## 8. Updating the stack");
        for (String parameter : replacing) {
            assertTrue(update.contains("`" + parameter + "`"), parameter + " is named in the update section");
        }
        assertTrue(update.contains("./gpubox deploy --allow-replacement"));
        // UseSpot reaches the box through a condition, not a Ref, and replaces it just as well (issue 18).
        assertTrue(update.contains("`UseSpot`") && update.contains("Moving to or from Spot"), update);
    }

    /** Issue 18 points 1 and 4: the way to move to Spot, and what a Spot stack's delete does and leaves. */
    @Test
    void spotSaysHowToMoveAndWhatItsDeleteLeavesAndHowToRemoveIt() {
        String spot = section("### Spot: `UseSpot`");
        assertTrue(spot.contains("L-3819A6DF") || DOC.contains("`L-3819A6DF`"), "the Spot quota");
        assertTrue(spot.contains("aws ec2 create-image --instance-id") && spot.contains("UseSpot=\\\"true\\\""), spot);
        assertTrue(spot.contains("no `MaxPrice`") && spot.contains("`ValidUntil`"), spot);
        String delete = section("### Deleting a Spot stack");
        assertTrue(delete.contains("terminating\nits instance makes EC2 launch a new one"), delete);
        assertTrue(delete.contains("`DeleteOnTermination: false`") && delete.contains("`CancelSpotInstanceRequests`"), delete);
        assertTrue(delete.contains("| the root volume (and any other disk of the box), **available** |"), delete);
        assertTrue(delete.contains("aws ec2 delete-volume") && delete.contains("never terminating the box first"), delete);
        assertTrue(delete.indexOf("modify-instance-attribute") < delete.indexOf("cancel-spot-instance-requests"),
                "the disks are kept before the cancel: " + delete);
        assertTrue(section("## 1. Ask for GPU quota").contains("`L-3819A6DF`"));
    }

    @Test
    void parameterChangesAreSavedInSamconfigBecauseACommandLineOverrideLastsOneDeploy() {
        String update = section("## 8. Updating the stack");
        // sam deploy's --parameter-overrides replaces samconfig's list for one run; the next plain deploy
        // reverts it, and after a deliberate replacement would try to replace the new box.
        assertTrue(update.contains("edit its value in `parameter_overrides` in `samconfig.toml`"), update);
        assertTrue(update.contains("replaces samconfig's\nwhole list for that one deploy"), update);
        assertFalse(update.contains("--allow-replacement --parameter-overrides"), "the replacing value must be saved first");
        assertFalse(update.contains("no longer stopped at night"), "the nightly stop finds a box by its gpubox:stack tag");
    }

    @Test
    void whatRemainsAfterDeleteAndWhatItCostsMatchTheTemplate() {
        Set<String> retained = new LinkedHashSet<>();
        Template.resources().properties().forEach(e -> {
            if (e.getValue().path("DeletionPolicy").asText().startsWith("Retain")) {
                retained.add(e.getValue().path("Type").asText());
            }
        });
        String delete = section("## What deleting the stack does");
        Map<String, String> named = Map.of("AWS::EC2::Instance", "the GPU instance, **stopped**",
                "AWS::EC2::SecurityGroup", "its security group");
        assertEquals(named.keySet(), retained, "a retained resource the doc does not list");
        named.values().forEach(row -> assertTrue(delete.contains("| " + row + " |"), row));
        assertTrue(delete.contains("| its root volume |"), "DeleteOnTermination: false keeps the disk");
        assertFalse(Template.resource("ElasticIp").has("DeletionPolicy"), "the doc says the address is released");
        assertTrue(delete.contains("Elastic IP (released"));

        String stopped = section("## What a stopped box costs");
        assertTrue(stopped.contains("EBS gp3") && stopped.contains("public IPv4"), stopped);
        int volume = Template.TREE.path("Parameters").path("RootVolumeSize").path("Default").asInt();
        assertTrue(stopped.contains(volume + " GiB: **$" + String.format("%.2f", volume * 0.08) + "/month**"), stopped);
        assertTrue(stopped.contains("**$3.65/month**") && stopped.contains("**$" + String.format("%.2f", volume * 0.08 + 3.65)
                + "/month**"), "the total adds up");
    }

    // ------------------------------------------------------------------ issue 14, points 3, 4 and 7

    @Test
    void upgradersAreToldOfTheOneRestartTheBootstrapNeedsAndHowToAvoidIt() {
        String upgrade = section("## Upgrading an existing stack");
        assertTrue(upgrade.contains("**It stops and starts the box once.**") && upgrade.contains("box/gpubox-bootstrap.sh"), upgrade);
        assertTrue(upgrade.contains("./gpubox down") && upgrade.contains("./gpubox deploy --allow-restart"), upgrade);
        assertTrue(upgrade.contains("AmazonSSMManagedInstanceCore") && upgrade.contains("GpuboxOnBox"), upgrade);
        assertTrue(upgrade.contains("leave them empty on an existing stack"), upgrade);
        String update = section("## 8. Updating the stack");
        assertTrue(update.contains("./gpubox deploy\n--allow-restart") || update.contains("./gpubox deploy --allow-restart"), update);
        assertTrue(update.contains("ec2-instance-updates.properties"), "where the table of interrupting properties is");
    }

    @Test
    void aBoxWithoutADefaultVpcOrInAChosenZoneIsDocumented() {
        String network = section("### No default VPC, or a zone you choose");
        assertTrue(network.contains("VPCIdNotSpecified") && network.contains("`SubnetId`") && network.contains("`VpcId`"), network);
        assertTrue(network.contains("availabilityZone"), "the zone as /status shows it");
        assertTrue(network.contains("**public** subnet"), network);
    }

    /** A volume attaches only in its own zone: the recipe goes through a snapshot made into a volume in the new zone. */
    @Test
    void theReplacementRecipeWorksAcrossZones() {
        String replace = section("## 8. Updating the stack");
        replace = replace.substring(replace.indexOf("### Replacing the box on purpose"));
        assertTrue(replace.contains("aws ec2 create-snapshot") && replace.contains("aws ec2 wait snapshot-completed"), replace);
        assertTrue(replace.contains("aws ec2 create-volume --snapshot-id snap-... --availability-zone"), replace);
        assertTrue(replace.contains("**in the new box's zone**") && replace.contains("aws ec2 attach-volume"), replace);
        assertFalse(replace.contains("attach the old volume"), "the old volume is in the old zone");
    }

    @Test
    void whatTheKeyPairAndTheAmiAreStillNeededForIsSaid() {
        String key = section("## 2. Create a key pair");
        assertTrue(key.contains("first boot") && key.contains("a replacement") && key.contains("InvalidKeyPair.NotFound"), key);
        assertTrue(key.contains("blocks no update"), key);
        String ami = section("## 3. Find a Deep Learning AMI id");
        assertTrue(ami.contains("read only when a box is launched") && ami.contains("InvalidAMIID.NotFound"), ami);
        assertTrue(ami.contains("every later update, even an urgent `SshCidr` change, would fail"), ami);
    }

    /** A first deploy reads step 4's table to find what the stack printed: every Output is there, none made up. */
    @Test
    void theOutputsTableListsEveryOutputOfTheTemplate() {
        String deploy = section("## 4. Build and deploy");
        int table = deploy.indexOf("| output | use |");
        assertTrue(table >= 0, "step 4 has no outputs table");
        Set<String> listed = new LinkedHashSet<>();
        Matcher m = PROMPT_ROW.matcher(deploy.substring(table, deploy.indexOf("\n\n", table)));
        while (m.find()) {
            listed.add(m.group(1));
        }
        Set<String> outputs = new LinkedHashSet<>();
        Template.TREE.path("Outputs").fieldNames().forEachRemaining(outputs::add);
        assertEquals(outputs, listed);
    }

    /**
     * ssh takes the first {@code Host gpubox} block in ~/.ssh/config, so a hand-written one beside the block
     * {@code ./gpubox up} writes would shadow it: setup.md sends the reader to {@code up}, and writes none.
     */
    @Test
    void noHandWrittenHostBlockCompetesWithTheOneUpWrites() {
        assertFalse(Pattern.compile("(?m)^\\s*Host gpubox\\s*$").matcher(DOC).find(),
                "docs/setup.md shows a Host gpubox block to copy into ~/.ssh/config");
        String ssh = section("## 7. SSH and VS Code");
        assertTrue(ssh.contains("./gpubox up"), ssh);
    }
}
