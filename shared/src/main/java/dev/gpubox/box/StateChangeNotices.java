package dev.gpubox.box;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Turns EC2's "instance stopped" events into one human notice per stop: why it stopped (the nightly stop,
 * a snooze end, the idle watchdog, a failed start, or someone else), how long it ran, what that cost.
 * EC2 emits exactly one such event per stop, so a notice is neither lost nor doubled when a stop run
 * crashes or is retried.
 */
public final class StateChangeNotices {
    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;
    private final RunRecorder ledger;
    private final SpotPrices spotPrices;

    public StateChangeNotices(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(ec2, config, notifier, MonthlyBudget.off(config));
    }

    /** Also records every run of a managed box in the spend ledger, from its "running" and "stopped" events. */
    public StateChangeNotices(Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
        this.ledger = budget.recorder();
        this.spotPrices = budget.spotPrices().asksEc2() ? budget.spotPrices()
                : new SpotPrices(() -> ec2, java.time.Clock.systemUTC());
    }

    /** @return the notice sent, or null when the event is not a managed box stopping */
    public String onStateChange(String instanceId, String state, Instant eventTime) {
        if (!"stopped".equals(state) && !("running".equals(state) && ledger.enabled())) {
            return null; // without a ledger a start needs no look-up at all
        }
        Instance box = managedBox(ec2, config, instanceId);
        if (box == null) {
            return null; // not one of this stack's boxes
        }
        if (!"stopped".equals(state)) {
            // A start sends no notice: a ledger failure fails the event, so EventBridge retries it (and the
            // StateChangeErrorsAlarm counts it); the sweep records the run within five minutes anyway.
            ledger.onEvent(box, state, eventTime);
            return null;
        }
        // Before the notice: a notice that fails (and is retried) must not lose the run. But the ledger never
        // keeps the notice from going: EC2 sends this event once, so a lost notice is lost for good, while the
        // sweep closes the run from what EC2 shows (RunRecorder.reconcile).
        Double recordedHourly = null;
        try {
            recordedHourly = ledger.onEvent(box, state, eventTime);
        } catch (BoxException e) {
            System.out.println("gpubox: the spend ledger could not record the stop of " + box.instanceId() + " ("
                    + e.getMessage() + "); the notice is sent and the sweep records the run");
        }
        String label = BoxLabel.of(box);
        // The price the ledger holds for this run (HourlyPriceUsd, else a Spot box's Spot price, else the Price
        // List's), so the notice and the month's spend agree; without a ledger, the same choice from the table.
        Pricing pricing = recordedHourly != null ? new Pricing(recordedHourly)
                : HourlyPrice.of(box, config.pricing(), config.pricing()::hourly, spotPrices).pricing(config.pricing());
        String ran = pricing.uptimeAndCost(box.instanceTypeAsString(),
                Duration.between(box.launchTime(), eventTime));
        String message = message(box, label, ran, config.policy());
        if (!AwsErrors.isFailedStart(box.stateReason() == null ? null : box.stateReason().code())) {
            message += InstanceStore.wipedNote(box.instanceTypeAsString()); // a start that failed held nothing there
        } else {
            message += new CapacityFallback(ec2).inBackground(box, config.pricing());
        }
        notifier.publish("gpubox: " + BoxLabel.shortName(box) + " stopped", message);
        return message;
    }

    /** The instance when it is one of this stack's boxes (its managed tag), else null. */
    static Instance managedBox(Ec2Client ec2, BoxConfig config, String instanceId) {
        config.requireManagedTag();
        List<Instance> found;
        try {
            found = Ec2Calls.call("look up " + instanceId, () -> ec2.describeInstances(
                            DescribeInstancesRequest.builder().instanceIds(instanceId).build())).reservations().stream()
                    .flatMap(r -> r.instances().stream()).toList();
        } catch (BoxException e) {
            if (e.error() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            // The rule sees every instance in the region; one EC2 no longer lists (terminated, gone) is not ours.
            found = List.of();
        }
        if (found.isEmpty() || !config.managedTagValue().equals(BoxTags.value(found.get(0), config.managedTagKey()))) {
            return null;
        }
        return found.get(0);
    }

    private static String message(Instance box, String label, String ran, StopPolicy policy) {
        String stateReason = box.stateReason() == null ? null : box.stateReason().code();
        if ("Client.InstanceInitiatedShutdown".equals(stateReason)) {
            return label + " shut itself down (the idle watchdog, or a shutdown on the box) after " + ran + ".";
        }
        if (SpotStatus.INTERRUPTED_REASON.equals(stateReason)) {
            return label + " was interrupted by AWS after " + ran + ": AWS took its Spot capacity back and stopped it"
                    + " (not terminated); it restarts when capacity returns.";
        }
        if (AwsErrors.isFailedStart(stateReason)) {
            return label + " failed to start and is stopped again: "
                    + AwsErrors.failedStartReason(stateReason, box.stateReason().message());
        }
        String reasonTag = BoxTags.value(box, BoxTags.STOP_REASON);
        Instant reasonTime = BoxTags.instant(box, BoxTags.STOP_REASON);
        // A reason written before this run of the box belongs to an earlier stop.
        String reason = reasonTime == null || reasonTime.isBefore(box.launchTime()) ? "" : reasonTag.split("@")[0];
        String at = reasonTime == null ? "" : ZoneTimes.clock(reasonTime, policy.zone());
        return switch (reason) {
            case NightlyStop.SCHEDULE_REASON -> label + " was stopped by the nightly " + at + " stop after " + ran + ".";
            case NightlyStop.SNOOZE_REASON -> label + " was stopped at the end of its snooze (" + at + ") after " + ran + ".";
            case NightlyStop.LATE_START_REASON -> label + " was stopped at " + at + ": it was started after the nightly stop, and"
                    + " such a start may run " + Durations.human(policy.lateStart()) + " (LateStartHours). It ran "
                    + ran + ".";
            case NightlyStop.BUDGET_REASON -> label + " was stopped at " + at + ": this month's spend reached "
                    + MonthlyBudget.PARAMETER + ". It ran " + ran + ".";
            case NightlyStop.MAX_RUN_REASON -> label + " was stopped at " + at + ": one run may last at most "
                    + Durations.human(policy.maxRun()) + " (MaxRunHours), snoozed or not. It ran " + ran + ".";
            default -> label + " stopped after " + ran + " (by you, the console, or another tool).";
        };
    }
}
