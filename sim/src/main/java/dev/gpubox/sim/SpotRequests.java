package dev.gpubox.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Persistent Spot requests with {@code InstanceInterruptionBehavior: stop}, as the EC2 user guide's Spot
 * chapters describe them (issue 18): one request per Spot box, its state ({@code open}, {@code active},
 * {@code disabled}, {@code cancelled}) and status code, {@code DescribeSpotInstanceRequests},
 * {@code CancelSpotInstanceRequests}, and interruption.
 *
 * <ul>
 *   <li>A user stop leaves the request {@code active}/{@code marked-for-stop} until a moment after the box is
 *       stopped, then {@code disabled}/{@code instance-stopped-by-user}; a StartInstances before that is
 *       refused with {@code IncorrectSpotRequestState} (the delay behind hashicorp/terraform-provider-aws#33399).</li>
 *   <li>An interruption ({@link #interrupt}) sends the two-minute warning, marks the request
 *       {@code marked-for-stop}, then EC2 stops the box with state reason {@code Server.SpotInstanceShutdown};
 *       the request is {@code disabled}/{@code instance-stopped-no-capacity}. Only EC2 restarts such a box: a
 *       user StartInstances is refused ({@code IncorrectSpotRequestState}); when capacity returns
 *       ({@link #restoreCapacity}, or {@link #capacityReturnsAfter}) EC2 starts it itself.</li>
 *   <li>No Spot capacity refuses a user start with {@code InsufficientInstanceCapacity}, in Spot's words.</li>
 *   <li>Cancelling a request whose box is stopped terminates the box; cancelling one whose box runs leaves it
 *       running ("If you cancel a Spot Instance request … Amazon EC2 terminates any associated Spot Instances
 *       that are stopped"). A stopped Spot box's type cannot be changed.</li>
 * </ul>
 *
 * Every method runs under {@link Ec2State}'s lock: the public ones take it, the others are called holding it.
 */
public final class SpotRequests {
    /** EC2's warning: "two minutes before Amazon EC2 stops or terminates your Spot Instance". */
    public static final Duration TWO_MINUTES = Duration.ofMinutes(2);
    public static final String INTERRUPTION_WARNING = "EC2 Spot Instance Interruption Warning";
    public static final String REBALANCE_RECOMMENDATION = "EC2 Instance Rebalance Recommendation";
    static final String SHUTDOWN_REASON = "Server.SpotInstanceShutdown: The instance was stopped because the number"
            + " of Spot requests with a maximum price equal to or higher than the Spot price exceeded available"
            + " capacity or because of an increase in the Spot price.";
    static final String NO_SPOT_CAPACITY = "There is no Spot capacity available that matches your request.";
    private static final Pattern REQUEST_ID = Pattern.compile("sir-[0-9a-z]{8,17}");

    /**
     * An EventBridge event EC2 sends about a Spot box: {@link #INTERRUPTION_WARNING} (with its
     * {@code instance-action}, "stop") or {@link #REBALANCE_RECOMMENDATION} (no action).
     */
    public record Notice(String detailType, String instanceId, String instanceAction, Instant time) {
    }

    private static final class Request {
        final String id;
        final String instanceId;
        final Instant created;
        String state = "active";
        String status = "fulfilled";
        Instant updated;
        /** After a user stop: when the request goes disabled (the box stopped, plus the settle delay). */
        Instant settlesAt;
        /** A pending interruption: when EC2 stops the box. */
        Instant interruptAt;
        /** Armed by {@link #interruptWhenRunningFor}: interrupt once the run is this old. */
        Duration interruptAfterRunning;
        Duration armedWarning;

        Request(String id, String instanceId, Instant created) {
            this.id = id;
            this.instanceId = instanceId;
            this.created = created;
            this.updated = created;
        }
    }

    private final Ec2State ec2;
    private final Map<String, Request> requests = new LinkedHashMap<>();
    private final Map<String, Request> byInstance = new LinkedHashMap<>();
    private final List<Notice> notices = new ArrayList<>();
    private Duration settleAfterStop = Duration.ofSeconds(5);
    private boolean capacity = true;
    private Duration capacityReturnsAfter;
    private Instant capacityBackAt;
    private long serial = 0xa0000;

    SpotRequests(Ec2State ec2) {
        this.ec2 = ec2;
    }

    // ------------------------------------------------------------------ faults and helpers (not EC2's API)

    /** How long after a user stop's {@code stopped} the request stays {@code marked-for-stop}. */
    public SpotRequests settleAfterStop(Duration delay) {
        synchronized (ec2) {
            settleAfterStop = delay;
            return this;
        }
    }

    /** No Spot capacity for the box's pool until {@link #restoreCapacity}: user starts are refused. */
    public void removeCapacity() {
        synchronized (ec2) {
            capacity = false;
            capacityBackAt = null;
        }
    }

    /** Capacity is back: EC2 restarts every box it stopped for an interruption (when the simulator next looks). */
    public void restoreCapacity() {
        synchronized (ec2) {
            capacity = true;
            capacityBackAt = null;
        }
    }

    /** After each interruption's stop, capacity returns by itself this much later (null: only by {@link #restoreCapacity}). */
    public SpotRequests capacityReturnsAfter(Duration delay) {
        synchronized (ec2) {
            capacityReturnsAfter = delay;
            return this;
        }
    }

    /**
     * AWS reclaims the box now: the interruption warning goes out at once and EC2 stops the box
     * {@code warning} later (two minutes in EC2, best effort).
     */
    public void interrupt(String instanceId, Duration warning) {
        synchronized (ec2) {
            Request request = of(instanceId);
            begin(request, ec2.now(), warning);
        }
    }

    /** The next run of the box is interrupted once it has run {@code runningFor} (one interruption). */
    public void interruptWhenRunningFor(String instanceId, Duration runningFor, Duration warning) {
        synchronized (ec2) {
            Request request = of(instanceId);
            request.interruptAfterRunning = runningFor;
            request.armedWarning = warning;
        }
    }

    /** EC2 signals an elevated risk of interruption for the box ("EC2 Instance Rebalance Recommendation"). */
    public void recommendRebalance(String instanceId) {
        synchronized (ec2) {
            notices.add(new Notice(REBALANCE_RECOMMENDATION, of(instanceId).instanceId, null, ec2.now()));
        }
    }

    /** The Spot events EventBridge would have delivered since the last call. */
    public List<Notice> drainNotices() {
        synchronized (ec2) {
            ec2.advanceAll();
            List<Notice> drained = List.copyOf(notices);
            notices.clear();
            return drained;
        }
    }

    /** The box's request: its id, state and status code ("sir-…", "disabled", "instance-stopped-by-user"). */
    public List<String> requestOf(String instanceId) {
        synchronized (ec2) {
            ec2.advanceAll();
            Request r = of(instanceId);
            return List.of(r.id, r.state, r.status);
        }
    }

    // ------------------------------------------------------------------ hooks Ec2State calls, under its lock

    /** A new Spot box's persistent request: fulfilled by it, or disabled when it was seeded stopped. */
    String attach(String instanceId, Instant at, boolean stopped) {
        Request request = new Request(String.format("sir-%08x", serial++), instanceId, at);
        if (stopped) {
            set(request, "disabled", "instance-stopped-by-user", at);
        }
        requests.put(request.id, request);
        byInstance.put(instanceId, request);
        return request.id;
    }

    boolean isSpot(SimInstance box) {
        return byInstance.containsKey(box.id);
    }

    String requestIdOf(SimInstance box) {
        Request r = byInstance.get(box.id);
        return r == null ? null : r.id;
    }

    /** What EC2 answers a user StartInstances on a stopped Spot box that it cannot start. */
    void refuseStart(SimInstance box) {
        Request r = byInstance.get(box.id);
        if (r == null || !box.state.equals("stopped")) {
            return;
        }
        if (r.state.equals("cancelled") || r.status.equals("marked-for-stop")
                || r.status.equals("instance-stopped-no-capacity")) {
            // Right after a stop, and for a box EC2 stopped itself ("Only Amazon EC2 can restart an
            // interrupted stopped Spot Instance"): the request's state does not support a start.
            throw Ec2Error.client("IncorrectSpotRequestState", "You can't start the Spot Instance '" + box.id
                    + "' because the associated Spot Instance request is not in an appropriate state to support"
                    + " start.");
        }
        if (!capacity) {
            throw new Ec2Error(500, "InsufficientInstanceCapacity", NO_SPOT_CAPACITY);
        }
    }

    /** A stopped Spot box keeps its type ("you can modify some of its instance attributes, but not the instance type"). */
    void refuseTypeChange(SimInstance box) {
        if (isSpot(box)) {
            throw Ec2Error.client("UnsupportedOperation", "The instance '" + box.id + "' is a Spot Instance; its"
                    + " instance type cannot be changed.");
        }
    }

    /** A start was accepted (by the user or by EC2): the request is fulfilled by the box again. */
    void started(SimInstance box, Instant at) {
        Request r = byInstance.get(box.id);
        if (r != null) {
            set(r, "active", "fulfilled", at);
            r.settlesAt = null;
        }
    }

    void stoppedByUser(SimInstance box, Instant at) {
        Request r = byInstance.get(box.id);
        if (r != null) {
            set(r, "active", "marked-for-stop", at);
            r.interruptAt = null;
        }
    }

    /** The box just reached {@code stopped} at {@code at}. */
    void reachedStopped(SimInstance box, Instant at) {
        Request r = byInstance.get(box.id);
        if (r == null || !r.state.equals("active")) {
            return;
        }
        if (box.stateReason != null && box.stateReason.startsWith("Server.SpotInstanceShutdown")) {
            set(r, "disabled", "instance-stopped-no-capacity", at);
            capacity = false;
            capacityBackAt = capacityReturnsAfter == null ? null : at.plus(capacityReturnsAfter);
        } else if (r.status.equals("marked-for-stop")) {
            r.settlesAt = at.plus(settleAfterStop);
        } else {
            set(r, "disabled", "instance-stopped-by-user", at); // a shutdown from inside the box
        }
    }

    /**
     * Moves the box's request (and, for an interruption or EC2's restart, the box) on to what is due now.
     *
     * @return whether anything changed, so the caller looks again
     */
    boolean advance(SimInstance box, Instant now) {
        Request r = byInstance.get(box.id);
        if (r == null) {
            return false;
        }
        if (r.settlesAt != null && !now.isBefore(r.settlesAt)) {
            set(r, "disabled", "instance-stopped-by-user", r.settlesAt);
            r.settlesAt = null;
            return true;
        }
        if (r.interruptAfterRunning != null && box.state.equals("running")
                && !now.isBefore(box.launchTime.plus(r.interruptAfterRunning))) {
            Instant at = box.launchTime.plus(r.interruptAfterRunning);
            r.interruptAfterRunning = null;
            begin(r, at, r.armedWarning);
            return true;
        }
        if (r.interruptAt != null && !now.isBefore(r.interruptAt)) {
            Instant at = r.interruptAt;
            r.interruptAt = null;
            if (box.state.equals("running") || box.state.equals("pending")) {
                ec2.stopByEc2(box, at, SHUTDOWN_REASON);
            }
            return true;
        }
        if (!capacity && capacityBackAt != null && !now.isBefore(capacityBackAt)) {
            capacity = true;
            capacityBackAt = null;
            return true;
        }
        if (capacity && r.status.equals("instance-stopped-no-capacity") && box.state.equals("stopped")) {
            set(r, "open", "pending-fulfillment", now);
            ec2.startByEc2(box, now);
            return true;
        }
        return false;
    }

    private void begin(Request r, Instant at, Duration warning) {
        notices.add(new Notice(INTERRUPTION_WARNING, r.instanceId, "stop", at));
        set(r, "active", "marked-for-stop", at);
        r.interruptAt = at.plus(warning);
    }

    // ------------------------------------------------------------------ the EC2 API

    /** DescribeSpotInstanceRequests and CancelSpotInstanceRequests, rendered; called holding no lock. */
    String reply(String action, QueryRequest query, String requestId) {
        synchronized (ec2) {
            ec2.advanceAll();
            List<Request> chosen = chosen(query.list("SpotInstanceRequestId"));
            if (action.equals("CancelSpotInstanceRequests")) {
                if (chosen.isEmpty()) {
                    throw Ec2Error.client("MissingParameter",
                            "The request must contain the parameter spotInstanceRequestId");
                }
                chosen.forEach(this::cancel);
                return Xml.response(action, requestId, x -> x.set("spotInstanceRequestSet", chosen,
                        (rx, r) -> rx.leaf("spotInstanceRequestId", r.id).leaf("state", r.state)));
            }
            List<Request> matching = chosen.stream().filter(r -> matches(r, query.filters())).toList();
            return Xml.response(action, requestId, x -> x.set("spotInstanceRequestSet", matching, this::request));
        }
    }

    private void cancel(Request r) {
        if (r.state.equals("cancelled")) {
            return;
        }
        SimInstance box = ec2.instance(r.instanceId);
        boolean running = box.state.equals("running") || box.state.equals("pending");
        set(r, "cancelled", running ? "request-canceled-and-instance-running" : "instance-terminated-by-user",
                ec2.now());
        r.interruptAt = null;
        r.settlesAt = null;
        if (!running && !box.state.equals("terminated")) {
            ec2.terminateByEc2(box); // "Amazon EC2 terminates any associated Spot Instances that are stopped"
        }
    }

    private void request(Xml x, Request r) {
        SimInstance box = ec2.instance(r.instanceId);
        x.leaf("spotInstanceRequestId", r.id).leaf("type", "persistent").leaf("state", r.state)
                .open("status").leaf("code", r.status).leaf("updateTime", r.updated).leaf("message", message(r.status))
                .close("status")
                .open("launchSpecification").leaf("imageId", box.imageId).leaf("keyName", box.keyName)
                .leaf("instanceType", box.instanceType).open("placement").leaf("availabilityZone", "us-west-2a")
                .close("placement").close("launchSpecification")
                .leaf("instanceId", r.state.equals("open") && !box.state.equals("pending") ? null : r.instanceId)
                .leaf("createTime", r.created).leaf("productDescription", "Linux/UNIX")
                .leaf("launchedAvailabilityZone", "us-west-2a").leaf("instanceInterruptionBehavior", "stop");
    }

    /** The status messages of EC2's "Spot request status codes" table. */
    private static String message(String status) {
        return switch (status) {
            case "fulfilled" -> "Your spot request is fulfilled.";
            case "marked-for-stop" -> "Your Spot Instance is marked for stop.";
            case "instance-stopped-by-user" -> "Your Spot Instance was stopped because you stopped it.";
            case "instance-stopped-no-capacity" -> "Your Spot Instance was stopped because there was no"
                    + " longer enough Spot capacity available for the instance.";
            case "pending-fulfillment" -> "Your Spot request is pending fulfillment.";
            case "request-canceled-and-instance-running" -> "Spot Instance request was canceled while the"
                    + " Spot Instance was still running.";
            default -> "Your Spot Instance was terminated because you cancelled its request.";
        };
    }

    private List<Request> chosen(List<String> ids) {
        if (ids.isEmpty()) {
            return List.copyOf(requests.values());
        }
        List<Request> found = new ArrayList<>();
        for (String id : ids) {
            if (!REQUEST_ID.matcher(id).matches()) {
                throw Ec2Error.client("InvalidSpotInstanceRequestID.Malformed", "Invalid id: \"" + id + "\"");
            }
            Request r = requests.get(id);
            if (r == null) {
                throw Ec2Error.client("InvalidSpotInstanceRequestID.NotFound",
                        "The spot instance request ID '" + id + "' does not exist");
            }
            found.add(r);
        }
        return found;
    }

    private static boolean matches(Request r, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            boolean ok = switch (f.getKey()) {
                case "instance-id" -> f.getValue().contains(r.instanceId);
                case "state" -> f.getValue().contains(r.state);
                case "status-code" -> f.getValue().contains(r.status);
                case "spot-instance-request-id" -> f.getValue().contains(r.id);
                default -> throw Ec2Error.client("InvalidParameterValue", "The filter '" + f.getKey() + "' is invalid");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private Request of(String instanceId) {
        Request r = byInstance.get(instanceId);
        if (r == null) {
            throw new IllegalArgumentException(instanceId + " is not a Spot box (seed it with seedSpotInstance)");
        }
        return r;
    }

    private static void set(Request r, String state, String status, Instant at) {
        r.state = state;
        r.status = status;
        r.updated = at;
    }
}
