package dev.gpubox.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for EC2 that the real AWS SDK talks to over HTTP: the Query API ({@code Action=...&Version=
 * 2016-11-15}, form-encoded), XML replies in EC2's namespace, and EC2's error envelope. It models the
 * actions gpubox uses, with EC2's state rules and timing ({@link Ec2State}), and injectable faults
 * ({@link Faults}). It listens on loopback only.
 */
public final class Ec2Simulator implements AutoCloseable {
    /** The EC2 actions the simulator models (and a fault can target, besides "*" for any). */
    public static final Set<String> ACTIONS = Set.of("DescribeInstances", "DescribeInstanceStatus", "StartInstances",
            "StopInstances", "DescribeAddresses", "AllocateAddress", "AssociateAddress", "DisassociateAddress",
            "CreateTags", "DeleteTags", "ModifyInstanceAttribute", "DescribeInstanceTypes",
            "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "DescribeSecurityGroupRules",
            "DescribeSpotInstanceRequests", "CancelSpotInstanceRequests", "DescribeSpotPriceHistory");
    /** Real EC2 actions the simulator knows of but does not model; answered as AWS answers an unsupported call. */
    private static final Set<String> UNMODELLED = Set.of("RunInstances", "TerminateInstances", "RebootInstances",
            "ReleaseAddress", "DescribeImages", "DescribeVolumes", "CreateImage");

    private final Ec2State state;
    private final Faults faults = new Faults();
    private final SecurityGroups securityGroups = new SecurityGroups();
    private final SpotPrices spotPrices = new SpotPrices();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService executor;

