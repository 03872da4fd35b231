package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import java.net.URI;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
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

    static synchronized Ec2Client clientFor(URI endpoint) {
        String previous = System.getProperty("aws.endpointUrlEc2");
        System.setProperty("aws.endpointUrlEc2", endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "test");
        setIfAbsent("aws.secretAccessKey", "test");
        try {
            return AwsClients.createEc2();
        } finally {
            if (previous == null) {
                System.clearProperty("aws.endpointUrlEc2");
            } else {
                System.setProperty("aws.endpointUrlEc2", previous);
            }
        }
    }

    /** The ledger's DynamoDB client (AwsClients.createDynamo()) pointed at {@code endpoint}, the same way. */
    static synchronized DynamoDbClient dynamoFor(URI endpoint) {
        String previous = System.getProperty("aws.endpointUrlDynamoDb");
        System.setProperty("aws.endpointUrlDynamoDb", endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "test");
        setIfAbsent("aws.secretAccessKey", "test");
        try {
            return AwsClients.createDynamo();
        } finally {
            if (previous == null) {
                System.clearProperty("aws.endpointUrlDynamoDb");
            } else {
                System.setProperty("aws.endpointUrlDynamoDb", previous);
            }
        }
    }

    /** A ledger table as template.yaml's LedgerTable makes it: on demand, keys pk and sk. */
    static void createLedgerTable(DynamoDbClient dynamo, String name) {
        dynamo.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("sk").keyType(KeyType.RANGE)));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
