package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
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
    /** Time after the budget for the notices and one tag write, when the caller gives none (no Lambda context). */
    static final Duration DEFAULT_WRAP_UP = Duration.ofSeconds(10);
    /** More failed boxes than this get one combined notice, not one each: a throttled night must not send 150. */
    static final int SEPARATE_NOTICES_UP_TO = 3;
    /** The one tag write after the budget (the notices' dedup record) gets at most this. */
    static final Duration WRAP_UP_TAG_CALL = Duration.ofSeconds(3);
    /** The stop-reason tag of a box stopped because the month's spend reached MonthlyBudgetUsd. */
    static final String BUDGET_REASON = "budget";
    /** The stop-reason tags the other stops write ({@link #reason}); the stopped notice reads them back. */
    static final String MAX_RUN_REASON = "max-run";
    static final String SNOOZE_REASON = "snooze";
    static final String LATE_START_REASON = "late-start";
    static final String SCHEDULE_REASON = "schedule";
    static final String OUT_OF_TIME = "not tried: the run's time ran out (EC2 slow or throttling); the next sweep"
            + " tries again";

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;
    private final Clock clock;
    private final Sleeper sleeper;
    private final MonthlyBudget monthlyBudget;
    private final SpotPrices spotPrices;
    /** This run's time; a NightlyStop serves one run at a time (Lambda runs one invocation per container). */
    private TimeBudget time = null;
    /** When this container last sent the "could not list the boxes" notice; reminders at most hourly. */
    private Instant listingNoticedAt = Instant.MIN;
    /**
     * The failed-stop notices this container sent, by box and deadline: the dedup record's fallback for when
     * its tag write failed too (EC2 throttling both), so a warm container does not notice every sweep.
     */
    private final Map<String, Instant> failureNoticedHere = new LinkedHashMap<>();

    public NightlyStop(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock, Sleeper sleeper) {
        this(ec2, config, notifier, clock, sleeper, MonthlyBudget.off(config));
    }

    /** With the spend ledger, which each run brings up to date, and the monthly cap, which makes every running box due. */
    public NightlyStop(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock, Sleeper sleeper,
                       MonthlyBudget budget) {
        this.monthlyBudget = budget;
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
        this.clock = clock;
        this.sleeper = sleeper;
        // The ledger's own (warmed by this run's ledger step before any stop), else this container's.
        this.spotPrices = budget.spotPrices().asksEc2() ? budget.spotPrices() : new SpotPrices(() -> ec2, clock);
    }

    /** A box's estimate: a Spot box at its Spot price, else {@code table} (HourlyPriceUsd or gpubox's table). */
    private static Pricing priced(Instance box, Pricing table, SpotPrices spot) {
        return SpotInstance.isSpot(box) ? HourlyPrice.of(box, table, table::hourly, spot).pricing(table) : table;
    }

    /** @param budget how long this run may keep retrying (the rest of the Lambda's time, less a margin) */
    public SweepReport run(Duration budget) {
        return run(budget, DEFAULT_WRAP_UP);
    }

    /**
     * @param budget how long this run may call EC2 to stop boxes
     * @param wrapUp the time after the budget for its failure notices and one bounded tag write; the run
     *               returns by budget + wrapUp (plus at most one small call's overrun)
     */
    public SweepReport run(Duration budget, Duration wrapUp) {
        config.requireManagedTag();
        StopPolicy policy = config.policy();
        Pricing pricing = config.pricing();
        Instant now = clock.instant();
        time = new TimeBudget(clock, budget, wrapUp);

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
        boolean overBudget = monthlyBudget.sweep(boxes, now, notifier);
        new PreferredTypeRestore(new CapacityFallback(ec2)).run(boxes);
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
            if (overBudget && state.equals("running")) {
                // The monthly cap wins over any deadline and snooze: stop it now.
                due.put(box.instanceId(), box);
                deadlines.put(box.instanceId(), now);
                reasons.put(box.instanceId(), BUDGET_REASON + "@" + now);
                continue;
            }
            // Never early: a run a few seconds before the deadline leaves the box to the next sweep.
            if (!now.isBefore(deadline)) {
                due.put(box.instanceId(), box);
                deadlines.put(box.instanceId(), deadline);
                reasons.put(box.instanceId(), reason(policy, launched, snooze) + "@" + deadline);
            } else if (snooze != null) {
                skipped.put(box.instanceId(), "snoozed until " + deadline);
                noticeSkipOnce(box, policy.deadline(launched, null), deadline, now, policy, pricing);
            } else {
                skipped.put(box.instanceId(), "not due until " + deadline);
            }
        }

        List<String> stopped = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> toStop = new ArrayList<>(due.keySet());
        Duration backoff = FIRST_BACKOFF;
        while (!toStop.isEmpty()) {
            Map<String, String> retryable = new LinkedHashMap<>();
            for (int i = 0; i < toStop.size(); i += STOP_BATCH_SIZE) {
                List<String> batch = toStop.subList(i, Math.min(toStop.size(), i + STOP_BATCH_SIZE));
                stopBatch(batch, reasons, stopped, failed, retryable);
            }
            if (retryable.isEmpty()) {
                break;
            }
            if (!time.allows(backoff)) {
                failed.putAll(retryable);
                break;
            }
            sleeper.sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            toStop = new ArrayList<>(retryable.keySet());
        }
        new FailedStopNotices(due, deadlines, pricing).send(failed);
        return new SweepReport(stopped, alreadyStopped, skipped, failed);
    }

    /**
     * After the budget: the failed-stop notices, deduplicated per box and deadline (tag, or this
     * container's memory when the tag write failed too), one each up to {@link #SEPARATE_NOTICES_UP_TO}
     * boxes and one combined notice above, each publish timed from what is left, then ONE bounded tag write
     * recording them. Publish first, then record: a crash between the two repeats a notice, never loses it.
     */
    private final class FailedStopNotices {
        private final Map<String, Instance> due;
        private final Map<String, Instant> deadlines;
        private final Pricing pricing;

        FailedStopNotices(Map<String, Instance> due, Map<String, Instant> deadlines, Pricing pricing) {
            this.due = due;
            this.deadlines = deadlines;
            this.pricing = pricing;
        }

        void send(Map<String, String> failed) {
            Instant now = clock.instant();
            Map<String, Boolean> toNotice = new LinkedHashMap<>(); // box -> is a reminder ("still")
            failed.forEach((id, why) -> {
                Instant lastAt = lastNoticed(due.get(id), deadlines.get(id));
                if (lastAt == null) {
                    toNotice.put(id, false);
                } else if (!now.isBefore(lastAt.plus(REMINDER_INTERVAL))) {
                    toNotice.put(id, true);
                } else {
                    System.out.println("gpubox: " + id + " still not stopped; noticed at " + lastAt
                            + ", next reminder after " + lastAt.plus(REMINDER_INTERVAL));
                }
            });
            if (toNotice.isEmpty()) {
                return;
            }
            List<String> told = new ArrayList<>(); // a box not told is noticed again by the next sweep
            if (toNotice.size() <= SEPARATE_NOTICES_UP_TO) {
                toNotice.forEach((id, still) -> {
                    if (publishInWrapUp(one(due.get(id), failed.get(id), still, now))) {
                        told.add(id);
                    }
                });
            } else if (publishInWrapUp(combined(toNotice, failed, now))) {
                told.addAll(toNotice.keySet());
            }
            if (told.isEmpty()) {
                return;
            }
            failureNoticedHere.values().removeIf(at -> at.isBefore(now.minus(Duration.ofDays(1)))); // stays small
            told.forEach(id -> failureNoticedHere.put(id + "@" + deadlines.get(id), now));
            Map<String, List<String>> byRecord = new LinkedHashMap<>();
            told.forEach(id -> byRecord.computeIfAbsent(
                    new BoxTags.FailureNoticed(deadlines.get(id), now).tagValue(), v -> new ArrayList<>()).add(id));
            tagInWrapUp(byRecord);
        }

        /** When the last notice for this box and deadline went out: its tag, or this container's memory. */
        private Instant lastNoticed(Instance box, Instant deadline) {
            BoxTags.FailureNoticed tagged = BoxTags.failureNoticed(box);
            Instant fromTag = tagged != null && tagged.deadline().equals(deadline) ? tagged.at() : null;
            Instant fromMemory = failureNoticedHere.get(box.instanceId() + "@" + deadline);
            if (fromTag == null) {
                return fromMemory;
            }
            return fromMemory == null || fromTag.isAfter(fromMemory) ? fromTag : fromMemory;
        }

        private String[] one(Instance box, String why, boolean still, Instant now) {
            String again = still ? "still " : "";
            // After the budget: the Spot price from the cache only, never one more EC2 call.
            String upFor = priced(box, pricing, spotPrices.cacheOnly()).uptimeAndCost(box.instanceTypeAsString(),
                    Duration.between(box.launchTime(), now));
            return new String[] {"gpubox: " + again + "could not stop " + label(box),
                    "gpubox " + again + "could not stop " + label(box) + ": " + why
                            + " It is still running (" + upFor + " so far). gpubox keeps trying every five minutes"
                            + " and reminds you hourly; stop it yourself if it must be off now."
                            + InstanceStore.willWipeNote(box.instanceTypeAsString())};
        }

        private String[] combined(Map<String, Boolean> toNotice, Map<String, String> failed, Instant now) {
            boolean allStill = toNotice.values().stream().allMatch(b -> b);
            String again = allStill ? "still " : "";
            StringBuilder list = new StringBuilder();
            toNotice.keySet().stream().limit(20).forEach(id -> {
                Instance box = due.get(id);
                list.append("\n- ").append(label(box)).append(", up ")
                        .append(priced(box, pricing, spotPrices.cacheOnly()).uptimeAndCost(box.instanceTypeAsString(),
                                Duration.between(box.launchTime(), now))).append(": ")
                        .append(failed.get(id));
            });
            if (toNotice.size() > 20) {
                list.append("\n- and ").append(toNotice.size() - 20).append(" more (see the run's log)");
            }
            toNotice.keySet().stream().map(id -> due.get(id).instanceTypeAsString()).filter(InstanceStore::has)
                    .findFirst().ifPresent(type -> list.append("\n").append(InstanceStore.willWipeSomeNote(type)));
            return new String[] {"gpubox: " + again + "could not stop " + toNotice.size() + " boxes",
                    "gpubox " + again + "could not stop " + toNotice.size() + " boxes; they are still running."
                            + list + "\ngpubox keeps trying every five minutes and reminds you hourly; stop them"
                            + " yourself if they must be off now."};
        }
    }

    /** Publishes inside the wrap-up time, keeping room for the tag write; false when not sent. */
    private boolean publishInWrapUp(String[] notice) {
        Duration timeout = time.wrapUpLeft().minus(TimeBudget.MIN_CALL);
        if (timeout.compareTo(AwsClients.NOTICE_CALL_TIMEOUT) > 0) {
            timeout = AwsClients.NOTICE_CALL_TIMEOUT;
        }
        if (timeout.compareTo(TimeBudget.MIN_CALL) < 0) {
            System.out.println("gpubox: no time left to send the notice \"" + notice[0] + "\"");
            return false;
        }
        try {
            notifier.publish(notice[0], notice[1], timeout);
            return true;
        } catch (RuntimeException e) {
            System.out.println("gpubox: could not send the notice \"" + notice[0] + "\": " + e.getMessage());
            return false;
        }
    }

    /** The wrap-up's one bounded EC2 step: one CreateTags per distinct value (one for a night's stop). */
    private void tagInWrapUp(Map<String, List<String>> idsByValue) {
        Instant stepEnd = clock.instant().plus(min(WRAP_UP_TAG_CALL, time.wrapUpLeft()));
        for (Map.Entry<String, List<String>> group : idsByValue.entrySet()) {
            Duration left = Duration.between(clock.instant(), stepEnd);
            if (left.compareTo(Duration.ofMillis(200)) < 0) {
                System.out.println("gpubox: no time left to record " + group.getValue().size() + " notice(s)");
                return;
            }
            tag(group.getValue(), BoxTags.STOP_FAILED_NOTICED, group.getKey(), TimeBudget.overrides(left));
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * EC2 could not even list the boxes (down, hung, denied): no box can be checked, so the run fails with a
     * summary and a notice — at most hourly from this container; the function-errors alarm covers the rest.
     */
    private SweepReport listingFailed(BoxException e) {
        String what = "boxes tagged " + config.managedTagKey() + "=" + config.managedTagValue();
        Instant now = clock.instant();
        if (!now.isBefore(listingNoticedAt.plus(REMINDER_INTERVAL)) && publishInWrapUp(new String[] {
                "gpubox: the nightly stop could not check the boxes",
                "gpubox could not check whether any box is due to stop: " + e.getMessage()
                        + " It tries again every five minutes; stop a box yourself if it must be off now."})) {
            listingNoticedAt = now;
        }
        return new SweepReport(List.of(), List.of(), Map.of(), Map.of(what, e.getMessage()));
    }

    /** What the stopped-notice will say stopped the box: one of the *_REASON tags. */
    static String reason(StopPolicy policy, Instant launched, Instant snooze) {
        if (policy.stopsByCeiling(launched, snooze)) {
            return MAX_RUN_REASON;
        }
        if (snooze != null) {
            return SNOOZE_REASON;
        }
        return policy.stopsByLateStart(launched) ? LATE_START_REASON : SCHEDULE_REASON;
    }

    /** One notice per skipped scheduled stop: the stop's time is recorded on the box once noticed. */
    private void noticeSkipOnce(Instance box, Instant skippedStop, Instant snooze, Instant now, StopPolicy policy,
                                Pricing pricing) {
        if (skippedStop.isAfter(now) || skippedStop.equals(BoxTags.instant(box, BoxTags.SKIP_NOTICED))) {
            return;
        }
        if (!time.allowsCall()) {
            return; // no time for the notice and its record now: the next sweep sends it
        }
        String when = ZoneTimes.clock(skippedStop, policy.zone());
        // Publish first, then record: a crash between the two repeats the notice rather than losing it.
        notifier.publish("gpubox: " + label(box) + " kept on (snoozed)",
                (policy.isLateStart(box.launchTime()) ? "The " : "Tonight's ") + when + " stop skipped " + label(box) + ": it is snoozed until "
                        + ZoneTimes.clock(snooze, policy.zone())
                        + ", and gpubox will stop it then. Up " + priced(box, pricing, spotPrices)
                        .uptimeAndCost(box.instanceTypeAsString(),
                        Duration.between(box.launchTime(), now)) + " so far."
                        + InstanceStore.willWipeNote(box.instanceTypeAsString()), time.callTimeout());
        tag(List.of(box.instanceId()), BoxTags.SKIP_NOTICED, skippedStop.toString(), time.overrides());
    }

    private void tagReasons(List<String> batch, Map<String, String> reasons) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        batch.forEach(id -> byReason.computeIfAbsent(reasons.get(id), r -> new ArrayList<>()).add(id));
        byReason.forEach((reason, ids) -> {
            if (time.allowsCall()) {
                tag(ids, BoxTags.STOP_REASON, reason, time.overrides());
            } else {
                System.out.println("gpubox: no time left to tag " + ids.size() + " stopped box(es) with their reason");
            }
        });
    }

    /** Best effort: the reason only words the notice; stopping the box matters more than tagging it. */
    private void tag(List<String> ids, String key, String value, AwsRequestOverrideConfiguration timeout) {
        try {
            ec2.createTags(CreateTagsRequest.builder().overrideConfiguration(timeout).resources(ids)
                    .tags(Tag.builder().key(key).value(value).build()).build());
        } catch (SdkException e) {
            System.out.println("gpubox: could not tag " + ids.size() + " box(es) " + key + ": " + e.getMessage());
        }
    }

    /**
     * Stops one batch, checking the budget first: once it is spent the boxes are failed as not tried, with no
     * EC2 call. A batch failing for a fleet-wide transient reason (throttling, EC2 unreachable) is retried
     * whole after the back-off; one failing for a box's own reason (a pending box, a denied one) is retried
     * one by one, each retry budget-checked, so the rest still stop.
     */
    private void stopBatch(List<String> batch, Map<String, String> reasons, List<String> stopped,
                           Map<String, String> failed, Map<String, String> retryable) {
        if (!time.allowsCall()) {
            batch.forEach(id -> failed.put(id, OUT_OF_TIME));
            return;
        }
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
            BoxException e = AwsErrors.map(batchFailure, batch.size() == 1 ? "stop " + batch.get(0)
                    : "stop " + batch.size() + " boxes");
            boolean transientForAll = e.retryAfterSeconds() != null && e.error() != ErrorCode.WRONG_STATE;
            if (batch.size() == 1 || transientForAll) {
                batch.forEach(id -> (e.retryAfterSeconds() != null ? retryable : failed).put(id, e.getMessage()));
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
            if (token != null && !token.isEmpty() && !time.allowsCall()) {
                // A slow EC2 must not page on past the budget: no box can be judged on half a list.
                throw new BoxException(ErrorCode.AWS_ERROR, "EC2 was too slow to list the boxes within the run's"
                        + " time (" + boxes.size() + " listed so far)");
            }
        } while (token != null && !token.isEmpty());
        return boxes;
    }

    private static String label(Instance box) {
        return BoxLabel.of(box);
    }
}
