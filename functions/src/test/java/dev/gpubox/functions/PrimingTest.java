package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The SnapStart priming hook, run offline: each API handler's route goes end to end (event parsing,
 * signed EC2 requests, XML replies parsed, the reply built) against the in-memory EC2, and the handler's
 * own (container) EC2 client is never touched, so no connection or credential of it is in the snapshot.
 */
class PrimingTest {
    @ParameterizedTest
    @EnumSource(Route.class)
    void primingWalksTheRouteAgainstCannedEc2WithoutTheContainersClient(Route route) throws Exception {
        Ec2Client containerClient = mock(Ec2Client.class);
        ApiHandler handler = ApiHandlersTest.HANDLERS.get(route.path()).apply(containerClient, config());
        CannedEc2 canned = Priming.ec2For(route);

        ApiReply reply = Priming.run(handler, route, canned);

        assertTrue(reply.statusCode() == 200 || reply.statusCode() == 202, route + " primed an error: " + reply);
        JsonNode body = ProxyIntegration.JSON.readTree(reply.body());
        JsonNode box = body.has("box") ? body.path("box") : body;
        if (route == Route.SSH) { // its reply names the group the box's DescribeInstances gave
            assertEquals("sg-0a1b2c3d4e5f60001", body.path("ssh").path("securityGroupId").asText(), body.toString());
        } else {
            assertEquals(CannedEc2.BOX_ID, box.path("instanceId").asText(), "EC2's XML reply was parsed into the reply");
        }
        assertTrue(canned.everyRequestSigned, "every EC2 request was SigV4-signed");
        assertEquals("DescribeInstances", canned.actions.get(0));
        String action = switch (route) {
            case STATUS -> "DescribeAddresses";
            case START -> "StartInstances";
            case STOP -> "StopInstances";
            case EIP -> "DescribeAddresses";
            case SNOOZE -> "CreateTags";
            case SCHEDULE_PAUSE -> "DescribeAddresses";
            case SSH -> "AuthorizeSecurityGroupIngress";
        };
        assertTrue(canned.actions.contains(action), route + " should call " + action + ": " + canned.actions);
        verifyNoInteractions(containerClient);
    }

    /**
     * Status reads the month's runs (and start does with a MonthlyBudgetUsd, unset here): priming walks that
     * DynamoDB Query too, against CannedDynamo.
     */
    @ParameterizedTest
    @EnumSource(Route.class)
    void primingWalksTheLedgerWhereTheRouteReadsIt(Route route) throws Exception {
        ApiHandler handler = ApiHandlersTest.HANDLERS.get(route.path()).apply(mock(Ec2Client.class), config());
        CannedDynamo dynamo = new CannedDynamo();
        ApiReply reply = Priming.run(handler, route, Priming.ec2For(route), dynamo);
        boolean readsTheMonth = route == Route.STATUS;
        assertEquals(readsTheMonth ? List.of("Query") : List.of(), dynamo.operations.stream().distinct().toList(),
                route.toString());
        if (route == Route.STATUS) {
            assertTrue(ProxyIntegration.JSON.readTree(reply.body()).has("month"), reply.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void theCracHookPrimesOffline(Route route) {
        Ec2Client containerClient = mock(Ec2Client.class);
        ApiHandler handler = ApiHandlersTest.HANDLERS.get(route.path()).apply(containerClient, config());
        handler.beforeCheckpoint(null);
        handler.afterRestore(null);
        verifyNoInteractions(containerClient);
    }

    /**
     * The TLS warm-up makes a real ClientHello for EC2's host in memory: a TLS handshake record (content type
     * 22, version 3.x) with the server name in it. An SSLEngine has no socket, so nothing reached the network.
     */
    @Test
    void theTlsWarmUpMakesAClientHelloInMemory() {
        byte[] hello = Priming.warmTls();

        assertTrue(hello.length > 100, "a ClientHello record: " + hello.length + " bytes");
        assertEquals(22, hello[0], "a TLS handshake record");
        assertEquals(3, hello[1], "TLS record version 3.x");
        assertEquals(1, hello[5], "the handshake message is a ClientHello");
        assertTrue(new String(hello, java.nio.charset.StandardCharsets.ISO_8859_1).contains("ec2.us-east-1.amazonaws.com"),
                "the ClientHello names EC2's host (SNI), as the container client's will");
    }
}
