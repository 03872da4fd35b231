package dev.gpubox.local;

import dev.gpubox.box.DynamoLedger;
import dev.gpubox.box.Ledger;
import dev.gpubox.box.LedgerContract;
import dev.gpubox.box.MotoServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ledger contract (duplicated, lost, late and out-of-order events) on the deployed implementation:
 * DynamoLedger through the real SDK's DynamoDB client, against moto's DynamoDB, a fresh table per test.
 */
class DynamoLedgerMotoTest extends LedgerContract {
    static MotoServer moto;
    static DynamoDbClient dynamo;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        dynamo = Endpoints.dynamoFor(moto.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    protected Ledger newLedger() {
        String table = "gpubox-ledger-" + UUID.randomUUID();
        Endpoints.createLedgerTable(dynamo, table);
        return new DynamoLedger(() -> dynamo, table);
    }
}
