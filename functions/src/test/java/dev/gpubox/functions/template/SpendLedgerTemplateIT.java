package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spend ledger and the monthly cap (issue 15) as CloudFormation receives them: the table on demand,
 * each function's role granted exactly the ledger actions its handler makes on that table alone, the
 * state-change rule widened to "running", and the AWS Budget backstop able to publish to the topic.
 */
class SpendLedgerTemplateIT {
    static final String TABLE = "LedgerTable";
    /** What each handler calls: status and start read the month; the event and sweep functions keep the ledger. */
    static final Map<String, Set<String>> LEDGER_ACTIONS = Map.of(
            "StatusFunction", Set.of("dynamodb:Query"),
            "StartFunction", Set.of("dynamodb:Query"),
            // the morning start refuses to start over the monthly cap, as /start does
            "ScheduledStartFunction", Set.of("dynamodb:Query"),
            "StateChangeFunction", Set.of("dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem"),
            "ScheduledStopFunction", Set.of("dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem"));
    static final Set<String> PRICE_READERS = Set.of("StateChangeFunction", "ScheduledStopFunction");
    static JsonNode cfn;

    @BeforeAll
    static void transform() throws Exception {
        cfn = AwsTools.transform(Template.FILE);
    }

    static JsonNode resource(String id) {
        return cfn.path("Resources").path(id);
    }

    @Test
    void theLedgerIsOneOnDemandTableKeyedByPkAndSk() {
        JsonNode table = resource(TABLE);
        assertEquals("AWS::DynamoDB::Table", table.path("Type").asText());
        assertEquals("PAY_PER_REQUEST", table.path("Properties").path("BillingMode").asText());
        assertEquals("[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]",
                table.path("Properties").path("KeySchema").toString());
        assertEquals("Delete", table.path("DeletionPolicy").asText(), "chosen, not defaulted");
    }

    @Test
    void eachRoleMayUseTheLedgerTableOnlyAsItsHandlerDoesAndNoOtherTable() {
        Map<String, Set<String>> granted = new TreeMap<>();
        Set<String> priceReaders = new TreeSet<>();
        cfn.path("Resources").properties().forEach(e -> {
            if (!e.getValue().path("Type").asText().equals("AWS::Lambda::Function")) {
                return;
            }
            String function = e.getKey();
            JsonNode role = resource(TransformedTemplateIT.roleOf(e.getValue()));
            for (JsonNode statement : statementsOf(role)) {
                for (String action : TransformedTemplateIT.strings(statement.path("Action"))) {
                    if (action.startsWith("dynamodb:")) {
                        granted.computeIfAbsent(function, f -> new TreeSet<>()).add(action);
                        List<String> resources = TransformedTemplateIT.strings(statement.path("Resource"));
                        assertEquals(List.of("{\"Fn::GetAtt\":[\"" + TABLE + "\",\"Arn\"]}"), resources,
                                function + ": " + action + " on the ledger table's ARN only, got " + resources);
                    }
                    if (action.startsWith("pricing:")) {
                        assertEquals("pricing:GetProducts", action, function);
                        priceReaders.add(function);
                    }
                }
            }
        });
        assertEquals(new TreeMap<>(LEDGER_ACTIONS), granted);
        assertEquals(new TreeSet<>(PRICE_READERS), priceReaders, "only the functions that record a run read prices");
    }

    @Test
    void theStateChangeRuleSeesStartsAsWellAsStops() {
        // The state-change rule itself (the function also has the Spot notices' rules, issue 18).
        JsonNode rule = cfn.path("Resources").path("StateChangeFunctionStopped");
        assertEquals("AWS::Events::Rule", rule.path("Type").asText());
        assertEquals("[\"running\",\"stopped\"]",
                rule.path("Properties").path("EventPattern").path("detail").path("state").toString());
    }

    @Test
    void theFunctionsReadTheTableTheCapAndTheDiskSizeFromTheirEnvironment() {
        JsonNode env = resource("StatusFunction").path("Properties").path("Environment").path("Variables");
        assertEquals("{\"Fn::Sub\":\"${AWS::StackName}-ledger\"}", env.path("GPUBOX_LEDGER_TABLE").toString());
        assertEquals(env.path("GPUBOX_LEDGER_TABLE"), resource(TABLE).path("Properties").path("TableName"),
                "the functions name the table the stack makes");
        assertEquals("{\"Ref\":\"MonthlyBudgetUsd\"}", env.path("GPUBOX_MONTHLY_BUDGET").toString());
        assertEquals("{\"Ref\":\"RootVolumeSize\"}", env.path("GPUBOX_DISK_GIB").toString());
        assertEquals("0", cfn.path("Parameters").path("MonthlyBudgetUsd").path("Default").asText(), "off by default");
    }

    @Test
    void theAwsBudgetOnTheSameLimitNotifiesTheTopicWhichLetsBudgetsPublish() {
        JsonNode budget = resource("MonthlyBudget");
        assertEquals("AWS::Budgets::Budget", budget.path("Type").asText());
        assertEquals("HasMonthlyBudget", budget.path("Condition").asText(), "0 = off: no Budget either");
        JsonNode props = budget.path("Properties");
        assertEquals("{\"Amount\":{\"Ref\":\"MonthlyBudgetUsd\"},\"Unit\":\"USD\"}",
                props.path("Budget").path("BudgetLimit").toString());
        assertEquals("MONTHLY", props.path("Budget").path("TimeUnit").asText());
        assertFalse(props.path("NotificationsWithSubscribers").isEmpty());
        props.path("NotificationsWithSubscribers").forEach(n -> {
            assertEquals(1, n.path("Subscribers").size());
            assertEquals("SNS", n.path("Subscribers").get(0).path("SubscriptionType").asText());
            assertEquals("{\"Ref\":\"NoticesTopic\"}", n.path("Subscribers").get(0).path("Address").toString());
        });

        JsonNode policy = cfn.path("Resources").properties().stream()
                .filter(e -> e.getValue().path("Type").asText().equals("AWS::SNS::TopicPolicy"))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        assertEquals("[{\"Ref\":\"NoticesTopic\"}]", policy.path("Properties").path("Topics").toString());
        Set<String> publishers = new TreeSet<>();
        policy.path("Properties").path("PolicyDocument").path("Statement").forEach(s -> {
            assertEquals("sns:Publish", s.path("Action").asText());
            assertEquals("{\"Ref\":\"NoticesTopic\"}", s.path("Resource").toString());
            assertTrue(s.path("Condition").toString().contains("aws:SourceAccount"), "no other account's budget: " + s);
            publishers.add(s.path("Principal").path("Service").asText());
        });
        // A topic policy replaces SNS's default one: the alarms must keep their right to publish.
        assertEquals(Set.of("budgets.amazonaws.com", "cloudwatch.amazonaws.com"), publishers);
    }

    private static List<JsonNode> statementsOf(JsonNode role) {
        return TransformedTemplateIT.statements(role);
    }
}
