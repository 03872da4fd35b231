package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 8's template settings: LateStartHours, the dead-letter alarm on arrivals, the stop's time budget. */
class MoneySafetySecondPassIT {
    @Test
    void lateStartHoursDefaultsToFourAndReachesEveryFunction() {
        JsonNode parameter = Template.TREE.path("Parameters").path("LateStartHours");
        assertEquals(4, parameter.path("Default").asInt());
        assertEquals(0, parameter.path("MinValue").asInt(), "0 keeps the next-ShutdownTime behaviour");
        List<String> grouped = new ArrayList<>();
        Template.TREE.path("Metadata").path("AWS::CloudFormation::Interface").path("ParameterGroups")
                .forEach(g -> g.path("Parameters").forEach(p -> grouped.add(p.asText())));
        assertTrue(grouped.contains("LateStartHours"), "shown in the console's parameter groups");
        assertEquals("LateStartHours", Template.TREE.path("Globals").path("Function").path("Environment")
                .path("Variables").path(BoxConfig.LATE_START_HOURS).path("Ref").asText(),
                "the variable BoxConfig reads is set from the parameter");
    }
}
