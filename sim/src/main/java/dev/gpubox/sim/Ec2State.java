package dev.gpubox.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The simulated account: instances and Elastic IPs with EC2's rules. Every method holds the one lock, so
 * concurrent requests see a consistent account. Transitions are not instant: a start leaves the instance
 * {@code pending} for {@code startDelay}, a stop leaves it {@code stopping} for {@code stopDelay}; the state
 * advances when it is next read, against the injected clock.
 */
public final class Ec2State {
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8}(?:[0-9a-f]{9})?");
    static final String INSUFFICIENT_CAPACITY =
            "Server.InsufficientInstanceCapacity: Insufficient capacity to satisfy the request.";
    private static final Pattern ALLOCATION_ID = Pattern.compile("eipalloc-[0-9a-f]{8,17}");

    private final Clock clock;
    private final Duration startDelay;
    private final Duration stopDelay;
    private final Map<String, SimInstance> instances = new LinkedHashMap<>();
    private final Map<String, SimAddress> addresses = new LinkedHashMap<>();
    /** Transitions to stopping, running or stopped, as EC2 reports them to EventBridge; see {@link #drainEvents()}. */
    private final List<StateEvent> events = new ArrayList<>();
    /** How many of the next starts EC2 accepts and then abandons for lack of capacity. */
    private int startsToFail;
    private String startFailReason = INSUFFICIENT_CAPACITY;
    private int staleAfterStarts;
    /** Types EC2 has no capacity for (issue 17): refused at StartInstances, or accepted and then abandoned. */
    private final Map<String, Boolean> soldOut = new LinkedHashMap<>();
    /** When set, pages come back short at random, as real EC2's may; see {@link #shortPages(long)}. */
    private java.util.Random shortPages;
    private long serial = 0x1000;
    /** Persistent Spot requests of the boxes seeded as Spot (issue 18); their model is its own class. */
    private final SpotRequests spot = new SpotRequests(this);
    private int nextEphemeralHost = 1;
    private int nextElasticHost = 10;

    public Ec2State(Clock clock, Duration startDelay, Duration stopDelay) {
        this.clock = clock;
        this.startDelay = startDelay;
        this.stopDelay = stopDelay;
    }

    // ------------------------------------------------------------------ seeding (not part of the EC2 API)

    /** Adds an instance as RunInstances would have left it, in {@code running} or {@code stopped}. */
    public synchronized String seedInstance(String instanceType, String keyName, String state, Map<String, String> tags) {
        String id = String.format("i-%017x", serial++);
        SimInstance box = new SimInstance(id, String.format("r-%017x", serial++), instanceType,
                "ami-0123456789abcdef0", keyName, "172.31." + (serial % 250) + "." + (serial % 200 + 10), state,
                clock.instant());
        box.tags.putAll(tags);
        if (state.equals("running")) {
            box.ephemeralIp = nextEphemeralIp();
        } else if (!state.equals("stopped")) {
            throw new IllegalArgumentException("seed instances running or stopped, not " + state);
        }
        instances.put(id, box);
        return id;
    }

    /** The same as a Spot instance: {@code InstanceLifecycle=spot}, kept by a persistent request ({@link SpotRequests}). */
    public synchronized String seedSpotInstance(String instanceType, String keyName, String state,
                                                Map<String, String> tags) {
        String id = seedInstance(instanceType, keyName, state, tags);
        spot.attach(id, clock.instant(), state.equals("stopped"));
        return id;
    }

    /**
     * Makes an instance already seeded (e.g. local mode's box) a Spot one, as if launched from a persistent
     * request: {@code InstanceLifecycle=spot} and its request, as {@link #seedSpotInstance} makes them.
     */
    public synchronized void makeSpot(String instanceId) {
        SimInstance box = instances.get(instanceId);
        if (box == null) {
            throw new IllegalArgumentException("no instance " + instanceId);
        }
        spot.attach(instanceId, clock.instant(), box.state.equals("stopped"));
    }

    /** The Spot requests and their faults (interruption, capacity). */
    public SpotRequests spotRequests() {
        return spot;
    }

    /**
     * The next {@code n} accepted starts go {@code pending}, then fall back to {@code stopped} with state
     * reason {@code Server.InsufficientInstanceCapacity}, as EC2 does when capacity runs out after the
     * StartInstances call succeeded.
     */
    public synchronized void failNextStarts(int n) {
        failNextStarts(n, INSUFFICIENT_CAPACITY);
    }

    /**
     * The same with another state reason, "Code: message" as EC2 gives it: e.g. {@code Client.InternalError}
     * (a volume encrypted with a KMS key the box cannot use), {@code Client.VolumeLimitExceeded},
     * {@code Server.InternalError}.
     */
    public synchronized void failNextStarts(int n, String stateReason) {
        startsToFail = n;
        startFailReason = stateReason;
    }

    /**
     * EC2 has no capacity for {@code instanceType} until {@link #restock}: a start of a box of that type is
     * refused at once with {@code InsufficientInstanceCapacity} or, with {@code afterAccepting}, goes
     * {@code pending} and falls back to {@code stopped} with {@code Server.InsufficientInstanceCapacity}.
     */
    public synchronized void soldOut(String instanceType, boolean afterAccepting) {
        soldOut.put(instanceType, afterAccepting);
    }

    public synchronized void restock(String instanceType) {
        soldOut.remove(instanceType);
    }

    /** A box's type now (it changes by ModifyInstanceAttribute). */
    public synchronized String typeOf(String instanceId) {
        return existing(List.of(instanceId)).get(0).instanceType;
    }

    /**
     * ModifyInstanceAttribute's instanceType: EC2 changes it only on a stopped instance
     * ({@code IncorrectInstanceState} otherwise), to a type it knows.
     */
    synchronized void modifyInstanceType(String instanceId, String instanceType) {
        SimInstance box = existing(List.of(instanceId)).get(0);
        advance(box);
        if (!box.state.equals("stopped")) {
            throw Ec2Error.client("IncorrectInstanceState", "The instance '" + box.id + "' is not in the 'stopped' state.");
        }
        spot.refuseTypeChange(box);
        if (!InstanceTypes.KNOWN.containsKey(instanceType)) {
            throw Ec2Error.client("InvalidParameterValue", "Value (" + instanceType
                    + ") for parameter instanceType is invalid.");
        }
        box.instanceType = instanceType;
    }

    /**
     * EC2 is eventually consistent: right after the next {@code n} accepted starts, one DescribeInstances
     * still shows the box as it was before (stopped, with its old state reason and launch time).
     */
    public synchronized void staleDescribeAfterNextStarts(int n) {
        staleAfterStarts = n;
    }

    /**
     * From now on a paged Describe (one with {@code MaxResults}) returns, at random from {@code seed}, from
     * none to a quarter of {@code MaxResults} items, with a {@code NextToken} while more remain: real EC2
     * may return fewer results than asked for, and a caller must follow the token, not count the items.
     */
    public synchronized void shortPages(long seed) {
        shortPages = new java.util.Random(seed);
    }

    // ------------------------------------------------------------------ instances

    synchronized Views.Page<Views.Instance> describeInstances(List<String> ids, Map<String, List<String>> filters,
                                                              Integer maxResults, String nextToken) {
        if (maxResults != null && !ids.isEmpty()) {
            throw Ec2Error.client("InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        if (maxResults != null && (maxResults < 5 || maxResults > 1000)) {
            throw Ec2Error.client("InvalidParameterValue", "Value ( " + maxResults
                    + " ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }
        List<SimInstance> chosen = ids.isEmpty() ? new ArrayList<>(instances.values()) : existing(ids);
        Predicate<SimInstance> matches = instanceFilter(filters);
        List<Views.Instance> all = chosen.stream().peek(this::advance).filter(matches).map(this::staleOrView).toList();
        return page(all, maxResults, nextToken);
    }

    /** The box as a Describe shows it: once after a start with {@link #staleDescribeAfterNextStarts}, as before. */
    private Views.Instance staleOrView(SimInstance box) {
        Views.Instance stale = box.staleView;
        box.staleView = null;
        return stale != null ? stale : view(box);
    }

    synchronized Views.Page<Views.Instance> describeInstanceStatus(List<String> ids, boolean includeAll,
                                                                   Integer maxResults, String nextToken) {
        List<SimInstance> chosen = ids.isEmpty() ? new ArrayList<>(instances.values()) : existing(ids);
        List<Views.Instance> all = chosen.stream().peek(this::advance)
                .filter(i -> includeAll || i.state.equals("running")).map(this::view).toList();
        return page(all, maxResults, nextToken);
    }

    synchronized List<Views.StateChange> startInstances(List<String> ids) {
        for (SimInstance box : existing(ids)) {
            advance(box);
            spot.refuseStart(box);
            if (box.state.equals("stopped") && Boolean.FALSE.equals(soldOut.get(box.instanceType))) {
                throw new Ec2Error(500, "InsufficientInstanceCapacity", "We currently do not have sufficient "
                        + box.instanceType + " capacity in the Availability Zone you requested (us-west-2a). Our"
                        + " system will be working on provisioning additional capacity.");
            }
        }
        return transition(ids, "started", List.of("stopped", "pending", "running"), "stopped", box -> {
            if (staleAfterStarts > 0) {
                staleAfterStarts--;
                box.staleView = view(box);
            }
            box.state = "pending";
            box.transitionAt = clock.instant().plus(startDelay);
            box.launchTime = clock.instant();
            box.stateReason = null;
            spot.started(box, clock.instant());
            box.startFailsWith = startsToFail > 0 ? startFailReason : null;
            if (box.startFailsWith != null) {
                startsToFail--;
            } else if (Boolean.TRUE.equals(soldOut.get(box.instanceType))) {
                box.startFailsWith = INSUFFICIENT_CAPACITY;
            }
            // EC2 hands out a fresh public address on every start; an Elastic IP is kept instead.
            box.ephemeralIp = addressOf(box.id) == null ? nextEphemeralIp() : null;
        });
    }

    synchronized List<Views.StateChange> stopInstances(List<String> ids) {
        return transition(ids, "stopped", List.of("running", "stopping", "stopped"), "running", box -> {
            box.state = "stopping";
            box.transitionAt = clock.instant().plus(stopDelay);
            // EC2 reports "stopping" too: the moment a stop took effect, which tests hold to the deadline.
            events.add(new StateEvent(box.id, "stopping", clock.instant()));
            box.stateReason = "Client.UserInitiatedShutdown: User initiated shutdown";
            spot.stoppedByUser(box, clock.instant());
        });
    }

    /**
     * EC2's rule for StartInstances and StopInstances: all-or-nothing over the ids, an error if any box is in
     * a state outside {@code allowed}, and only boxes in {@code from} change; the others report their state.
     */
    private List<Views.StateChange> transition(List<String> ids, String verb, List<String> allowed, String from,
                                               java.util.function.Consumer<SimInstance> change) {
        List<SimInstance> boxes = existing(ids);
        boxes.forEach(this::advance);
        for (SimInstance box : boxes) {
            if (!allowed.contains(box.state)) {
                throw Ec2Error.client("IncorrectInstanceState",
                        "The instance '" + box.id + "' is not in a state from which it can be " + verb + ".");
            }
        }
        List<Views.StateChange> changes = new ArrayList<>();
        for (SimInstance box : boxes) {
            String previous = box.state;
            int previousCode = box.stateCode();
            if (previous.equals(from)) {
                change.accept(box);
            }
            changes.add(new Views.StateChange(box.id, previous, previousCode, box.state, box.stateCode()));
        }
        return changes;
    }

    synchronized void createTags(List<String> resourceIds, Map<String, String> tags) {
        for (String id : resourceIds) {
            tagsOf(id).putAll(tags);
        }
    }

    synchronized void deleteTags(List<String> resourceIds, Map<String, String> tags) {
        for (String id : resourceIds) {
            Map<String, String> current = tagsOf(id);
            // A tag given with a value is deleted only when the value matches; without one, always.
            tags.forEach((key, value) -> current.computeIfPresent(key,
                    (k, existing) -> value == null || value.equals(existing) ? null : existing));
        }
    }

    // ------------------------------------------------------------------ Elastic IPs

    public synchronized String allocateAddress(Map<String, String> tags) {
        String allocationId = String.format("eipalloc-%017x", serial++);
        SimAddress address = new SimAddress(allocationId, "203.0.113." + nextElasticHost++);
        address.tags.putAll(tags);
        addresses.put(allocationId, address);
        return allocationId;
    }

    synchronized Views.Address allocateAddressView() {
        return view(addresses.get(allocateAddress(Map.of())));
    }

    synchronized List<Views.Address> describeAddresses(List<String> allocationIds, List<String> publicIps,
                                                       Map<String, List<String>> filters) {
        List<SimAddress> chosen = new ArrayList<>();
        if (allocationIds.isEmpty() && publicIps.isEmpty()) {
            chosen.addAll(addresses.values());
        }
        for (String allocationId : allocationIds) {
            chosen.add(address(allocationId));
        }
        for (String ip : publicIps) {
            chosen.add(addresses.values().stream().filter(a -> a.publicIp.equals(ip)).findFirst()
                    .orElseThrow(() -> Ec2Error.client("InvalidAddress.NotFound",
                            "Address '" + ip + "' not found.")));
        }
        return chosen.stream().filter(a -> addressMatches(a, filters)).map(this::view).toList();
    }

    public synchronized String associateAddress(String allocationId, String instanceId, boolean allowReassociation) {
        if (allocationId == null || instanceId == null) {
            throw Ec2Error.client("MissingParameter", allocationId == null
                    ? "Either public IP or allocation id must be specified"
                    : "Either instance ID or network interface id must be specified");
        }
        SimAddress address = address(allocationId);
        SimInstance box = existing(List.of(instanceId)).get(0);
        advance(box);
        if (box.state.equals("terminated") || box.state.equals("shutting-down")) {
            throw Ec2Error.client("IncorrectInstanceState",
                    "The instance '" + instanceId + "' is not in a valid state for this operation.");
        }
        if (instanceId.equals(address.instanceId)) {
            return address.associationId;
        }
        if (address.instanceId != null && !allowReassociation) {
            throw Ec2Error.client("Resource.AlreadyAssociated", "resource " + allocationId
                    + " is already associated with associate-id " + address.associationId);
        }
        if (address.instanceId != null) {
            release(address);
        }
        // An instance holds one primary public address: a previous Elastic IP is moved off it.
        SimAddress previous = addressOf(instanceId);
        if (previous != null) {
            release(previous);
        }
        address.instanceId = instanceId;
        address.associationId = String.format("eipassoc-%017x", serial++);
        box.ephemeralIp = null;
        return address.associationId;
    }

    synchronized void disassociateAddress(String associationId, String publicIp) {
        SimAddress address = addresses.values().stream()
                .filter(a -> associationId != null ? associationId.equals(a.associationId)
                        : publicIp != null && publicIp.equals(a.publicIp))
                .findFirst()
                .orElseThrow(() -> associationId != null
                        ? Ec2Error.client("InvalidAssociationID.NotFound",
                        "The association ID '" + associationId + "' does not exist")
                        : Ec2Error.client("MissingParameter", "Either public IP or association id must be specified"));
        if (address.instanceId != null) {
            release(address);
        }
    }

    // ------------------------------------------------------------------ test and demo helpers

    /** The state an instance is in now, advancing it first. */
    public synchronized String stateOf(String instanceId) {
        SimInstance box = existing(List.of(instanceId)).get(0);
        advance(box);
        return box.state;
    }

    public synchronized String publicIpOf(String instanceId) {
        SimInstance box = existing(List.of(instanceId)).get(0);
        advance(box);
        return publicIp(box);
    }

    /**
     * {@code shutdown -h now} on the box (the idle watchdog): with {@code InstanceInitiatedShutdownBehavior:
     * stop}, EC2 stops it with state reason {@code Client.InstanceInitiatedShutdown}. No API call is made, so
     * none is counted. Does nothing unless the box is running (a box that is not up cannot shut itself down).
     *
     * @return whether the box began stopping
     */
    public synchronized boolean shutDownFromInside(String instanceId) {
        SimInstance box = existing(List.of(instanceId)).get(0);
        advance(box);
        if (!box.state.equals("running")) {
            return false;
        }
        box.state = "stopping";
        box.transitionAt = clock.instant().plus(stopDelay);
        events.add(new StateEvent(box.id, "stopping", clock.instant()));
        box.stateReason = "Client.InstanceInitiatedShutdown: Instance initiated shutdown";
        return true;
    }

    /** An "EC2 Instance State-change Notification": the instance reached {@code state} at {@code time}. */
    public record StateEvent(String instanceId, String state, Instant time) {
    }

    /**
     * Completes every transition that is due and returns the state-change events since the last call —
     * what EventBridge would have delivered — so that a caller outside the lock can act on them.
     */
    public synchronized List<StateEvent> drainEvents() {
        instances.values().forEach(this::advance);
        List<StateEvent> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    public synchronized long count(String state) {
        instances.values().forEach(this::advance);
        return instances.values().stream().filter(i -> i.state.equals(state)).count();
    }

    // ------------------------------------------------------------------ internals

    private void release(SimAddress address) {
        SimInstance holder = instances.get(address.instanceId);
        address.instanceId = null;
        address.associationId = null;
        if (holder != null && (holder.state.equals("running") || holder.state.equals("pending"))) {
            holder.ephemeralIp = nextEphemeralIp();
        }
    }

    // ------------------------------------------------------------------ what EC2 does by itself (SpotRequests)

    Instant now() {
        return clock.instant();
    }

    void advanceAll() {
        instances.values().forEach(this::advance);
    }

    SimInstance instance(String id) {
        return existing(List.of(id)).get(0);
    }

    /** EC2 stops the box itself (a Spot interruption) at {@code at}, with this state reason. */
    void stopByEc2(SimInstance box, Instant at, String stateReason) {
        box.state = "stopping";
        box.transitionAt = at.plus(stopDelay);
        box.startFailsWith = null;
        box.stateReason = stateReason;
        events.add(new StateEvent(box.id, "stopping", at));
    }

    /** EC2 starts the box itself (capacity returned for an interrupted Spot box) at {@code at}. */
    void startByEc2(SimInstance box, Instant at) {
        box.state = "pending";
        box.transitionAt = at.plus(startDelay);
        box.launchTime = at;
        box.stateReason = null;
        box.ephemeralIp = addressOf(box.id) == null ? nextEphemeralIp() : null;
        spot.started(box, at);
    }

    /** EC2 terminates the box (its Spot request was cancelled while it was stopped); its Elastic IP comes off. */
    void terminateByEc2(SimInstance box) {
        SimAddress eip = addressOf(box.id);
        if (eip != null) {
            eip.instanceId = null;
            eip.associationId = null;
        }
        box.state = "terminated";
        box.transitionAt = null;
        box.ephemeralIp = null;
        box.stateReason = "Client.UserInitiatedShutdown: User initiated shutdown";
        events.add(new StateEvent(box.id, "terminated", clock.instant()));
    }

    private void advance(SimInstance box) {
        // A Spot box's request (and EC2's own stop or start of it) moves too; each step consumes a due time.
        while (spot.advance(box, clock.instant()) | advanceTransition(box)) {
            // again, until nothing is due
        }
    }

    private boolean advanceTransition(SimInstance box) {
        if (box.transitionAt == null || clock.instant().isBefore(box.transitionAt)) {
            return false;
        }
        Instant at = box.transitionAt;
        box.transitionAt = null;
        if (box.state.equals("pending") && box.startFailsWith != null) {
            box.state = "stopped";
            box.ephemeralIp = null;
            box.stateReason = box.startFailsWith;
            box.startFailsWith = null;
        } else if (box.state.equals("pending")) {
            box.state = "running";
        } else if (box.state.equals("stopping")) {
            box.state = "stopped";
            box.ephemeralIp = null;
        }
        if (box.state.equals("stopped")) {
            spot.reachedStopped(box, at);
        }
        events.add(new StateEvent(box.id, box.state, at));
        return true;
    }

    private List<SimInstance> existing(List<String> ids) {
        List<String> missing = new ArrayList<>();
        List<SimInstance> found = new ArrayList<>();
        for (String id : ids) {
            if (!INSTANCE_ID.matcher(id).matches()) {
                throw Ec2Error.client("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
            }
            SimInstance box = instances.get(id);
            if (box == null) {
                missing.add(id);
            } else {
                found.add(box);
            }
        }
        if (missing.size() == 1) {
            throw Ec2Error.client("InvalidInstanceID.NotFound",
                    "The instance ID '" + missing.get(0) + "' does not exist");
        }
        if (!missing.isEmpty()) {
            throw Ec2Error.client("InvalidInstanceID.NotFound",
                    "The instance IDs '" + String.join(", ", missing) + "' do not exist");
        }
        return found;
    }

    private SimAddress address(String allocationId) {
        if (!ALLOCATION_ID.matcher(allocationId).matches()) {
            throw Ec2Error.client("InvalidAllocationID.Malformed", "Invalid id: \"" + allocationId + "\"");
        }
        SimAddress address = addresses.get(allocationId);
        if (address == null) {
            throw Ec2Error.client("InvalidAllocationID.NotFound",
                    "The allocation ID '" + allocationId + "' does not exist");
        }
        return address;
    }

    private Map<String, String> tagsOf(String resourceId) {
        if (instances.containsKey(resourceId)) {
            return instances.get(resourceId).tags;
        }
        if (addresses.containsKey(resourceId)) {
            return addresses.get(resourceId).tags;
        }
        throw Ec2Error.client("InvalidID", "The ID '" + resourceId + "' is not valid");
    }

    private SimAddress addressOf(String instanceId) {
        return addresses.values().stream().filter(a -> instanceId.equals(a.instanceId)).findFirst().orElse(null);
    }

    private String publicIp(SimInstance box) {
        SimAddress eip = addressOf(box.id);
        return eip != null ? eip.publicIp : box.ephemeralIp;
    }

    private String nextEphemeralIp() {
        // Never the same address twice in a row: that is the pain an Elastic IP removes.
        int host = nextEphemeralHost++ % 254 + 1;
        return "198.51.100." + host;
    }

    private static Predicate<SimInstance> instanceFilter(Map<String, List<String>> filters) {
        Predicate<SimInstance> all = i -> true;
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            String name = f.getKey();
            List<String> values = f.getValue();
            Predicate<SimInstance> one;
            if (name.startsWith("tag:")) {
                String key = name.substring(4);
                one = i -> i.tags.containsKey(key) && values.contains(i.tags.get(key));
            } else {
                one = switch (name) {
                    case "instance-state-name" -> i -> values.contains(i.state);
                    case "instance-id" -> i -> values.contains(i.id);
                    case "instance-type" -> i -> values.contains(i.instanceType);
                    case "tag-key" -> i -> i.tags.keySet().stream().anyMatch(values::contains);
                    default -> throw Ec2Error.client("InvalidParameterValue",
                            "The filter '" + name + "' is invalid");
                };
            }
            all = all.and(one);
        }
        return all;
    }

    private boolean addressMatches(SimAddress address, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            String name = f.getKey();
            boolean ok;
            if (name.startsWith("tag:")) {
                ok = f.getValue().contains(address.tags.get(name.substring(4)));
            } else {
                ok = switch (name) {
                    case "allocation-id" -> f.getValue().contains(address.allocationId);
                    case "public-ip" -> f.getValue().contains(address.publicIp);
                    case "instance-id" -> f.getValue().contains(address.instanceId);
                    case "domain" -> f.getValue().contains("vpc");
                    default -> throw Ec2Error.client("InvalidParameterValue", "The filter '" + name + "' is invalid");
                };
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private <T> Views.Page<T> page(List<T> all, Integer maxResults, String nextToken) {
        int from = 0;
        if (nextToken != null && !nextToken.isEmpty()) {
            try {
                from = Integer.parseInt(new String(java.util.Base64.getUrlDecoder().decode(nextToken)));
            } catch (IllegalArgumentException e) {
                throw Ec2Error.client("InvalidParameterValue", "The token '" + nextToken + "' is invalid");
            }
        }
        int size = maxResults == null ? all.size() : maxResults;
        if (maxResults != null && shortPages != null) {
            size = shortPages.nextInt(maxResults / 4 + 1);
        }
        int to = Math.min(all.size(), from + size);
        String next = to < all.size()
                ? java.util.Base64.getUrlEncoder().encodeToString(Integer.toString(to).getBytes()) : null;
        return new Views.Page<>(all.subList(Math.min(from, all.size()), to), next);
    }

    private Views.Instance view(SimInstance box) {
        SimAddress eip = addressOf(box.id);
        return new Views.Instance(box.id, box.reservationId, box.instanceType, box.imageId, box.keyName, box.privateIp,
                eip != null ? eip.publicIp : box.ephemeralIp, box.state, box.stateCode(), box.launchTime.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                Map.copyOf(box.tags), box.stateReason, spot.requestIdOf(box));
    }

    private Views.Address view(SimAddress address) {
        SimInstance holder = address.instanceId == null ? null : instances.get(address.instanceId);
        return new Views.Address(address.allocationId, address.publicIp, address.instanceId, address.associationId,
                holder == null ? null : holder.privateIp, Map.copyOf(address.tags));
    }
}
