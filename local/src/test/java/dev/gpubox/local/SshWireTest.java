package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Sleeper;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.functions.SshHandler;
import dev.gpubox.sim.SecurityGroups;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 point 2, at the wire: POST /ssh through local mode (its peer address) and the real handler fed
 * API Gateway's events, against the EC2 simulator's security group; every rule and every call counted
 * there, not through a mock.
 */
class SshWireTest {
    static final Path EVENTS = Path.of("..", "events");
    private WireFixture local;
    private final FakeTime time = new FakeTime(Instant.parse("2026-12-02T23:00:00Z"));

    @BeforeEach
    void localMode() throws Exception {
        local = new WireFixture(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        local.close();
    }

    @Test
    void localModeOpensSshToItsPeerAndASecondCallRenewsTheOneRule() {
        WireFixture.Reply opened = local.call("POST", "/ssh?hours=2");
        assertEquals(200, opened.status(), opened.raw().body());
        assertEquals("opened", opened.field("result"));
        assertEquals("127.0.0.1/32", opened.json().path("ssh").path("cidr").asText(), "the connection's peer");
        List<SecurityGroups.Rule> rules = local.sim.securityGroups().rules();
        assertEquals(1, rules.size(), rules.toString());
        SecurityGroups.Rule rule = rules.get(0);
        assertEquals(List.of("tcp", 22, 22, "127.0.0.1/32"), List.of(rule.protocol(), rule.fromPort(), rule.toPort(),
                rule.cidrIpv4()));
        assertEquals("gpubox-ssh until " + opened.json().path("ssh").path("until").asText(), rule.description());
        assertTrue(rule.description().matches("gpubox-ssh until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ"), rule.description());

        WireFixture.Reply again = local.call("POST", "/ssh");
        assertEquals("renewed", again.field("result"), again.raw().body());
        assertEquals(1, local.sim.securityGroups().rules().size(), "renewed, never a second rule");
        assertEquals(1, local.sim.calls("RevokeSecurityGroupIngress"));
        assertEquals(2, local.sim.calls("AuthorizeSecurityGroupIngress"));
    }

    /**
     * A caller behind API Gateway's proxy headers: X-Forwarded-For's first entry is whatever the client wrote
     * (the gateway keeps it and appends), so the rule is for sourceIp, 198.51.100.7, never 203.0.113.66.
     */
    @Test
    void theRuleIsForSourceIpNeverForwardedFor() throws Exception {
        JsonNode reply = invoke(handler(), event("ssh.json", null));
        assertEquals(200, reply.path("statusCode").asInt(), reply.toString());
        assertEquals("[198.51.100.7/32]", cidrs().toString());
        assertTrue(Files.readString(EVENTS.resolve("ssh.json")).contains("203.0.113.66"), "the fixture spoofs one");

        // And in local mode: a spoofed header over a loopback connection opens loopback only.
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(local.api.url() + "/ssh"))
                .header("x-api-key", WireFixture.KEY).header("X-Forwarded-For", "203.0.113.66")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            assertEquals(200, http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        // The first rule was opened on the handler's clock; local mode's real clock may already count it as
        // expired and close it, so only what this call opened is asserted: loopback, never the spoofed address.
        assertTrue(cidrs().contains("127.0.0.1/32"), cidrs().toString());
        assertTrue(cidrs().stream().noneMatch(c -> c.startsWith("203.0.113.66")), cidrs().toString());
    }

    @Test
    void anIpv6CallerIsRefusedClearlyAndNoRuleIsWritten() throws Exception {
        JsonNode reply = invoke(handler(), event("ssh-ipv6.json", null));
        assertEquals(400, reply.path("statusCode").asInt(), reply.toString());
        JsonNode body = WireFixture.JSON.readTree(reply.path("body").asText());
        assertEquals("bad_request", body.path("error").asText());
        assertTrue(body.path("message").asText().contains("IPv6"), body.toString());
        assertTrue(body.path("message").asText().contains("IPv4"), body.toString());
        assertEquals(0, local.sim.calls("AuthorizeSecurityGroupIngress"), "no broken rule, no rule at all");
        assertEquals(List.of(), local.sim.securityGroups().rules());
    }

    @Test
    void aFourthAddressClosesTheRuleThatExpiresFirstAndOthersAreNeverTouched() throws Exception {
        local.sim.securityGroups().seedRule("203.0.113.7/32", 22, "SSH"); // the stack's SshCidr rule
        SshHandler ssh = handler();
        for (String[] call : new String[][] {{"198.51.100.1", "3"}, {"198.51.100.2", "1"}, {"198.51.100.3", "5"}}) {
            assertEquals(200, invoke(ssh, event("ssh.json", call[0], call[1])).path("statusCode").asInt());
        }
        JsonNode fourth = invoke(ssh, event("ssh.json", "198.51.100.4", "2"));
        JsonNode body = WireFixture.JSON.readTree(fourth.path("body").asText());
        assertEquals("opened", body.path("result").asText(), body.toString());
        assertEquals("[\"198.51.100.2/32\"]", body.path("closed").toString(), "the one that expires first");
        assertEquals("[203.0.113.7/32, 198.51.100.1/32, 198.51.100.3/32, 198.51.100.4/32]", cidrs().toString());

        JsonNode permanent = invoke(ssh, event("ssh.json", "203.0.113.7", null));
        body = WireFixture.JSON.readTree(permanent.path("body").asText());
        assertEquals("already_open", body.path("result").asText(), body.toString());
        assertTrue(body.path("ssh").path("until").isNull());
        assertEquals(4, local.sim.securityGroups().rules().size(), "no duplicate of the SshCidr rule");
    }

    @Test
    void aFullGroupIsAClearConflictWithNothingLost() throws Exception {
        local.sim.securityGroups().seedRule("203.0.113.7/32", 22, "SSH");
        local.sim.securityGroups().limitRules(1);
        JsonNode reply = invoke(handler(), event("ssh.json", null));
        assertEquals(409, reply.path("statusCode").asInt(), reply.toString());
        JsonNode body = WireFixture.JSON.readTree(reply.path("body").asText());
        assertEquals("ssh_rule_limit", body.path("error").asText());
        assertTrue(body.path("message").asText().contains("RulesPerSecurityGroupLimitExceeded"), body.toString());
        assertEquals("[203.0.113.7/32]", cidrs().toString());
    }

    @Test
    void hoursOutOfRangeIsABadRequestWithNoEc2Write() throws Exception {
        for (String hours : new String[] {"0", "13", "two", "-1"}) {
            JsonNode reply = invoke(handler(), event("ssh.json", "198.51.100.7", hours));
            assertEquals(400, reply.path("statusCode").asInt(), hours + ": " + reply);
        }
        assertEquals(0, local.sim.calls("AuthorizeSecurityGroupIngress"));
    }

    /** The sweep closes expired gpubox rules (within five minutes of the expiry) and leaves every other rule. */
    @Test
    void theSweepClosesExpiredRulesOnly() throws Exception {
        local.sim.securityGroups().seedRule("203.0.113.7/32", 22, "SSH");
        SshHandler ssh = handler();
        invoke(ssh, event("ssh.json", "198.51.100.1", "1"));
        invoke(ssh, event("ssh.json", "198.51.100.2", "4"));
        ScheduledStopHandler sweep = new ScheduledStopHandler(local.ec2, local.box, Notifier.NONE, time, Sleeper.REAL);

        time.advance(Duration.ofMinutes(59));
        runSweep(sweep);
        assertEquals("[203.0.113.7/32, 198.51.100.1/32, 198.51.100.2/32]", cidrs().toString(), "not yet expired");
        time.advance(Duration.ofMinutes(2));
        runSweep(sweep);
        assertEquals("[203.0.113.7/32, 198.51.100.2/32]", cidrs().toString(), "the 1-hour rule is gone, the rest stay");
        time.advance(Duration.ofHours(4));
        runSweep(sweep);
        assertEquals("[203.0.113.7/32]", cidrs().toString(), "SshCidr's rule is never the sweep's");
    }

    private static void runSweep(ScheduledStopHandler sweep) throws Exception {
        sweep.handleRequest(new ByteArrayInputStream("{\"trigger\":\"sweep\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null);
    }

    private List<String> cidrs() {
        return local.sim.securityGroups().rules().stream().map(SecurityGroups.Rule::cidrIpv4).toList();
    }

    private SshHandler handler() {
        return new SshHandler(local.ec2, local.box, Notifier.NONE, time);
    }

    private static byte[] event(String file, String sourceIp) throws Exception {
        return event(file, sourceIp, null);
    }

    /** The fixture as API Gateway sends it, with another caller address or hours where given. */
    private static byte[] event(String file, String sourceIp, String hours) throws Exception {
        ObjectNode event = (ObjectNode) WireFixture.JSON.readTree(EVENTS.resolve(file).toFile());
        if (sourceIp != null) {
            ((ObjectNode) event.path("requestContext").path("identity")).put("sourceIp", sourceIp);
        }
        if (hours != null) {
            event.set("queryStringParameters", WireFixture.JSON.valueToTree(Map.of("hours", hours)));
        } else if (sourceIp != null) {
            event.putNull("queryStringParameters");
        }
        return WireFixture.JSON.writeValueAsBytes(event);
    }

    private static JsonNode invoke(SshHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        JsonNode reply = WireFixture.JSON.readTree(out.toByteArray());
        assertNull(reply.get("errorMessage"), reply.toString());
        return reply;
    }
}
