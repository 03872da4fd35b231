package dev.gpubox.box;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Writes what EC2 shows into the {@link Ledger}, so it holds every run whether or not gpubox started it, and
 * survives lost and duplicated events:
 * <ul>
 *   <li>a duplicated event writes the same run again (the key is instance + launch time);</li>
 *   <li>a lost "running" event: the "stopped" event's box still has its launch time, and the sweep records
 *       every running box every five minutes;</li>
 *   <li>a lost "stopped" event: the next event of the box, or the sweep seeing it stopped or running again
 *       under a new launch time, closes the run — at the stop time EC2 gives in the state-transition reason
 *       when it does, else at the last sweep that saw it running (at most five minutes short).</li>
 * </ul>
 */
public final class RunRecorder {
    /** Runs older than this are never reopened or closed: a month, and the longest run it may hold. */
    static final Duration LOOK_BACK = Duration.ofDays(62);
    private static final Pattern TRANSITION_TIME = Pattern.compile("\\((\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) GMT\\)");
    private static final DateTimeFormatter TRANSITION = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Ledger ledger;
    private final OnDemandPrices prices;

    public RunRecorder(Ledger ledger, OnDemandPrices prices) {
        this.ledger = ledger;
        this.prices = prices;
    }

    /** False without a ledger: nothing to record, so no event needs a look-up for it. */
    public boolean enabled() {
        return ledger.enabled();
    }

    /**
     * An EC2 state-change event for {@code box} (as DescribeInstances shows it now) at {@code eventTime}.
     *
     * @return the hourly price the box's current run is recorded at (so its notice shows the ledger's cost),
     *     or null when there is no ledger or the event is not about that run
     */
    public Double onEvent(Instance box, String state, Instant eventTime) {
        if (!ledger.enabled() || box.launchTime() == null) {
            return null;
        }
        List<Ledger.Run> all = runsOf(box.instanceId(), eventTime);
        List<Ledger.Run> open = all.stream().filter(Ledger.Run::open).toList();
        Instant launch = box.launchTime();
        if (state.equals("running") || state.equals("pending")) {
            Double hourly = record(box, launch, null, null, open);
            closeLost(open, launch);
            return hourly;
        } else if (state.equals("stopped")) {
            if (launch.isBefore(eventTime)) {
                Double hourly = record(box, launch, eventTime, null, open);
                closeLost(open, launch);
                return hourly;
            } else {
                // The box started again before this late event arrived: it stops the run before that start.
                // (open, or closed at an estimate by that start's event: the reported time replaces it)
                Optional<Ledger.Run> stoppedRun = all.stream().filter(r -> r.launchTime().isBefore(eventTime))
                        .max(Comparator.comparing(Ledger.Run::launchTime));
                stoppedRun.ifPresent(r -> close(r, eventTime));
                stoppedRun.ifPresent(r -> closeLost(open, r.launchTime()));
            }
        }
        return null;
    }

    /** The sweep: every managed box as listed now. */
    public void reconcile(List<Instance> boxes, Instant now) {
        if (!ledger.enabled()) {
            return;
        }
        List<Ledger.Run> runs = ledger.runsLaunchedSince(now.minus(LOOK_BACK));
        Map<String, Instance> byId = boxes.stream().collect(Collectors.toMap(Instance::instanceId,
                Function.identity(), (a, b) -> a));
        for (Instance box : boxes) {
            String state = box.state().nameAsString();
            if ((state.equals("running") || state.equals("pending")) && box.launchTime() != null) {
                record(box, box.launchTime(), null, now, runs);
            }
        }
        for (Ledger.Run run : runs) {
            if (!run.open()) {
                continue;
            }
            Instance box = byId.get(run.instanceId());
            String state = box == null ? "gone" : box.state().nameAsString();
            boolean sameRun = box != null && run.launchTime().equals(box.launchTime());
            if (sameRun && (state.equals("running") || state.equals("pending"))) {
                continue;
            }
            if (sameRun && state.equals("stopped")) {
                Instant stoppedAt = transitionTime(box);
                if (stoppedAt != null && !stoppedAt.isBefore(run.launchTime())) {
                    close(run, stoppedAt);
                } else {
                    closeEstimated(run, lostStop(run));
                }
            } else if (!state.equals("stopping") || !sameRun) {
                closeEstimated(run, lostStop(run));
            }
        }
    }

    /** @return the run's hourly price: the one already recorded (the first write's wins), else the one written */
    private Double record(Instance box, Instant launch, Instant stoppedAt, Instant seen, List<Ledger.Run> known) {
        Double recorded = known.stream().filter(r -> r.instanceId().equals(box.instanceId())
                && r.launchTime().equals(launch) && r.hourlyUsd() != null).map(Ledger.Run::hourlyUsd)
                .findFirst().orElse(null);
        String type = box.instanceTypeAsString();
        Double price = recorded != null ? null : prices.quote(box).usdPerHour();
        ledger.upsert(new Ledger.RunUpdate(box.instanceId(), launch, type, price, stoppedAt, seen));
        return recorded != null ? recorded : price;
    }

    /** Open runs launched before {@code launch} lost their stop event: closed at their last sighting. */
    private void closeLost(List<Ledger.Run> open, Instant launch) {
        open.stream().filter(r -> r.launchTime().isBefore(launch)).forEach(r -> closeEstimated(r, lostStop(r)));
    }

    private void close(Ledger.Run run, Instant at) {
        ledger.upsert(new Ledger.RunUpdate(run.instanceId(), run.launchTime(), null, null, at, null, false));
    }

    /** A run whose stop event was lost: closed at an estimate, which the event, if it comes late, replaces. */
    private void closeEstimated(Ledger.Run run, Instant at) {
        ledger.upsert(new Ledger.RunUpdate(run.instanceId(), run.launchTime(), null, null, at, null, true));
    }

    private static Instant lostStop(Ledger.Run run) {
        return run.lastSeen() != null && run.lastSeen().isAfter(run.launchTime()) ? run.lastSeen() : run.launchTime();
    }

    private List<Ledger.Run> runsOf(String instanceId, Instant at) {
        return ledger.runsLaunchedSince(at.minus(LOOK_BACK)).stream()
                .filter(r -> r.instanceId().equals(instanceId)).toList();
    }

    /** "User initiated (2026-12-02 12:00:00 GMT)": the time EC2 gives for the last transition, or null. */
    static Instant transitionTime(Instance box) {
        String reason = box.stateTransitionReason();
        Matcher m = reason == null ? null : TRANSITION_TIME.matcher(reason);
        if (m == null || !m.find()) {
            return null;
        }
        try {
            return LocalDateTime.parse(m.group(1), TRANSITION).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
