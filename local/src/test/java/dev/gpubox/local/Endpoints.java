package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import java.net.URI;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The tests' name for {@link EndpointClients}: the handlers' own clients pointed at a test endpoint. */
public final class Endpoints {
    private Endpoints() {
    }

    public static Ec2Client clientFor(URI endpoint) {
        return EndpointClients.ec2(endpoint);
    }

    /** The ledger's DynamoDB client (AwsClients.createDynamo()) pointed at {@code endpoint}, the same way. */
    public static DynamoDbClient dynamoFor(URI endpoint) {
        return EndpointClients.withEndpoint("aws.endpointUrlDynamoDb", endpoint, AwsClients::createDynamo);
    }

    /** A ledger table as template.yaml's LedgerTable makes it: on demand, keys pk and sk. */
    public static void createLedgerTable(DynamoDbClient dynamo, String name) {
        dynamo.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
    }
}
