package dev.gpubox.bench;

/** Who stops the box in a replayed month. */
enum MoneyPolicy {
    /**
     * ../shared/peers/seed_stop.py, the Lambda gpubox replaces: an EventBridge cron at 12:00 UTC (the original
     * user's 20:00 in Beijing) calling StopInstances once for its instance list, no retry of a failed run, no
     * API: no snooze, no late-start rule, and a leaked key has nothing to call.
     */
    SEED("seed", "seed Lambda", "the seed's nightly Lambda: a 12:00 UTC cron (20:00 in Beijing), one StopInstances,"
            + " no retry, no API"),
    /** template.yaml's defaults: the nightly stop at 20:00 in the stack's zone and the five-minute sweep. */
    DEFAULTS("defaults", "gpubox defaults", "gpubox's defaults: the nightly stop at 20:00 in the stack's zone, the"
            + " five-minute sweep, LateStartHours 4, MaxSnoozeHours 12"),
    /** The defaults and the on-box idle watchdog (box/gpubox-idle-watchdog.sh) with IdleMinutes set. */
    WATCHDOG("watchdog", "gpubox + watchdog", "the defaults and the idle watchdog on the box, with the IdleMinutes"
            + " above"),
    /** The defaults and MonthlyBudgetUsd. */
    CAP("cap", "gpubox + cap", "the defaults and MonthlyBudgetUsd as above");

    final String id;
    final String title;
    final String what;

    MoneyPolicy(String id, String title, String what) {
        this.id = id;
        this.title = title;
        this.what = what;
    }

    static MoneyPolicy byId(String id) {
        for (MoneyPolicy p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no policy named " + id + "; the policies are seed, defaults, watchdog, cap");
    }
}
