package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.InstanceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 point 8: which allowed instance types have an instance store (local NVMe every stop wipes) is
 * known in one place, {@link InstanceStore}; it must know exactly the types template.yaml offers, and the
 * pages where a user picks a type must say what a stop does to that disk.
 */
class InstanceStoreTemplateIT {

    @Test
    void instanceStoreKnowsExactlyTheTypesTheTemplateAllows() {
        Set<String> allowed = new TreeSet<>();
        Template.TREE.path("Parameters").path("InstanceType").path("AllowedValues")
                .forEach(t -> allowed.add(t.asText()));
        assertEquals(allowed, InstanceStore.knownTypes(),
                "a type added to (or dropped from) InstanceType's AllowedValues must be added to InstanceStore.GB");
        assertTrue(InstanceStore.has(Template.TREE.path("Parameters").path("InstanceType").path("Default").asText()),
                "the default g4dn.xlarge has one");
    }

    @Test
    void whereUsersChooseATypeTheDocsSayEveryStopWipesTheNvme() throws IOException {
        Set<String> families = new TreeSet<>();
        for (JsonNode type : Template.TREE.path("Parameters").path("InstanceType").path("AllowedValues")) {
            if (InstanceStore.has(type.asText())) {
                families.add(type.asText().split("\\.")[0]);
            }
        }
        assertEquals(Set.of("g4dn", "g5", "g6", "g6e"), families);
        for (String doc : new String[] {"README.md", "docs/setup.md", "docs/money-safety.md"}) {
            String text = Files.readString(Template.REPO.resolve(doc));
            int at = text.indexOf(InstanceStore.DLAMI_MOUNT);
            assertTrue(at >= 0, doc + " names " + InstanceStore.DLAMI_MOUNT);
            String around = text.substring(Math.max(0, at - 600), Math.min(text.length(), at + 600));
            assertTrue(around.contains("wipe"), doc + " says a stop wipes it: " + around);
            for (String family : families) {
                assertTrue(around.contains(family), doc + " names " + family + " next to it: " + around);
            }
        }
    }
}
