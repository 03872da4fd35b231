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

/**
 * Builds the handlers' own EC2 client (AwsClients.createEc2(), which sets no endpoint) pointed at a test
 * endpoint through the SDK's standard setting, as AWS_ENDPOINT_URL_EC2 does for a process.
 */
final class Endpoints {
    private Endpoints() {
    }

    static Ec2Client clientFor(URI endpoint) {
        return withEndpoint("aws.endpointUrlEc2", endpoint, AwsClients::createEc2);
    }

    /** The ledger's DynamoDB client (AwsClients.createDynamo()) pointed at {@code endpoint}, the same way. */
    static DynamoDbClient dynamoFor(URI endpoint) {
        return withEndpoint("aws.endpointUrlDynamoDb", endpoint, AwsClients::createDynamo);
    }

    /** Builds a client while the SDK's endpoint property for its service names {@code endpoint}. */
    private static synchronized <T> T withEndpoint(String property, URI endpoint, java.util.function.Supplier<T> build) {
        String previous = System.getProperty(property);
        System.setProperty(property, endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "test");
        setIfAbsent("aws.secretAccessKey", "test");
        try {
            return build.get();
        } finally {
            if (previous == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, previous);
            }
        }
    }

    /** A ledger table as template.yaml's LedgerTable makes it: on demand, keys pk and sk. */
    static void createLedgerTable(DynamoDbClient dynamo, String name) {
        dynamo.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
