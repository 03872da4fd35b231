package dev.gpubox.box;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The ledger in the stack's DynamoDB table (template.yaml's LedgerTable, on demand). One table, keys
 * {@code pk} (string) and {@code sk} (string):
 * <ul>
 *   <li>a run: {@code pk=run}, {@code sk=<launch, UTC, whole seconds>#<instance id>} — sorted by launch, so a
 *       month is one Query;</li>
 *   <li>a cached price: {@code pk=price}, {@code sk=<region>#<instance type>};</li>
 *   <li>a once-a-month mark (the 80 % notice): {@code pk=mark}, {@code sk=<mark>}.</li>
 * </ul>
 * Writes are UpdateItem only (the functions' roles need no PutItem): the keys make them idempotent, and
 * {@code if_not_exists} keeps a run's first type, price and stop time.
 */
public final class DynamoLedger implements Ledger {
    static final String RUN = "run";
    static final String PRICE = "price";
    static final String MARK = "mark";
    /** Fixed width, so the sort key orders by time: EC2 launch times are whole seconds. */
    private static final DateTimeFormatter KEY_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final Supplier<DynamoDbClient> dynamo;
    private final String table;

    public DynamoLedger(Supplier<DynamoDbClient> dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static String runKey(String instanceId, Instant launch) {
        return KEY_TIME.format(launch.truncatedTo(ChronoUnit.SECONDS)) + "#" + instanceId;
    }

    @Override
    public void upsert(RunUpdate u) {
        List<String> sets = new ArrayList<>(List.of("instanceId = :i", "launchTime = :l"));
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put(":i", s(u.instanceId()));
        values.put(":l", s(u.launchTime().toString()));
        if (u.instanceType() != null) {
            sets.add("instanceType = if_not_exists(instanceType, :t)");
            values.put(":t", s(u.instanceType()));
        }
        if (u.hourlyUsd() != null) {
            sets.add("hourlyUsd = if_not_exists(hourlyUsd, :p)");
            values.put(":p", n(u.hourlyUsd()));
        }
        if (u.seenRunningAt() != null) {
            sets.add("lastSeen = :seen");
            values.put(":seen", s(u.seenRunningAt().toString()));
        }
        String sk = runKey(u.instanceId(), u.launchTime());
        update(RUN, sk, "SET " + String.join(", ", sets), values, null);
        if (u.stoppedAt() != null) {
            // A reported stop replaces an estimated one; an estimate never replaces any stop.
            Map<String, AttributeValue> stop = Map.of(":s", s(u.stoppedAt().toString()));
            boolean written = u.stopEstimated()
                    ? conditionally(request(RUN, sk, "SET stoppedAt = :s, stopEstimated = :e",
                            Map.of(":s", stop.get(":s"), ":e", AttributeValue.fromBool(true)),
                            "attribute_not_exists(stoppedAt)"))
                    : conditionally(request(RUN, sk, "SET stoppedAt = :s REMOVE stopEstimated", stop,
                            "attribute_not_exists(stoppedAt) OR attribute_exists(stopEstimated)"));
            if (!written) {
                System.out.println("gpubox: " + sk + " already has its stop; kept");
            }
        }
    }

    @Override
    public List<Run> runsLaunchedSince(Instant from) {
        List<Run> runs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest request = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk >= :from")
                    .expressionAttributeValues(Map.of(":pk", s(RUN), ":from", s(KEY_TIME.format(from))))
                    .exclusiveStartKey(start).build();
            QueryResponse page = Ec2Calls.call("read the spend ledger", () -> dynamo.get().query(request));
            page.items().forEach(item -> runs.add(new Run(text(item, "instanceId"), instant(item, "launchTime"),
                    text(item, "instanceType"), number(item, "hourlyUsd"), instant(item, "stoppedAt"),
                    instant(item, "lastSeen"))));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return runs;
    }

    @Override
    public CachedPrice price(String key) {
        Map<String, AttributeValue> item = Ec2Calls.call("read the cached price", () -> dynamo.get().getItem(
                r -> r.tableName(table).key(key(PRICE, key)))).item();
        Double usd = item == null ? null : number(item, "usd");
        Instant at = item == null ? null : instant(item, "fetchedAt");
        return usd == null || at == null ? null : new CachedPrice(usd, at);
    }

    @Override
    public void savePrice(String key, CachedPrice price) {
        update(PRICE, key, "SET usd = :u, fetchedAt = :f",
                Map.of(":u", n(price.usdPerHour()), ":f", s(price.fetchedAt().toString())), null);
    }

    @Override
    public boolean firstTime(String mark, Instant at) {
        return conditionally(request(MARK, mark, "SET markedAt = :a", Map.of(":a", s(at.toString())),
                "attribute_not_exists(pk)"));
    }

    /** A conditional write: false when its condition did not hold (nothing written). */
    private boolean conditionally(UpdateItemRequest request) {
        try {
            dynamo.get().updateItem(request);
            return true;
        } catch (ConditionalCheckFailedException notWritten) {
            return false;
        } catch (SdkException e) {
            throw AwsErrors.map(e, "write the spend ledger");
        }
    }

    private void update(String pk, String sk, String expression, Map<String, AttributeValue> values, String condition) {
        UpdateItemRequest request = request(pk, sk, expression, values, condition);
        Ec2Calls.call("write the spend ledger", () -> dynamo.get().updateItem(request));
    }

    private UpdateItemRequest request(String pk, String sk, String expression, Map<String, AttributeValue> values,
                                      String condition) {
        return UpdateItemRequest.builder().tableName(table).key(key(pk, sk)).updateExpression(expression)
                .expressionAttributeValues(values).conditionExpression(condition).build();
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(double value) {
        return AttributeValue.fromN(Double.toString(value));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Double number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Double.valueOf(v.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String t = text(item, name);
        return t == null ? null : Instant.parse(t);
    }
}
