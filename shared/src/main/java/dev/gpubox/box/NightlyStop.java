package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The nightly stop and its catch-up sweep: stops every running box carrying the stack's management tag
 * whose deadline ({@link StopPolicy#deadline}) has come, skips snoozed boxes (one notice per skipped stop),
 * and retries transient EC2 failures within the run's time budget. One box failing never keeps the others
 * running. All state is in instance tags ({@link BoxTags}), so any run — on time, late, or a retry after a
 * crash — does the right thing.
 */
public final class NightlyStop {
    /** EC2 takes many ids per StopInstances; batches keep one bad id from failing a thousand boxes. */
    static final int STOP_BATCH_SIZE = 50;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(15);
    static final Duration REMINDER_INTERVAL = Duration.ofHours(1);

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;
    private final Clock clock;
    private final Sleeper sleeper;
    /** This run's time; a NightlyStop serves one run at a time (Lambda runs one invocation per container). */
    private TimeBudget time = null;
    /** When this container last sent the "could not list the boxes" notice; reminders at most hourly. */
    private Instant listingNoticedAt = Instant.MIN;

    public NightlyStop(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock, Sleeper sleeper) {
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** @param budget how long this run may keep retrying (the rest of the Lambda's time, less a margin) */
    public SweepReport run(Duration budget) {
        config.requireManagedTag();
        StopPolicy policy = config.policy();
        Pricing pricing = config.pricing();
        Instant now = clock.instant();
        time = new TimeBudget(clock, budget);

        List<String> alreadyStopped = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        Map<String, Instance> due = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        Map<String, Instant> deadlines = new LinkedHashMap<>();
        List<Instance> boxes;
        try {
            boxes = managedBoxes();
        } catch (BoxException e) {
            return listingFailed(e);
        }
        for (Instance box : boxes) {
            String state = box.state().nameAsString();
            if (state.equals("stopped") || state.equals("stopping")) {
                alreadyStopped.add(box.instanceId());
                continue;
            }
            if (!state.equals("running") && !state.equals("pending")) {
                continue; // shutting-down or terminated: nothing to stop
            }
            Instant launched = box.launchTime();
            Instant snooze = BoxTags.activeSnooze(box);
            Instant deadline = policy.deadline(launched, snooze);
            // Never early: a run a few seconds before the deadline leaves the box to the next sweep.
            if (!now.isBefore(deadline)) {
                due.put(box.instanceId(), box);
                deadlines.put(box.instanceId(), deadline);
                reasons.put(box.instanceId(), reason(policy, launched, snooze) + "@" + deadline);
            } else if (snooze != null) {
                skipped.put(box.instanceId(), "snoozed until " + snooze);
                noticeSkipOnce(box, policy.deadline(launched, null), snooze, now, policy, pricing);
            } else {
                skipped.put(box.instanceId(), "not due until " + deadline);
            }
        }

        List<String> stopped = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> toStop = new ArrayList<>(due.keySet());
        Duration backoff = FIRST_BACKOFF;
        while (!toStop.isEmpty()) {
            Map<String, BoxException> retryable = new LinkedHashMap<>();
            for (int i = 0; i < toStop.size(); i += STOP_BATCH_SIZE) {
                List<String> batch = toStop.subList(i, Math.min(toStop.size(), i + STOP_BATCH_SIZE));
                stopBatch(batch, reasons, stopped, failed, retryable);
            }
            if (retryable.isEmpty()) {
                break;
            }
            if (!time.allows(backoff)) {
                retryable.forEach((id, e) -> failed.put(id, e.getMessage()));
                break;
            }
            sleeper.sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            toStop = new ArrayList<>(retryable.keySet());
        }
        failed.forEach((id, why) -> noticeFailure(due.get(id), deadlines.get(id), why, pricing));
        return new SweepReport(stopped, alreadyStopped, skipped, failed);
    }

    /**
     * One notice per box per deadline (a night's stop, a snooze end), then a reminder at most every
     * {@link #REMINDER_INTERVAL} while it keeps failing: the sweep runs every five minutes and Lambda
     * retries each failed run twice, which would otherwise send dozens an hour.
     */
    private void noticeFailure(Instance box, Instant deadline, String why, Pricing pricing) {
        Instant now = clock.instant();
        BoxTags.FailureNoticed last = BoxTags.failureNoticed(box);
        boolean sameProblem = last != null && last.deadline().equals(deadline);
        if (sameProblem && now.isBefore(last.at().plus(REMINDER_INTERVAL))) {
            System.out.println("gpubox: " + box.instanceId() + " still not stopped; noticed at " + last.at()
                    + ", next reminder after " + last.at().plus(REMINDER_INTERVAL));
            return;
        }
        String still = pricing.uptimeAndCost(box.instanceTypeAsString(), Duration.between(box.launchTime(), now));
        notifier.publish("gpubox: " + (sameProblem ? "still " : "") + "could not stop " + label(box),
                "gpubox " + (sameProblem ? "still " : "") + "could not stop " + label(box) + ": " + why
                        + " It is still running (" + still + " so far). gpubox keeps trying every five minutes"
                        + " and reminds you hourly; stop it yourself if it must be off now.");
        // Publish first, then record: a crash between the two repeats the notice rather than losing it.
        tag(List.of(box.instanceId()), BoxTags.STOP_FAILED_NOTICED,
                new BoxTags.FailureNoticed(deadline, now).tagValue());
    }

    /**
     * EC2 could not even list the boxes (down, hung, denied): no box can be checked, so the run fails with a
     * summary and a notice — at most hourly from this container; the function-errors alarm covers the rest.
     */
    private SweepReport listingFailed(BoxException e) {
        String what = "boxes tagged " + config.managedTagKey() + "=" + config.managedTagValue();
        Instant now = clock.instant();
        if (!now.isBefore(listingNoticedAt.plus(REMINDER_INTERVAL))) {
            listingNoticedAt = now;
            notifier.publish("gpubox: the nightly stop could not check the boxes",
                    "gpubox could not check whether any box is due to stop: " + e.getMessage()
                            + " It tries again every five minutes; stop a box yourself if it must be off now.");
        }
        return new SweepReport(List.of(), List.of(), Map.of(), Map.of(what, e.getMessage()));
    }

    /** What the stopped-notice will say stopped the box: "snooze", "late-start" or "schedule". */
    static String reason(StopPolicy policy, Instant launched, Instant snooze) {
        if (snooze != null) {
            return "snooze";
        }
        return policy.stopsByLateStart(launched) ? "late-start" : "schedule";
    }

    /** One notice per skipped scheduled stop: the stop's time is recorded on the box once noticed. */
    private void noticeSkipOnce(Instance box, Instant skippedStop, Instant snooze, Instant now, StopPolicy policy,
                                Pricing pricing) {
        if (skippedStop.isAfter(now) || skippedStop.equals(BoxTags.instant(box, BoxTags.SKIP_NOTICED))) {
            return;
        }
        String when = ZoneTimes.clock(skippedStop, policy.zone());
        // Publish first, then record: a crash between the two repeats the notice rather than losing it.
        notifier.publish("gpubox: " + label(box) + " kept on (snoozed)",
                (policy.isLateStart(box.launchTime()) ? "The " : "Tonight's ") + when + " stop skipped " + label(box) + ": it is snoozed until "
                        + ZoneTimes.clock(snooze, policy.zone())
                        + ", and gpubox will stop it then. Up " + pricing.uptimeAndCost(box.instanceTypeAsString(),
                        Duration.between(box.launchTime(), now)) + " so far.");
        tag(List.of(box.instanceId()), BoxTags.SKIP_NOTICED, skippedStop.toString());
    }

    private void tagReasons(List<String> batch, Map<String, String> reasons) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        batch.forEach(id -> byReason.computeIfAbsent(reasons.get(id), r -> new ArrayList<>()).add(id));
        byReason.forEach((reason, ids) -> tag(ids, BoxTags.STOP_REASON, reason));
    }

    /** Best effort: the reason only words the notice; stopping the box matters more than tagging it. */
    private void tag(List<String> ids, String key, String value) {
        try {
            ec2.createTags(CreateTagsRequest.builder().overrideConfiguration(time.overrides()).resources(ids)
                    .tags(Tag.builder().key(key).value(value).build()).build());
        } catch (SdkException e) {
            System.out.println("gpubox: could not tag " + ids.size() + " box(es) " + key + ": " + e.getMessage());
        }
    }

    private void stopBatch(List<String> batch, Map<String, String> reasons, List<String> stopped,
                           Map<String, String> failed, Map<String, BoxException> retryable) {
        try {
            ec2.stopInstances(StopInstancesRequest.builder().overrideConfiguration(time.overrides())
                    .instanceIds(batch).build());
            stopped.addAll(batch);
            // Only a stop that happened gets a reason: a failed attempt followed by a manual stop must not
            // be announced as the nightly stop. The box takes tens of seconds to reach "stopped", so the
            // tag is there when the stopped event's notice reads it.
            tagReasons(batch, reasons);
            return;
        } catch (SdkException batchFailure) {
            if (batch.size() == 1) {
                BoxException e = AwsErrors.map(batchFailure, "stop " + batch.get(0));
                if (e.retryAfterSeconds() != null) {
                    retryable.put(batch.get(0), e);
                } else {
                    failed.put(batch.get(0), e.getMessage());
                }
                return;
            }
        }
        // One bad box fails the whole call; retry one by one so the rest still stop tonight.
        for (String id : batch) {
            stopBatch(List.of(id), reasons, stopped, failed, retryable);
        }
    }

    private List<Instance> managedBoxes() {
        List<Instance> boxes = new ArrayList<>();
        String token = null;
        do {
            DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                    .filters(Filter.builder().name("tag:" + config.managedTagKey()).values(config.managedTagValue())
                                    .build(),
                            Filter.builder().name("instance-state-name").values("pending", "running", "stopping",
                                    "stopped").build())
                    .maxResults(1000)
                    .nextToken(token)
                    .build();
            DescribeInstancesResponse page = Ec2Calls.call("list the boxes tagged " + config.managedTagKey() + "="
                    + config.managedTagValue(), () -> ec2.describeInstances(
                            request.toBuilder().overrideConfiguration(time.overrides()).build()));
            page.reservations().stream().map(Reservation::instances).forEach(boxes::addAll);
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return boxes;
    }

    private static String label(Instance box) {
        return BoxLabel.of(box);
    }
}
