package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The one place that knows about the box in EC2: find it, read its state, start it, stop it, keep the
 * Elastic IP attached, snooze its nightly stop ({@link NightlyStop} does the stopping). Every AWS failure
 * leaves here as a {@link BoxException}; a failed start or stop is also sent as a notice.
 */
public final class BoxControl {
    /** API Gateway gives up after 29 s; 25 s of waiting leaves room for the calls around it. */
    public static final int MAX_WAIT_SECONDS = 25;
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Notifier notifier;
    private final MonthlyBudget budget;
    /** This container's Spot prices, read at most hourly: what a Spot box's replies and estimates use. */
    private final SpotPrices spotPrices;

    public BoxControl(Ec2Client ec2, BoxConfig config) {
        this(ec2, config, Clock.systemUTC(), Sleeper.REAL, Notifier.NONE);
    }

    public BoxControl(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(ec2, config, Clock.systemUTC(), Sleeper.REAL, notifier);
    }

    public BoxControl(Ec2Client ec2, BoxConfig config, Clock clock, Sleeper sleeper) {
        this(ec2, config, clock, sleeper, Notifier.NONE);
    }

    public BoxControl(Ec2Client ec2, BoxConfig config, Clock clock, Sleeper sleeper, Notifier notifier) {
        this(ec2, config, clock, sleeper, notifier, MonthlyBudget.off(config));
    }

    /** With the month's spend and its cap ({@link MonthlyBudget}): status shows it, a start over it is refused. */
    public BoxControl(Ec2Client ec2, BoxConfig config, Clock clock, Sleeper sleeper, Notifier notifier,
                      MonthlyBudget budget) {
        this.ec2 = ec2;
        this.config = config;
        this.clock = clock;
        this.sleeper = sleeper;
        this.notifier = notifier;
        this.budget = budget;
        this.spotPrices = new SpotPrices(() -> ec2, clock);
    }

    /** The stack's settings this control runs with: SnapStart priming walks the route with the function's own. */
    public BoxConfig.Settings settings() {
        return config.settings();
    }

    public BoxStatus status() {
        return status(describeBox());
    }

    /** Status and the morning start's schedule (null without StartTime), from one DescribeInstances. */
    public StatusWithSchedule statusWithSchedule() {
        Instance box = describeBox();
        BoxStatus now = status(box);
        // A Spot box's request, for /status alone (the one function granted ec2:DescribeSpotInstanceRequests).
        BoxStatus withSpot = SpotInstance.isSpot(box) ? now.withSpot(SpotStatus.lookUp(ec2, box)) : now;
        return new StatusWithSchedule(withSpot, MorningSchedule.of(box, config.policy().zone(), clock.instant()));
    }

    /** The status reply's parts: the box, and its morning start. */
    public record StatusWithSchedule(BoxStatus box, MorningSchedule schedule) {
    }

    /** {@code POST /schedule/pause?until=YYYY-MM-DD}: no morning start through that day ({@link SchedulePause}). */
    public ActionResult pauseSchedule(String until) {
        return new SchedulePause(this, ec2, config, clock).pause(until);
    }

    /** {@code DELETE /schedule/pause}: morning starts as scheduled again. */
    public ActionResult resumeSchedule() {
        return new SchedulePause(this, ec2, config, clock).resume();
    }

    /** This month's spend so far; null when the stack keeps no ledger or it cannot be read (status still answers). */
    public MonthToDate monthToDate() {
        try {
            return budget.monthToDate(clock.instant());
        } catch (BoxException e) {
            System.out.println("gpubox: the spend ledger could not be read: " + e.getMessage());
            return null;
        }
    }

