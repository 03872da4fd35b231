package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 4's promises in template.yaml: a nightly stop that cannot fail silently, notices, an opt-in watchdog. */
class MoneySafetyTemplateIT {
    static JsonNode events() {
        return Template.resource("ScheduledStopFunction").path("Properties").path("Events");
    }

    @Test
    void bothSchedulesRetryAndDeadLetter() {
        for (String name : List.of("Nightly", "Sweep")) {
            JsonNode p = events().path(name).path("Properties");
            assertEquals("ScheduleV2", events().path(name).path("Type").asText());
            assertTrue(p.path("RetryPolicy").path("MaximumRetryAttempts").asInt() > 0, name + " retries");
            assertTrue(p.path("OmitName").asBoolean(), name + ": a fixed schedule name would clash with a second stack");
            assertEquals("StopFailuresQueue", p.path("DeadLetterConfig").path("Arn").path("Fn::GetAtt").get(0).asText(),
                    name + " dead-letters what Scheduler cannot deliver");
        }
        assertEquals("rate(5 minutes)", events().path("Sweep").path("Properties").path("ScheduleExpression").asText());
    }

    @Test
    void aFailingRunIsRetriedThenDeadLettered() {
        JsonNode config = Template.resource("ScheduledStopFunction").path("Properties").path("EventInvokeConfig");
        assertEquals(2, config.path("MaximumRetryAttempts").asInt());
        assertEquals("SQS", config.path("DestinationConfig").path("OnFailure").path("Type").asText());
        assertEquals("StopFailuresQueue",
                config.path("DestinationConfig").path("OnFailure").path("Destination").path("Fn::GetAtt").get(0).asText());
    }

    @Test
    void failuresRaiseAlarmsThatNotifyTheUser() {
        for (String alarm : List.of("ScheduledStopErrorsAlarm", "StopFailuresQueueAlarm", "StateChangeErrorsAlarm")) {
            JsonNode p = Template.resource(alarm).path("Properties");
            assertEquals("NoticesTopic", p.path("AlarmActions").get(0).path("Ref").asText(), alarm);
            assertEquals(1, p.path("Threshold").asInt(), alarm + " fires on the first failure");
            assertEquals("notBreaching", p.path("TreatMissingData").asText());
        }
        assertEquals("ScheduledStopFunction", Template.resource("ScheduledStopErrorsAlarm").path("Properties")
                .path("Dimensions").get(0).path("Value").path("Ref").asText());
    }

    @Test
    void noticesGoToATopicWithAnOptionalEmail() {
        assertEquals("AWS::SNS::Topic", Template.resource("NoticesTopic").path("Type").asText());
        JsonNode email = Template.resource("NoticesEmail");
        assertEquals("HasNotificationEmail", email.path("Condition").asText());
        assertEquals("", Template.TREE.path("Parameters").path("NotificationEmail").path("Default").asText());
        assertEquals("NoticesTopic", Template.TREE.path("Globals").path("Function").path("Environment")
                .path("Variables").path("GPUBOX_TOPIC_ARN").path("Ref").asText());
        JsonNode rule = Template.resource("StateChangeFunction").path("Properties").path("Events").path("Stopped");
        assertEquals("EventBridgeRule", rule.path("Type").asText());
        // "running" too: the spend ledger counts every start (issue 15); only "stopped" sends a notice.
        assertEquals("[\"running\",\"stopped\"]", rule.path("Properties").path("Pattern").path("detail").path("state").toString());
    }

    @Test
    void theIdleWatchdogIsOptInAndInstalledVerbatim() throws Exception {
        assertEquals("0", Template.TREE.path("Parameters").path("IdleMinutes").path("Default").asText(), "off by default");
        assertEquals("IdleWatchdogOn", Template.resource("IdleBackstopAlarm").path("Condition").asText());
        JsonNode box = Template.resource("GpuInstance").path("Properties");
        assertEquals("enabled", box.path("MetadataOptions").path("InstanceMetadataTags").asText());
        assertEquals("stop", box.path("InstanceInitiatedShutdownBehavior").asText(), "idle never means terminate");
        boolean tagged = false;
        for (JsonNode tag : box.path("Tags")) {
            tagged |= tag.path("Key").asText().equals("gpubox-idle-minutes")
                    && tag.path("Value").path("Fn::Sub").asText().equals("${IdleMinutes}");
        }
        assertTrue(tagged, "the watchdog reads IdleMinutes from the instance's tags");
        // Delivered by SSM State Manager on the running box, not by UserData (issue 14, point 3).
        JsonNode onBox = Template.resource("GpuboxOnBox").path("Properties");
        assertEquals("AWS-RunShellScript", onBox.path("Name").asText());
        assertEquals("[{\"Key\":\"InstanceIds\",\"Values\":[{\"Ref\":\"GpuInstance\"}]}]", onBox.path("Targets").toString());
        String commands = onBox.path("Parameters").path("commands").get(0).asText();
        String installed = commands.substring(commands.indexOf("<<'GPUBOX_WATCHDOG'\n") + "<<'GPUBOX_WATCHDOG'\n".length(),
                commands.indexOf("GPUBOX_WATCHDOG\ncat"));
        assertEquals(Files.readString(Template.REPO.resolve("box/gpubox-idle-watchdog.sh")), installed,
                "GpuboxOnBox installs box/gpubox-idle-watchdog.sh exactly");
        assertTrue(commands.contains("systemctl enable --now gpubox-idle-watchdog.timer"));
        assertEquals(Files.readString(Template.REPO.resolve("box/gpubox-bootstrap.sh")), box.path("UserData").path("Fn::Base64").asText(),
                "UserData is the fixed bootstrap, with no watchdog in it");
        JsonNode backstop = Template.resource("IdleBackstopAlarm").path("Properties");
        assertTrue(backstop.path("AlarmActions").get(0).toString().contains(":ec2:stop"),
                "the backstop stops (never terminates) the box");
        assertFalse(backstop.path("AlarmActions").toString().contains("terminate"));
    }
}
