package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.StartTime;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * StartTime's shape is checked at deploy (the parameter's AllowedPattern) with the same pattern the function
 * parses ({@link StartTime#PATTERN}): a value CloudFormation accepts is one the morning start can read.
 */
class StartTimeTemplateTest {
    private static final String PARAMETER = "StartTime";

    @Test
    void theDeployCheckIsTheParsersPattern() {
        var parameter = Template.TREE.path("Parameters").path(PARAMETER);
        assertEquals(StartTime.PATTERN, parameter.path("AllowedPattern").asText());
        assertEquals("", parameter.path("Default").asText("missing"), "off by default");
        assertTrue(parameter.path("ConstraintDescription").asText().contains("08:30 Mon-Fri"),
                "a refused value is told what to type");
        Pattern deploy = Pattern.compile(parameter.path("AllowedPattern").asText());
        for (String good : new String[] {"", "08:30 Mon-Fri", "07:00 Mon,Wed,Fri", "23:59 Sat-Sun", "06:15 Fri-Mon,Wed"}) {
            assertTrue(deploy.matcher(good).matches(), good);
        }
        for (String bad : new String[] {"8:30 Mon-Fri", "08:30", "08:30 mon-fri", "24:00 Mon", "08:30 Mon-", "08:30  Mon"}) {
            assertFalse(deploy.matcher(bad).matches(), bad);
        }
    }
}
