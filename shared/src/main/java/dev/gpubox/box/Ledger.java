package dev.gpubox.box;

import java.time.Instant;
import java.util.List;

/**
 * gpubox's own record of every run of every managed box: when it started and stopped, its type and the
 * hourly price it ran at. Fed by EC2's state-change events and the five-minute sweep ({@link RunRecorder}),
 * read for the month's spend ({@link MonthlyBudget}). Deployed it is a DynamoDB table ({@link DynamoLedger});
 * local mode keeps it in memory ({@link MemoryLedger}).
 *
 * <p>Every write is an idempotent upsert keyed by instance and launch time: a duplicated event writes the
 * same values again, and the first stop time written wins.
 */
public interface Ledger {
    /** A stack without a ledger: records nothing, and has no month to show. */
    Ledger NONE = new Ledger() {
        @Override
        public void upsert(RunUpdate update) {
        }

        @Override
        public List<Run> runsLaunchedSince(Instant from) {
            return List.of();
        }

        @Override
        public CachedPrice price(String key) {
            return null;
        }

        @Override
        public void savePrice(String key, CachedPrice price) {
        }

        @Override
        public boolean firstTime(String mark, Instant at) {
            return false;
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** One run of a box, as recorded; {@code stoppedAt} null while open, {@code lastSeen} the latest sweep that saw it running. */
    record Run(String instanceId, Instant launchTime, String instanceType, Double hourlyUsd, Instant stoppedAt,
               Instant lastSeen) {
        public boolean open() {
            return stoppedAt == null;
        }
    }

    /**
     * What one observation adds to a run. Type and price are kept from the first write. A stop EC2 reported
     * ({@code stopEstimated} false) is kept from the first such write and replaces an estimated one; an
     * estimated stop (a lost event's, at the run's last sighting) is written only where there is no stop yet.
     * {@code seenRunningAt}, when given, replaces the last-seen time.
     */
    record RunUpdate(String instanceId, Instant launchTime, String instanceType, Double hourlyUsd, Instant stoppedAt,
                     Instant seenRunningAt, boolean stopEstimated) {
        /** An observation with no stop, or with the stop EC2 reported. */
        public RunUpdate(String instanceId, Instant launchTime, String instanceType, Double hourlyUsd,
                         Instant stoppedAt, Instant seenRunningAt) {
            this(instanceId, launchTime, instanceType, hourlyUsd, stoppedAt, seenRunningAt, false);
        }
    }

    /** A price read from the Price List API, and when. */
    record CachedPrice(double usdPerHour, Instant fetchedAt) {
    }

    void upsert(RunUpdate update);

    /** Runs launched at or after {@code from}, oldest first. */
    List<Run> runsLaunchedSince(Instant from);

    /** The cached price under {@code key}, or null. */
    CachedPrice price(String key);

    void savePrice(String key, CachedPrice price);

    /** Records {@code mark} (e.g. the 80 % notice of 2026-12); true only for the call that wrote it first. */
    boolean firstTime(String mark, Instant at);

    /** False for {@link #NONE}: there is no month to show. */
    default boolean enabled() {
        return true;
    }
}
