package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upgrading gpubox never interrupts or replaces the box (issue 14 points 3 and 4): the transformed template of
 * the last release (a committed fixture) against today's, with the same parameters. Every GpuInstance property
 * whose change stops and starts or replaces the box (every one but those the CloudFormation reference marks
 * "No interruption", InstanceUpdateTable) must be equal, and so must the security group's create-only ones
 * (a new group would change the box's SecurityGroupIds, itself an interruption).
 *
 * <p>At each release, refresh the fixture from the released template.yaml (after {@code ./gpubox package}):
 * {@code python3 functions/src/test/resources/sam-transform.py template.yaml functions/src/test/resources/upgrade/last-release.json}.
 * Today's fixture is the template of main at 77a6256, the last one with the watchdog in UserData.
 */
class UpgradeIT {
    static final Path FIXTURES = Path.of("src", "test", "resources", "upgrade").toAbsolutePath();
    static final Path BOOTSTRAP = Template.REPO.resolve("box/gpubox-bootstrap.sh");
    /** The values a user typed at the first deploy, kept by every later update. */
    static final Map<String, String> SAME = TemplateSchemaIT.REQUIRED;
    static JsonNode today;

    @BeforeAll
    static void transform() throws Exception {
        today = AwsTools.transform(Template.FILE);
    }

    static JsonNode fixture(String name) throws IOException {
        return AwsTools.JSON.readTree(FIXTURES.resolve(name).toFile());
    }

    @Test
    void upgradingFromTheLastReleaseNeitherStopsNorReplacesTheBox() throws IOException {
        JsonNode lastRelease = fixture("last-release.json");
        Set<String> changed = disruptive(lastRelease, today, SAME);
        // The one exception, once: the upgrade from a release whose UserData carried the watchdog to the fixed
        // bootstrap. Once the fixture is refreshed at the next release, its UserData is the bootstrap and this
        // test allows no difference at all (docs/setup.md "Upgrading an existing stack" says so to upgraders).
        boolean fromBeforeTheBootstrap = !userData(lastRelease, SAME).equals(Files.readString(BOOTSTRAP));
        assertEquals(Files.readString(BOOTSTRAP), userData(today, SAME), "today's UserData is the bootstrap");
        assertEquals(fromBeforeTheBootstrap ? Set.of("GpuInstance.UserData") : Set.of(), changed,
                "an upgrade with unchanged parameters would stop and start or replace the box");
    }

    /** The same check, run on the release that last edited the watchdog: it would have failed (it restarted every box). */
    @Test
    void theWatchdogsLastEditWouldHaveBeenCaught() throws IOException {
        assertEquals(Set.of("GpuInstance.UserData"),
                disruptive(fixture("before-watchdog-edit-fd56b53.json"), fixture("last-release.json"), SAME));
    }

    /** Point 4: SubnetId and VpcId left empty (their default) on an upgrade change nothing on the box or its group. */
    @Test
    void theNewNetworkParametersLeftEmptyChangeNothingAndSetTheyWouldReplace() throws IOException {
        JsonNode lastRelease = fixture("last-release.json");
        assertTrue(lastRelease.path("Parameters").path("SubnetId").isMissingNode(), "the fixture predates SubnetId");
        Map<String, String> withSubnet = new HashMap<>(SAME);
        withSubnet.put("SubnetId", "subnet-0123456789abcdef0");
        withSubnet.put("VpcId", "vpc-0123456789abcdef0");
        Set<String> changed = disruptive(lastRelease, today, withSubnet);
        changed.remove("GpuInstance.UserData");
        assertEquals(Set.of("GpuInstance.SubnetId", "GpuSecurityGroup.VpcId"), changed,
                "the check sees the new parameters when they are set (and ./gpubox deploy refuses that replacement)");
    }

    /**
     * Issue 18 point 1: UseSpot left false (its default, which an upgrade keeps) adds nothing to the box; set on an
     * existing stack it changes the create-only LaunchTemplate, a replacement (which ./gpubox deploy refuses).
     */
    @Test
    void useSpotLeftFalseChangesNothingOnTheBoxAndSetItWouldReplaceIt() throws IOException {
        JsonNode lastRelease = fixture("last-release.json");
        assertTrue(lastRelease.path("Parameters").path("UseSpot").isMissingNode(), "the fixture predates UseSpot");
        Map<String, String> onDemand = new HashMap<>(SAME);
        onDemand.put("UseSpot", "false");
        Set<String> unchanged = disruptive(lastRelease, today, onDemand);
        unchanged.remove("GpuInstance.UserData");
        assertEquals(Set.of(), unchanged, "an on-demand stack's box sees no change");
        Map<String, String> spot = new HashMap<>(SAME);
        spot.put("UseSpot", "true");
        Set<String> changed = disruptive(lastRelease, today, spot);
        changed.remove("GpuInstance.UserData");
        assertEquals(Set.of("GpuInstance.LaunchTemplate"), changed);
        assertEquals("replacement", InstanceUpdateTable.TABLE.get("LaunchTemplate"));
    }

    /**
     * Issue 17 point 2: SshCidr became optional (empty means no permanent rule). A stack deployed with it keeps
     * its value on an update, and so must get exactly the rules it had: CloudFormation would otherwise revoke
     * and re-add its SSH rule, or drop it.
     */
    @Test
    void anExistingStacksSshRuleIsUnchangedNowThatSshCidrIsOptional() throws IOException {
        JsonNode lastRelease = fixture("last-release.json");
        assertTrue(lastRelease.path("Parameters").path("SshCidr").path("Default").isMissingNode(),
                "the fixture predates the optional SshCidr");
        for (String extraPort : new String[] {"0", "22", "80"}) {
            Map<String, String> parameters = new HashMap<>(SAME);
            parameters.put("ExtraOpenPort", extraPort);
            JsonNode before = properties(lastRelease, "GpuSecurityGroup", parameters).get("SecurityGroupIngress");
            JsonNode after = properties(today, "GpuSecurityGroup", parameters).get("SecurityGroupIngress");
            assertEquals(before, after, "ExtraOpenPort " + extraPort + ": the group's rules on an upgrade");
            assertTrue(after.toString().contains(SAME.get("SshCidr")), after.toString());
        }
    }

    /** The table the guard and this test share agrees with the provider schema's create-only properties. */
    @Test
    void everyCreateOnlyPropertyOfTheInstanceSchemaReplacesTheBoxInTheTable() throws IOException {
        ReferenceFolder.requireSchemas();
        Set<String> createOnly = createOnly("aws-ec2-instance.json");
        Set<String> missing = new TreeSet<>(createOnly);
        missing.removeAll(InstanceUpdateTable.replacing());
        assertEquals(Set.of(), missing, "create-only in the schema, not 'replacement' in " + InstanceUpdateTable.FILE);
    }

    /** "GpuInstance.UserData", ...: properties of the box and its group that differ in a way that disrupts the box. */
    static Set<String> disruptive(JsonNode before, JsonNode after, Map<String, String> parameters) throws IOException {
        Set<String> changed = new TreeSet<>();
        Map<String, JsonNode> boxBefore = properties(before, "GpuInstance", SAME);
        Map<String, JsonNode> boxAfter = properties(after, "GpuInstance", parameters);
        Set<String> names = new TreeSet<>(boxBefore.keySet());
        names.addAll(boxAfter.keySet());
        for (String name : names) {
            if (!InstanceUpdateTable.harmless(name) && !Objects.equals(boxBefore.get(name), boxAfter.get(name))) {
                changed.add("GpuInstance." + name);
            }
        }
        Map<String, JsonNode> groupBefore = properties(before, "GpuSecurityGroup", SAME);
        Map<String, JsonNode> groupAfter = properties(after, "GpuSecurityGroup", parameters);
        for (String name : Set.of("GroupDescription", "GroupName", "VpcId")) {
            if (!Objects.equals(groupBefore.get(name), groupAfter.get(name))) {
                changed.add("GpuSecurityGroup." + name);
            }
        }
        return changed;
    }

    /** The resource's properties as CloudFormation would see them with these parameter values (defaults otherwise). */
    static Map<String, JsonNode> properties(JsonNode template, String logicalId, Map<String, String> parameters) {
        Map<String, String> values = new HashMap<>();
        parameters.forEach((k, v) -> {
            if (template.path("Parameters").has(k)) {
                values.put(k, v);
            }
        });
        JsonNode resolved = new Intrinsics(template, values, Map.of(), (r, a) -> true)
                .resolve(template.path("Resources").path(logicalId).path("Properties"));
        Map<String, JsonNode> out = new HashMap<>();
        resolved.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static String userData(JsonNode template, Map<String, String> parameters) {
        return new String(Base64.getDecoder().decode(properties(template, "GpuInstance", parameters).get("UserData").asText()),
                StandardCharsets.UTF_8);
    }

    private static Set<String> createOnly(String schema) throws IOException {
        Set<String> names = new TreeSet<>();
        AwsTools.JSON.readTree(ReferenceFolder.SCHEMAS.resolve("cfn-resource-schemas").resolve(schema).toFile())
                .path("createOnlyProperties").forEach(p -> names.add(p.asText().replace("/properties/", "")));
        return names;
    }
}
