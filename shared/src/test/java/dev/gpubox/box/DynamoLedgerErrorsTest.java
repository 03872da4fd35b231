package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** What a DynamoDB failure of the spend ledger says to the user and in the log: DynamoDB's words, not EC2's. */
class DynamoLedgerErrorsTest {
    final DynamoDbClient dynamo = mock(DynamoDbClient.class);
    final DynamoLedger ledger = new DynamoLedger(() -> dynamo, "gpubox-ledger");

    static DynamoDbException denied(String message) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(400).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").errorMessage(message)
                        .build()).build();
    }

    @Test
    void aDeniedWriteNamesTheDynamoDbPermissionAwsNamed() {
        when(dynamo.updateItem(any(UpdateItemRequest.class))).thenThrow(denied("User: arn:aws:sts::123456789012:"
                + "assumed-role/gpubox-StateChange/fn is not authorized to perform: dynamodb:UpdateItem on resource:"
                + " arn:aws:dynamodb:us-east-1:123456789012:table/gpubox-ledger"));
        BoxException e = assertThrows(BoxException.class, () -> ledger.upsert(new Ledger.RunUpdate("i-1",
                Instant.parse("2026-12-01T10:00:00Z"), "g4dn.xlarge", 0.526, null, null)));
        assertEquals(ErrorCode.MISCONFIGURED, e.error());
        assertTrue(e.getMessage().startsWith("gpubox's IAM role lacks dynamodb:UpdateItem (needed to write the spend"
                + " ledger)"), e.getMessage());
        assertFalse(e.getMessage().contains("EC2"), e.getMessage());
    }

    @Test
    void aDeniedReadNamesTheDynamoDbPermissionItNeedsWhenAwsDoesNotSay() {
        when(dynamo.query(any(QueryRequest.class))).thenThrow(denied("Access denied"));
        BoxException e = assertThrows(BoxException.class, () -> ledger.runsLaunchedSince(Instant.EPOCH));
        assertTrue(e.getMessage().startsWith("gpubox's IAM role lacks dynamodb:Query"), e.getMessage());
        assertFalse(e.getMessage().contains("EC2"), e.getMessage());
    }

    @Test
    void anUnreachableTableSaysDynamoDb() {
        when(dynamo.query(any(QueryRequest.class))).thenThrow(SdkClientException.create("connect timed out"));
        BoxException e = assertThrows(BoxException.class, () -> ledger.runsLaunchedSince(Instant.EPOCH));
        assertTrue(e.getMessage().startsWith("Could not reach DynamoDB to read the spend ledger"), e.getMessage());
    }
}