    /**
     * Starts the box if it is stopped. Idempotent: a running or pending box is left alone.
     *
     * @param waitSeconds 0 to return at once, up to {@link #MAX_WAIT_SECONDS} to wait for {@code running}
     */
    public ActionResult start(int waitSeconds) {
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw new BoxException(ErrorCode.BAD_REQUEST,
                    "wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS + ".");
        }
        Instance box = describeBox();
        BoxStatus before = status(box);
        String state = before.state();
        switch (state) {
            case "running":
                return new ActionResult("already_running", false, before.summary(), before);
            case "pending":
                if (waitSeconds == 0) {
                    return new ActionResult("already_starting", false, before.summary(), before);
                }
                BoxStatus started = waitWhilePending(Duration.ofSeconds(waitSeconds), before, null);
                return new ActionResult("already_starting", false, started.summary() + whenItStops(started), started);
            case "stopping":
                throw new BoxException(ErrorCode.WRONG_STATE,
                        "The GPU box is still stopping; start it again in about a minute.", null,
                        AwsErrors.STATE_RETRY_SECONDS, null);
            case "stopped":
                break;
            default:
                throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state
                        + " and cannot be started; gpubox never replaces an instance (see docs/setup.md).");
        }
        if (before.interruptedByAws()) {
            // Only EC2 restarts a Spot box it stopped for an interruption: a StartInstances would be refused.
            throw AwsErrors.spotInterrupted(before.label());
        }
        budget.refuseStartIfOver(clock.instant());
        Instant deadline = clock.instant().plusSeconds(waitSeconds);
        CapacityFallback fallback = new CapacityFallback(ec2);
        // Where a start went, by the one deadline however many types it takes (null: not our own start).
        java.util.function.Function<Instant, BoxStatus> settle = requested -> waitSeconds > 0
                ? waitWhilePending(Duration.between(clock.instant(), deadline), before, requested) : status();
        BoxStatus after = notifyingFailure("start", before, () -> fallback.start(box, () -> {
            Instant requested = clock.instant();
            startWhileSpotRequestSettles(fallback, box, deadline);
            return settle.apply(requested);
        }, () -> settle.apply(null)));
        String label = "GPU box is starting (" + after.instanceType() + CapacityFallback.note(before, after, config) + ")";
        String message = switch (after.state()) {
            case "running" -> "GPU box is running (" + after.instanceType() + CapacityFallback.note(before, after, config)
                    + ") at " + after.address() + ".";
            default -> after.address() != null ? label + "; it will be at " + after.address() + "."
                    : label + "; it gets a new public IP, ask /status in a minute.";
        };
        return new ActionResult("start_issued", true, message + whenItStops(after), after);
    }

    /**
     * StartInstances; right after a stop EC2 refuses a Spot box's start ({@code IncorrectSpotRequestState})
     * until its request is disabled, a matter of seconds: within the caller's wait that is retried, not a
     * failure; past it, the answer is {@code wrong_state} with Retry-After.
     */
    private void startWhileSpotRequestSettles(CapacityFallback fallback, Instance box, Instant deadline) {
        while (true) {
            try {
                fallback.startInstance(box);
                return;
            } catch (BoxException e) {
                if (!AwsErrors.isSpotRequestSettling(e) || !clock.instant().plus(POLL_INTERVAL).isBefore(deadline)) {
                    throw e;
                }
                sleeper.sleep(POLL_INTERVAL);
            }
        }
    }

    /** Stops the box if it is running. Idempotent: a stopped or stopping box is left alone. */
    public ActionResult stop() {
        Instance box = describeBox();
        BoxStatus before = status(box);
        String state = before.state();
        switch (state) {
            case "stopped":
                return new ActionResult("already_stopped", false, before.summary(), before);
            case "stopping":
                return new ActionResult("already_stopping", false, before.summary(), before);
            case "pending":
                throw new BoxException(ErrorCode.WRONG_STATE,
                        "The GPU box is still starting and EC2 cannot stop it yet; try again in a minute.", null,
                        AwsErrors.STATE_RETRY_SECONDS, null);
            case "running":
                break;
            default:
                throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state + "; there is nothing to stop.");
        }
        notifyingFailure("stop", before, () -> Ec2Calls.call("stop the GPU box (" + box.instanceId() + ")",
                () -> ec2.stopInstances(StopInstancesRequest.builder().instanceIds(box.instanceId()).build())));
        BoxStatus after = status();
        return new ActionResult("stop_issued", true,
                "GPU box is stopping (" + after.instanceType() + ")" + (before.uptimeSeconds() == null ? ""
                        : " after " + new HourlyPrice(before.hourlyPriceUsd(), before.priceSource()).pricing(config.pricing())
                        .uptimeAndCost(before.instanceType(),
                        Duration.ofSeconds(before.uptimeSeconds()))) + "."
                        + InstanceStore.wipedNote(before.instanceType()), after);
    }

    /**
     * Makes sure the stack's Elastic IP is associated with the box. Idempotent.
     *
     * @param force take the address even when another instance holds it
     */
    public ActionResult attachEip(boolean force) {
        String allocationId = config.requireEipAllocationId();
        Instance box = describeBox();
        String state = box.state().nameAsString();
        if (state.equals("shutting-down") || state.equals("terminated")) {
            throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state + "; no address can be attached.");
        }
        Address address = describeAddress(allocationId);
        if (box.instanceId().equals(address.instanceId())) {
            return new ActionResult("eip_already_attached", false,
                    "Elastic IP " + address.publicIp() + " is already attached to the GPU box.", status(box));
        }
        if (address.instanceId() != null && !force) {
            throw new BoxException(ErrorCode.EIP_IN_USE, "Elastic IP " + address.publicIp()
                    + " is attached to another instance (" + address.instanceId()
                    + "); call /eip?force=true to move it to the GPU box.");
        }
        Ec2Calls.call("attach Elastic IP " + address.publicIp() + " to the GPU box",
                () -> ec2.associateAddress(AssociateAddressRequest.builder().allocationId(allocationId)
                        .instanceId(box.instanceId()).allowReassociation(force).build()));
        BoxStatus after = status();
        return new ActionResult("eip_attached", false, "Elastic IP " + address.publicIp()
                + " is now attached to the GPU box" + (address.instanceId() != null
                ? " (moved from " + address.instanceId() + ")" : "") + ".", after);
    }

    /**
     * Keeps the box on until {@code until} ({@code HH:MM} in the stack's zone, or a local date-time) or for
     * {@code minutes}: the nightly stop skips it and stops it at the snooze end instead.
     */
    public ActionResult snooze(String until, String minutes) {
        StopPolicy policy = config.policy();
        Instant end = SnoozeRequest.parse(until, minutes, clock.instant(), policy);
        Instance box = describeBox();
        String state = box.state().nameAsString();
        if (!state.equals("running") && !state.equals("pending")) {
            throw new BoxException(ErrorCode.WRONG_STATE,
                    "The GPU box is " + state + "; start it first, then snooze its nightly stop.");
        }
        refusePastCeiling(end, box.launchTime(), until != null && !until.isBlank() ? "until=" + Quote.input(until)
                : "minutes=" + Quote.input(minutes), policy);
        Ec2Calls.call("snooze the GPU box's nightly stop", () -> ec2.createTags(CreateTagsRequest.builder()
                .resources(box.instanceId())
                .tags(Tag.builder().key(BoxTags.SNOOZE_UNTIL).value(BoxTags.snoozeValue(end, box.launchTime()))
                        .build()).build()));
        BoxStatus after = status();
        Instant skipped = policy.deadline(box.launchTime(), null);
        Instant before = policy.deadline(box.launchTime(), BoxTags.activeSnooze(box));
        String local = ZoneTimes.clock(end, policy.zone());
        String message;
        if (end.isBefore(before)) {
            message = "GPU box will now stop earlier, at " + local + " instead of "
                    + ZoneTimes.clockWithDay(before, end, policy.zone()) + ".";
        } else if (skipped.isBefore(end)) {
            message = "GPU box stays on until " + local + "; the " + ZoneTimes.time(skipped, policy.zone())
                    + " stop skips it.";
        } else {
            message = "GPU box will be stopped at " + local + ".";
        }
        return new ActionResult("snoozed", false, message, after);
    }

    /**
     * No snooze past the run's ceiling: launch + MaxRunHours holds against every key holder, so a leaked key
     * renewing {@code minutes=720} cannot keep the box on around the clock.
     */
    private void refusePastCeiling(Instant end, Instant launched, String asked, StopPolicy policy) {
        Instant ceiling = policy.ceiling(launched);
        if (ceiling == null || !end.isAfter(ceiling)) {
            return;
        }
        Instant now = clock.instant();
        throw new BoxException(ErrorCode.RUN_LIMIT, "A run may last at most " + Durations.human(policy.maxRun())
                + " (MaxRunHours, a parameter of the stack): this one started at "
                + ZoneTimes.clockWithDay(launched, now, policy.zone()) + ", so it stops by "
                + ZoneTimes.clockWithDay(ceiling, now, policy.zone()) + " at the latest, and " + asked
                + " is later. Snooze until then or earlier.");
    }

    /** Ends a snooze: the box's stop time is the nightly stop again. Idempotent. */
    public ActionResult cancelSnooze() {
        StopPolicy policy = config.policy();
        Instance box = describeBox();
        if (BoxTags.activeSnooze(box) == null) {
            BoxStatus now = status(box);
            return new ActionResult("not_snoozed", false, "GPU box is not snoozed.", now);
        }
        Ec2Calls.call("cancel the GPU box's snooze", () -> ec2.deleteTags(DeleteTagsRequest.builder()
                .resources(box.instanceId()).tags(Tag.builder().key(BoxTags.SNOOZE_UNTIL).build()).build()));
        BoxStatus after = status();
        String message;
        if (after.nextAutomaticStop() == null) {
            message = "Snooze cancelled.";
        } else if (after.nextAutomaticStop().isAfter(clock.instant())) {
            message = "Snooze cancelled; the box stops at "
                    + ZoneTimes.clock(after.nextAutomaticStop(), policy.zone()) + ".";
        } else {
            message = "Snooze cancelled; its nightly stop time has passed, so gpubox stops it within 5 minutes.";
        }
        return new ActionResult("snooze_cancelled", false, message, after);
    }

    /** " It stops at 01:14 Asia/Shanghai (4 h after a start past the nightly stop)." or "" */
    private String whenItStops(BoxStatus box) {
        if (box.nextAutomaticStop() == null) {
            return "";
        }
        StopPolicy policy = config.policy();
        boolean ceiling = policy.stopsByCeiling(box.launchTime(), box.snoozedUntil());
        boolean late = !ceiling && box.snoozedUntil() == null && policy.stopsByLateStart(box.launchTime());
        return " It stops at " + ZoneTimes.clockWithDay(box.nextAutomaticStop(), clock.instant(), policy.zone())
                + (late ? " (" + Durations.human(policy.lateStart()) + " after a start past the nightly stop)" : "")
                + (ceiling ? " (" + Durations.human(policy.maxRun()) + " after its start: MaxRunHours)" : "") + ".";
    }

    /** A start or stop that AWS refused is also sent as a notice; a wrong state or bad input is not. */
    private <T> T notifyingFailure(String action, BoxStatus box, java.util.function.Supplier<T> awsCall) {
        try {
            return awsCall.get();
        } catch (BoxException e) {
            // A start EC2 accepted and then abandoned is noticed by its stopped event (StateChangeNotices), once.
            if ((e.error().httpStatus() >= 500 || e.error() == ErrorCode.VCPU_QUOTA) && refusedByTheApi(e)) {
                notifier.publish("gpubox: " + action + " failed",
                        "gpubox could not " + action + " " + box.label() + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /** True when an AWS call itself failed (an SDK exception in the causes), not a start that fell back later. */
    private static boolean refusedByTheApi(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof software.amazon.awssdk.core.exception.SdkException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Polls until the box leaves {@code pending} or the budget is spent. EC2 may accept a start and then
     * fall back to {@code stopped}: that ends the wait at once as a failed start ({@link AwsErrors#failedStart}:
     * lack of capacity is the same code an immediate refusal gives). Its notice comes from EC2's stopped event
     * ({@link StateChangeNotices}), exactly once, whether or not anyone waited.
     *
     * <p>Right after our own start ({@code requested} not null) DescribeInstances may still show the box as it
     * was — stopped, with the state reason of an earlier fall-back. StartInstances answered {@code pending}, so
     * a {@code stopped} counts as the start falling back only once a Describe has shown it {@code pending}, or
     * when its launch time is this start's (a transition newer than the request); a stale view is polled again.
     */
    private BoxStatus waitWhilePending(Duration budget, BoxStatus before, Instant requested) {
        Instant deadline = clock.instant().plus(budget);
        boolean sawPending = requested == null;
        Instance box = describeBox();
        while (true) {
            String state = box.state().nameAsString();
            sawPending |= state.equals("pending");
            boolean stale = state.equals("stopped") && !sawPending && !launchedSince(box, requested);
            boolean waiting = state.equals("pending") || stale;
            if (!waiting || !clock.instant().plus(POLL_INTERVAL).isBefore(deadline.plusMillis(1))) {
                if (state.equals("stopped") && !stale) {
                    String code = box.stateReason() == null ? null : box.stateReason().code();
                    throw AwsErrors.failedStart(before.label(), code,
                            box.stateReason() == null ? null : box.stateReason().message());
                }
                return status(box);
            }
            sleeper.sleep(POLL_INTERVAL);
            box = describeBox();
        }
    }

    /** True when the box's launch time is this start's: EC2 sets it when it accepts StartInstances. */
    private static boolean launchedSince(Instance box, Instant requested) {
        return box.launchTime() != null && !box.launchTime().isBefore(requested.minusSeconds(1));
    }

    /** POST /ssh's rules on the box's security group, with this control's client and clock. */
    public SshAccess sshAccess() {
        return new SshAccess(ec2, config, clock);
    }

    Instance describeBox() {
        String id = config.requireInstanceId();
        DescribeInstancesResponse response = Ec2Calls.call("look up the GPU box (" + id + ")",
                () -> ec2.describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build()));
        return response.reservations().stream()
                .flatMap(r -> r.instances().stream())
                .filter(i -> id.equals(i.instanceId()))
                .findFirst()
                .orElseThrow(() -> new BoxException(ErrorCode.NOT_FOUND, "EC2 does not know the GPU box " + id
                        + "; check GPUBOX_INSTANCE_ID or the stack's GpuInstance."));
    }

    private Address describeAddress(String allocationId) {
        return Ec2Calls.call("look up the Elastic IP (" + allocationId + ")",
                () -> ec2.describeAddresses(DescribeAddressesRequest.builder().allocationIds(allocationId).build()))
                .addresses().stream()
                .findFirst()
                .map(Ec2Blanks::address)
                .orElseThrow(() -> new BoxException(ErrorCode.NOT_FOUND,
                        "EC2 does not know the Elastic IP " + allocationId + "; check GPUBOX_EIP_ALLOCATION_ID."));
    }

    BoxStatus status(Instance box) {
        Address eip = config.eipAllocationId() == null ? null : describeAddress(config.eipAllocationId());
        String state = box.state().nameAsString();
        boolean attached = eip != null && box.instanceId().equals(eip.instanceId());
        boolean up = state.equals("running") || state.equals("pending");
        Instant launched = up ? box.launchTime() : null;
        Long uptime = launched == null ? null : Math.max(0, Duration.between(launched, clock.instant()).getSeconds());
        String address = attached ? eip.publicIp() : box.publicIpAddress();
        String ssh = address == null ? null : sshLine(box.keyName(), address);
        StopPolicy policy = config.policy();
        Instant snooze = launched == null ? null : BoxTags.activeSnooze(box);
        Instant nextStop = launched == null ? null : policy.deadline(launched, snooze);
        HourlyPrice price = price(box);
        Pricing pricing = price.pricing(config.pricing());
        return new BoxStatus(box.instanceId(), BoxTags.name(box), box.instanceTypeAsString(), state,
                box.publicIpAddress(), eip == null ? null : eip.publicIp(), attached, launched, uptime, ssh,
                snooze, nextStop, price.usdPerHour(),
                uptime == null ? null : pricing.cost(box.instanceTypeAsString(), Duration.ofSeconds(uptime)),
                policy.zone(), box.placement() == null ? null : box.placement().availabilityZone(),
                CapacityFallback.preferred(box), SpotStatus.of(box), price.source());
    }

    /** The price a running box is estimated at: HourlyPriceUsd, its Spot price, else gpubox's on-demand table. */
    HourlyPrice price(Instance box) {
        return HourlyPrice.of(box, config.pricing(), config.pricing()::hourly, spotPrices);
    }

    private String sshLine(String keyName, String address) {
        String identity = keyName == null ? "" : "-i ~/.ssh/" + keyName + ".pem ";
        return "ssh " + identity + config.sshUser() + "@" + address;
    }

}
