package dev.gpubox.box;

import java.util.Map;

/**
 * The spend ledger and the monthly cap, from the environment template.yaml sets:
 * <ul>
 *   <li>{@code GPUBOX_LEDGER_TABLE} — the DynamoDB table of runs; unset: no ledger, no month shown.</li>
 *   <li>{@code GPUBOX_MONTHLY_BUDGET} — {@code MonthlyBudgetUsd}, dollars a calendar month in the stack's zone;
 *       0 or unset: no cap (the month is still shown).</li>
 *   <li>{@code GPUBOX_DISK_GIB} — the root volume's size ({@code RootVolumeSize}), for the disk's share.</li>
 *   <li>{@code AWS_REGION} — whose on-demand price is read (Lambda sets it).</li>
 * </ul>
 */
public record BudgetSettings(String ledgerTable, double monthlyBudgetUsd, int diskGib, String region) {
    public static final String LEDGER_TABLE = "GPUBOX_LEDGER_TABLE";
    public static final String MONTHLY_BUDGET = "GPUBOX_MONTHLY_BUDGET";
    public static final String DISK_GIB = "GPUBOX_DISK_GIB";
    public static final BudgetSettings OFF = new BudgetSettings(null, 0, 0, null);

    public static BudgetSettings fromEnvironment() {
        return from(System.getenv());
    }

    public static BudgetSettings from(Map<String, String> env) {
        String table = env.get(LEDGER_TABLE);
        return new BudgetSettings(table == null || table.isBlank() ? null : table.trim(),
                number(env.get(MONTHLY_BUDGET)), (int) number(env.get(DISK_GIB)), env.get("AWS_REGION"));
    }

    public boolean capped() {
        return monthlyBudgetUsd > 0;
    }

    public BudgetSettings withMonthlyBudget(double usd) {
        return new BudgetSettings(ledgerTable, usd, diskGib, region);
    }

    private static double number(String raw) {
        try {
            return raw == null || raw.isBlank() ? 0 : Math.max(0, Double.parseDouble(raw.trim()));
        } catch (NumberFormatException e) {
            return 0; // an unreadable value turns the feature off rather than breaking every call
        }
    }
}