    private Ec2Simulator(Ec2State state, HttpServer server) {
        this.state = state;
        this.server = server;
        this.executor = Executors.newFixedThreadPool(8, runnable -> {
            Thread t = new Thread(runnable, "ec2-simulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * @param port       0 for any free port
     * @param startDelay how long a started instance stays {@code pending}
     * @param stopDelay  how long a stopped instance stays {@code stopping}
     */
    public static Ec2Simulator start(int port, Clock clock, Duration startDelay, Duration stopDelay) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        Ec2Simulator simulator = new Ec2Simulator(new Ec2State(clock, startDelay, stopDelay), server);
        server.start();
        return simulator;
    }

    /**
     * The same simulator served over TLS with {@code tls}'s certificate, as real EC2 endpoints are: what the
     * benchmark measures, so a client's handshake is part of the figures.
     */
    public static Ec2Simulator startTls(int port, Clock clock, Duration startDelay, Duration stopDelay,
                                        SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        Ec2Simulator simulator = new Ec2Simulator(new Ec2State(clock, startDelay, stopDelay), server);
        server.start();
        return simulator;
    }

    public URI endpoint() {
        return URI.create((server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:"
                + server.getAddress().getPort());
    }

    public Ec2State state() {
        return state;
    }

    /** The box's security group and its ingress rules (POST /ssh). */
    public SecurityGroups securityGroups() {
        return securityGroups;
    }

    /** The Spot price history (DescribeSpotPriceHistory), and which instances are Spot ones. */
    public SpotPrices spotPrices() {
        return spotPrices;
    }

    public Faults faults() {
        return faults;
    }

    /** How many requests of an action arrived (faulted ones included). */
    public int calls(String action) {
        AtomicInteger n = calls.get(action);
        return n == null ? 0 : n.get();
    }

    /** How many requests arrived at all, of any action or none: what "no EC2 call" is counted by. */
    public int totalCalls() {
        return requests.get();
    }

    /** Every action that arrived since the last reset, with its count, in name order. */
    public Map<String, Integer> callsByAction() {
        Map<String, Integer> byAction = new TreeMap<>();
        calls.forEach((action, n) -> byAction.put(action, n.get()));
        return byAction;
    }

    public void resetCalls() {
        requests.set(0);
        calls.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String requestId = UUID.randomUUID().toString();
        int status = 200;
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            String form = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (exchange.getRequestURI().getRawQuery() != null) {
                form = form.isEmpty() ? exchange.getRequestURI().getRawQuery()
                        : form + "&" + exchange.getRequestURI().getRawQuery();
            }
            QueryRequest request = QueryRequest.parse(form);
            String action = request.get("Action");
            try {
                if (action == null || action.isEmpty()) {
                    throw Ec2Error.client("MissingAction", "The request must contain the parameter Action");
                }
                calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
                if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                    throw new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
                }
                sleep(faults.delay(action));
                Ec2Error fault = faults.take(action, request.list("InstanceId"));
                if (fault != null) {
                    throw fault;
                }
                body = dispatch(action, request, requestId);
            } catch (Ec2Error e) {
                status = e.status();
                body = Xml.error(e.code(), e.getMessage(), requestId);
            }
        } catch (RuntimeException bug) {
            status = 500;
            body = Xml.error("InternalError", "simulator fault: " + bug, requestId);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String dispatch(String action, QueryRequest r, String requestId) {
        return switch (action) {
            case "DescribeInstances" -> {
                Views.Page<Views.Instance> page = state.describeInstances(r.list("InstanceId"), r.filters(),
                        r.integer("MaxResults"), r.get("NextToken"));
                yield Xml.response(action, requestId, x -> {
                    x.set("reservationSet", page.items(), (rx, i) -> rx.leaf("reservationId", i.reservationId())
                            .leaf("ownerId", "123456789012").open("groupSet").close("groupSet")
                            .set("instancesSet", List.of(i), Ec2Simulator::instance));
                    x.leaf("nextToken", page.nextToken());
                });
            }
            case "DescribeInstanceStatus" -> {
                Views.Page<Views.Instance> page = state.describeInstanceStatus(r.list("InstanceId"),
                        r.bool("IncludeAllInstances"), r.integer("MaxResults"), r.get("NextToken"));
                yield Xml.response(action, requestId, x -> {
                    x.set("instanceStatusSet", page.items(), (ix, i) -> {
                        String health = i.state().equals("running") ? "ok" : "not-applicable";
                        ix.leaf("instanceId", i.id()).leaf("availabilityZone", "us-west-2a")
                                .state("instanceState", i.state(), i.stateCode())
                                .open("systemStatus").leaf("status", health).close("systemStatus")
                                .open("instanceStatus").leaf("status", health).close("instanceStatus");
                    });
                    x.leaf("nextToken", page.nextToken());
                });
            }
            case "StartInstances", "StopInstances" -> {
                List<String> ids = r.list("InstanceId");
                if (ids.isEmpty()) {
                    throw Ec2Error.client("MissingParameter", "The request must contain the parameter InstanceId");
                }
                List<Views.StateChange> changes = action.equals("StartInstances")
                        ? state.startInstances(ids) : state.stopInstances(ids);
                yield Xml.response(action, requestId, x -> x.set("instancesSet", changes,
                        (cx, c) -> cx.leaf("instanceId", c.instanceId())
                                .state("currentState", c.current(), c.currentCode())
                                .state("previousState", c.previous(), c.previousCode())));
            }
            case "DescribeAddresses" -> {
                List<Views.Address> list = state.describeAddresses(r.list("AllocationId"), r.list("PublicIp"),
                        r.filters());
                yield Xml.response(action, requestId, x -> x.set("addressesSet", list, Ec2Simulator::address));
            }
            case "AllocateAddress" -> {
                Views.Address a = state.allocateAddressView();
                yield Xml.response(action, requestId, x -> x.leaf("publicIp", a.publicIp()).leaf("domain", "vpc")
                        .leaf("allocationId", a.allocationId()).leaf("networkBorderGroup", "us-west-2")
                        .leaf("publicIpv4Pool", "amazon"));
            }
            case "AssociateAddress" -> {
                String associationId = state.associateAddress(r.get("AllocationId"), r.get("InstanceId"),
                        r.bool("AllowReassociation"));
                yield Xml.response(action, requestId, x -> x.leaf("return", true)
                        .leaf("associationId", associationId));
            }
            case "DisassociateAddress" -> {
                state.disassociateAddress(r.get("AssociationId"), r.get("PublicIp"));
                yield Xml.response(action, requestId, x -> x.leaf("return", true));
            }
            case "CreateTags", "DeleteTags" -> {
                if (action.equals("CreateTags")) {
                    state.createTags(r.list("ResourceId"), r.tags());
                } else {
                    state.deleteTags(r.list("ResourceId"), r.tags());
                }
                yield Xml.response(action, requestId, x -> x.leaf("return", true));
            }
            case "ModifyInstanceAttribute" -> {
                // The SDK sends InstanceType.Value; the older form is Attribute=instanceType&Value=...
                String type = r.get("InstanceType.Value") != null ? r.get("InstanceType.Value")
                        : "instanceType".equals(r.get("Attribute")) ? r.get("Value") : null;
                if (r.get("InstanceId") == null) {
                    throw Ec2Error.client("MissingParameter", "The request must contain the parameter InstanceId");
                }
                if (type == null) {
                    throw Ec2Error.client("UnsupportedOperation",
                            "The gpubox EC2 simulator models only the instanceType attribute (see docs/local.md).");
                }
                state.modifyInstanceType(r.get("InstanceId"), type);
                yield Xml.response(action, requestId, x -> x.leaf("return", true));
            }
            case "DescribeInstanceTypes" -> {
                List<InstanceTypes.Info> types = InstanceTypes.describe(r.list("InstanceType"));
                yield Xml.response(action, requestId, x -> x.set("instanceTypeSet", types, (tx, t) -> tx
                        .leaf("instanceType", t.name()).leaf("currentGeneration", true)
                        .set("supportedVirtualizationTypes", List.of("hvm"), Xml::text)
                        .open("processorInfo").set("supportedArchitectures", List.of(t.architecture()), Xml::text)
                        .close("processorInfo")
                        .open("ebsInfo").leaf("nvmeSupport", t.nvme()).close("ebsInfo")
                        .open("networkInfo").leaf("enaSupport", t.ena()).close("networkInfo")));
            }
            case "AuthorizeSecurityGroupIngress" -> {
                List<SecurityGroups.Rule> added = securityGroups.authorize(r);
                yield Xml.response(action, requestId, x -> x.leaf("return", true)
                        .set("securityGroupRuleSet", added, SecurityGroups::rule));
            }
            case "RevokeSecurityGroupIngress" -> {
                securityGroups.revoke(r);
                yield Xml.response(action, requestId, x -> x.leaf("return", true));
            }
            case "DescribeSpotPriceHistory" -> spotPrices.describe(r, requestId);
            case "DescribeSecurityGroupRules" -> {
                List<SecurityGroups.Rule> found = securityGroups.describe(r);
                yield Xml.response(action, requestId, x -> x.set("securityGroupRuleSet", found, SecurityGroups::rule));
            }
            case "DescribeSpotInstanceRequests", "CancelSpotInstanceRequests" ->
                    state.spotRequests().reply(action, r, requestId);
            default -> throw UNMODELLED.contains(action)
                    ? Ec2Error.client("UnsupportedOperation",
                    "The gpubox EC2 simulator does not model " + action + " (see docs/local.md).")
                    : Ec2Error.client("InvalidAction", "The action " + action + " is not valid for this web service.");
        };
    }

    private static void instance(Xml x, Views.Instance i) {
        x.leaf("instanceId", i.id()).leaf("imageId", i.imageId()).state("instanceState", i.state(), i.stateCode())
                .leaf("privateDnsName", "ip-" + i.privateIp().replace('.', '-') + ".us-west-2.compute.internal")
                .leaf("dnsName", i.publicIp() == null ? null : "ec2-" + i.publicIp().replace('.', '-')
                        + ".us-west-2.compute.amazonaws.com")
                .leaf("reason", i.stateReason() == null ? null
                        : i.stateReason().startsWith("Client.UserInitiated") ? "User initiated" : i.stateReason())
                .leaf("keyName", i.keyName()).leaf("amiLaunchIndex", 0).leaf("instanceType", i.type())
                .leaf("launchTime", i.launchTime())
                .open("placement").leaf("availabilityZone", "us-west-2a").leaf("tenancy", "default").close("placement")
                .open("monitoring").leaf("state", "disabled").close("monitoring")
                .leaf("subnetId", "subnet-0123456789abcdef0").leaf("vpcId", "vpc-0123456789abcdef0")
                .leaf("privateIpAddress", i.privateIp()).leaf("ipAddress", i.publicIp())
                .open("groupSet").open("item").leaf("groupId", SecurityGroups.BOX_GROUP)
                .leaf("groupName", SecurityGroups.GROUP_NAME).close("item").close("groupSet")
                .leaf("architecture", "x86_64").leaf("rootDeviceType", "ebs").leaf("rootDeviceName", "/dev/sda1")
                .leaf("instanceLifecycle", i.spotRequestId() == null ? null : "spot")
                .leaf("spotInstanceRequestId", i.spotRequestId());
        if (i.stateReason() != null) {
            String code = i.stateReason().substring(0, Math.max(0, i.stateReason().indexOf(':')));
            x.open("stateReason").leaf("code", code).leaf("message", i.stateReason())
                    .close("stateReason");
        }
        x.tags(i.tags());
    }

    private static void address(Xml x, Views.Address a) {
        x.leaf("publicIp", a.publicIp()).leaf("allocationId", a.allocationId()).leaf("domain", "vpc")
                .leaf("instanceId", a.instanceId()).leaf("associationId", a.associationId())
                .leaf("privateIpAddress", a.privateIp()).tags(a.tags())
                .leaf("networkBorderGroup", "us-west-2").leaf("publicIpv4Pool", "amazon");
    }

    private static void sleep(Duration delay) {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
