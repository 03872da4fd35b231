package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxTags;
import dev.gpubox.functions.ScheduledStopHandler;
import java.time.Duration;
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

    @Test
    void theDeadLetterAlarmCountsArrivalsSoItFiresForEveryLaterFailureToo() {
        JsonNode p = Template.resource("StopFailuresQueueAlarm").path("Properties");
        assertEquals("AWS/SQS", p.path("Namespace").asText());
        assertEquals("NumberOfMessagesSent", p.path("MetricName").asText(),
                "messages arriving, not ApproximateNumberOfMessagesVisible (present), which stays in ALARM");
        assertEquals("Sum", p.path("Statistic").asText());
        assertEquals(1, p.path("Threshold").asInt());
        assertEquals("notBreaching", p.path("TreatMissingData").asText(), "back to OK once nothing arrives");
        assertEquals(3, p.path("EvaluationPeriods").asInt(), "an idle queue's metrics can come late: look back");
        assertEquals(1, p.path("DatapointsToAlarm").asInt(), "one late datapoint is enough");
    }

    @Test
    void aDeadLetteredRunStillWaitingInTheQueueAlarmsToo() {
        JsonNode p = Template.resource("StopFailuresWaitingAlarm").path("Properties");
        assertEquals("AWS/SQS", p.path("Namespace").asText());
        assertEquals("ApproximateNumberOfMessagesVisible", p.path("MetricName").asText());
        assertEquals("StopFailuresQueue", p.path("Dimensions").get(0).path("Value").path("Fn::GetAtt").get(0).asText());
        assertEquals(1, p.path("Threshold").asInt());
        assertEquals("GreaterThanOrEqualToThreshold", p.path("ComparisonOperator").asText());
        assertEquals(1, p.path("DatapointsToAlarm").asInt());
        assertEquals("NoticesTopic", p.path("AlarmActions").get(0).path("Ref").asText());
    }

    @Test
    void theStopFunctionMayWriteTheFailedStopNoticeTag() {
        List<String> keys = new ArrayList<>();
        Template.resource("ScheduledStopFunction").path("Properties").path("Policies").forEach(policy ->
                policy.path("Statement").forEach(statement -> {
                    if (statement.path("Action").asText().equals("ec2:CreateTags")) {
                        statement.path("Condition").path("ForAllValues:StringEquals").path("aws:TagKeys")
                                .forEach(k -> keys.add(k.asText()));
                    }
                }));
        assertTrue(keys.contains(BoxTags.STOP_FAILED_NOTICED), "IAM allows the dedup tag: " + keys);
        assertTrue(keys.contains(BoxTags.STOP_REASON) && keys.contains(BoxTags.SKIP_NOTICED), keys.toString());
    }

    @Test
    void theStopsBudgetFitsInsideTheFunctionsTimeoutWithRoomForItsNoticesAndSummary() {
        int timeoutSeconds = Template.functionProperty("ScheduledStopFunction", "Timeout").asInt();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Duration budget = ScheduledStopHandler.budgetFor(timeout.toMillis());
        assertTrue(budget.compareTo(Duration.ofSeconds(60)) >= 0,
                "a budget of " + budget + " leaves room for the retries of a night's stop");
        assertTrue(timeout.minus(budget).compareTo(Duration.ofSeconds(10)) >= 0,
                "after the budget, " + timeout.minus(budget) + " for the failure notices and the summary");
        assertTrue(budget.compareTo(timeout) < 0);
        Duration wrapUp = ScheduledStopHandler.wrapUpFor(timeout.toMillis());
        assertTrue(budget.plus(wrapUp).compareTo(timeout) < 0 && wrapUp.compareTo(Duration.ofSeconds(5)) >= 0,
                "the notices' wrap-up (" + wrapUp + ") fits after the budget, with time left for the reply");
    }
}
