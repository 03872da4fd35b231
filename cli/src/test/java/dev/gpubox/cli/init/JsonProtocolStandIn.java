package dev.gpubox.cli.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording stand-in for the two AWS JSON-protocol calls moto 5.2 lacks for init: SSM's public
 * {@code /aws/service/...} parameters (moto refuses PutParameter under /aws, as AWS does) and Service
 * Quotas' EC2 quotas (moto knows only VPC quotas, and has no RequestServiceQuotaIncrease or change history).
 * It answers the real SDK over HTTP, keeps filed requests as AWS does, and logs every call's target and body.
 */
final class JsonProtocolStandIn implements AutoCloseable {
    record Call(String target, String authorization, JsonNode body) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    final Map<String, String> parameters = new LinkedHashMap<>();
    final Map<String, Double> quotas = new LinkedHashMap<>();
    private final ArrayNode filed = json.createArrayNode();

    JsonProtocolStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (this) {
                calls.add(new Call(target, exchange.getRequestHeaders().getFirst("Authorization"), body));
            }
            int status = 200;
            Object reply;
            try {
                reply = answer(target.substring(target.indexOf('.') + 1), body);
            } catch (IllegalArgumentException e) {
                status = 400;
                reply = Map.of("__type", "NoSuchResourceException", "message", e.getMessage());
            }
            byte[] bytes = json.writeValueAsBytes(reply);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized List<Call> calls(String operation) {
        return calls.stream().filter(c -> c.target().endsWith("." + operation)).toList();
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    private synchronized Object answer(String operation, JsonNode body) {
        switch (operation) {
            case "GetParametersByPath" -> {
                // Two a page, as AWS pages (at most 10): init must follow NextToken.
                String path = body.path("Path").asText() + "/";
                List<String> names = parameters.keySet().stream().filter(n -> n.startsWith(path)).toList();
                int from = body.has("NextToken") ? Integer.parseInt(body.get("NextToken").asText()) : 0;
                ObjectNode reply = json.createObjectNode();
                ArrayNode page = reply.putArray("Parameters");
                names.subList(from, Math.min(from + 2, names.size())).forEach(n ->
                        page.addObject().put("Name", n).put("Value", parameters.get(n)).put("Type", "String"));
                if (from + 2 < names.size()) {
                    reply.put("NextToken", String.valueOf(from + 2));
                }
                return reply;
            }
            case "GetServiceQuota" -> {
                String code = body.path("QuotaCode").asText();
                if (!quotas.containsKey(code)) {
                    throw new IllegalArgumentException("no quota " + code);
                }
                ObjectNode reply = json.createObjectNode();
                reply.putObject("Quota").put("ServiceCode", "ec2").put("QuotaCode", code)
                        .put("QuotaName", "Running On-Demand G and VT instances").put("Value", quotas.get(code));
                return reply;
            }
            case "ListRequestedServiceQuotaChangeHistoryByQuota" -> {
                ObjectNode reply = json.createObjectNode();
                ArrayNode list = reply.putArray("RequestedQuotas");
                filed.forEach(r -> {
                    if (r.path("QuotaCode").asText().equals(body.path("QuotaCode").asText())) {
                        list.add(r);
                    }
                });
                return reply;
            }
            case "RequestServiceQuotaIncrease" -> {
                ObjectNode request = json.createObjectNode().put("Id", "req-" + (filed.size() + 1))
                        .put("ServiceCode", "ec2").put("QuotaCode", body.path("QuotaCode").asText())
                        .put("DesiredValue", body.path("DesiredValue").asDouble()).put("Status", "PENDING");
                filed.add(request);
                ObjectNode reply = json.createObjectNode();
                reply.set("RequestedQuota", request);
                return reply;
            }
            default -> throw new IllegalArgumentException("the stand-in does not answer " + operation);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
