package dev.gpubox.local.bench;

/** Who stops the box in a replayed month. */
enum MoneyPolicy {
    /**
     * ../shared/peers/seed_stop.py, the Lambda gpubox replaces: an EventBridge cron at 12:00 UTC (the original
     * user's 20:00 in Beijing) calling StopInstances once for its instance list, no retry of a failed run, no
     * API: no snooze, no late-start rule, and a leaked key has nothing to call.
     */
    SEED("seed", "the seed's nightly Lambda (12:00 UTC cron, one StopInstances, no retry)"),
    /** template.yaml's defaults: the nightly stop at 20:00 in the stack's zone and the five-minute sweep. */
    DEFAULTS("defaults", "gpubox defaults"),
    /** The defaults and the on-box idle watchdog (box/gpubox-idle-watchdog.sh) with IdleMinutes set. */
    WATCHDOG("watchdog", "gpubox + idle watchdog"),
    /** The defaults and MonthlyBudgetUsd. */
    CAP("cap", "gpubox + monthly cap");

    final String id;
    final String title;

    MoneyPolicy(String id, String title) {
        this.id = id;
        this.title = title;
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
