package dev.gpubox.box;

import java.time.Instant;
import java.util.Locale;

/**
 * This calendar month's spend so far, in the stack's time zone: the box's hours and their dollars at the
 * price each run was recorded at, plus the disk and the public IPv4 address (billed whether the box runs or
 * not). An estimate: see docs/money-safety.md for how far it can be from the bill.
 *
 * @param budgetUsd {@code MonthlyBudgetUsd}, or null when there is no cap
 */
public record MonthToDate(Instant monthStart, double runHours, double computeUsd, double diskUsd, double ipv4Usd,
                          Double budgetUsd) {

    public double totalUsd() {
        return round(computeUsd + diskUsd + ipv4Usd);
    }

    /** "This month: 41 h, ~$21.60 of $50." */
    public String line() {
        String hours = runHours < 10 && runHours > 0 ? String.format(Locale.ROOT, "%.1f h", runHours)
                : Math.round(runHours) + " h";
        return "This month: " + hours + ", ~" + usd(totalUsd()) + (budgetUsd == null ? "" : " of " + usd(budgetUsd))
                + ".";
    }

    /** "$50" for whole dollars, "$21.60" otherwise. */
    static String usd(double value) {
        return value == Math.rint(value) && value >= 10 ? String.format(Locale.ROOT, "$%.0f", value)
                : String.format(Locale.ROOT, "$%.2f", value);
    }

    static double round(double usd) {
        return Math.round(usd * 100) / 100.0;
    }
}
