package dev.gpubox.box;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Estimated cost of a running box: uptime × the instance type's on-demand Linux price per hour. The table
 * holds us-east-1/us-west-2 list prices; other regions differ by a few percent, and the template's
 * {@code HourlyPriceUsd} parameter overrides it (reserved, spot, or another region's price).
 */
public final class Pricing {
    static final Map<String, Double> ON_DEMAND_USD_PER_HOUR = Map.of(
            "g4dn.xlarge", 0.526, "g4dn.2xlarge", 0.752,
            "g5.xlarge", 1.006, "g5.2xlarge", 1.212,
            "g6.xlarge", 0.8048, "g6.2xlarge", 0.9776,
            "g6e.xlarge", 1.861,
            "p3.2xlarge", 3.06, "p2.xlarge", 0.90);

    private final Double override;

    /** @param override a price per hour that wins over the table; null or 0 to use the table */
    public Pricing(Double override) {
        this.override = override == null || override <= 0 ? null : override;
    }

    /** True when {@code HourlyPriceUsd} is set: it wins over every other price. */
    public boolean overridden() {
        return override != null;
    }

    /** Dollars per hour, or null when the type is not in the table and no override is set. */
    public Double hourly(String instanceType) {
        return override != null ? override : ON_DEMAND_USD_PER_HOUR.get(instanceType);
    }

    public Double cost(String instanceType, Duration uptime) {
        Double hourly = hourly(instanceType);
        // An event stamped before the launch (clock skew, a late event) is no uptime, never a refund.
        return hourly == null || uptime == null ? null
                : Math.round(hourly * Math.max(0, uptime.toSeconds()) / 3600.0 * 100) / 100.0;
    }

    /** "3 h 5 min, ~$1.62" — uptime with its cost when the price is known. */
    public String uptimeAndCost(String instanceType, Duration uptime) {
        Double cost = cost(instanceType, uptime);
        return Durations.human(uptime) + (cost == null ? "" : String.format(Locale.ROOT, ", ~$%.2f", cost));
    }
}
