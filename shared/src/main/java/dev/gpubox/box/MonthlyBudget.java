package dev.gpubox.box;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The month's spend from the {@link Ledger}, and the cap on it ({@code MonthlyBudgetUsd}): one notice at
 * 80 %, no start once it is reached, and the sweep stopping every running box when it is crossed. The month
 * is the calendar month in the stack's time zone ({@link StopPolicy#zone()}).
 */
public final class MonthlyBudget {
    /** gp3 storage, USD per GiB-month (us-east-1 list price; most regions are within ~20 %). */
    static final double GP3_USD_PER_GIB_MONTH = 0.08;
    /** Every public IPv4 address, attached or not, USD per hour. */
    static final double IPV4_USD_PER_HOUR = 0.005;
    static final double NOTICE_AT = 0.8;
    public static final String PARAMETER = "MonthlyBudgetUsd";

    private final Ledger ledger;
    private final BoxConfig config;
    private final BudgetSettings settings;
    private final RunRecorder recorder;
    private final OnDemandPrices prices;

    public MonthlyBudget(Ledger ledger, BoxConfig config, BudgetSettings settings, OnDemandPrices prices) {
        this.ledger = ledger;
        this.config = config;
        this.settings = settings;
        this.prices = prices;
        this.recorder = new RunRecorder(ledger, prices);
    }

    /** No ledger: nothing recorded, no month shown, no cap. */
    public static MonthlyBudget off(BoxConfig config) {
        return new MonthlyBudget(Ledger.NONE, config, BudgetSettings.OFF,
                new OnDemandPrices(Ledger.NONE, PriceList.NONE, config.pricing(), null, java.time.Clock.systemUTC()));
    }

    /**
     * A cap over a ledger in memory (this process's runs; the same upsert rules as the deployed DynamoLedger),
     * priced from gpubox's table, as no Price List API is reached offline: local mode and the money bench.
     */
    public static MonthlyBudget inMemory(BoxConfig config, double budgetUsd, int diskGib, java.time.Clock clock) {
        return inMemory(config, budgetUsd, diskGib, clock, SpotPrices.NONE);
    }

    /** The same, a Spot box's runs recorded at the Spot price {@code spot} reads (the simulator's, offline). */
    public static MonthlyBudget inMemory(BoxConfig config, double budgetUsd, int diskGib, java.time.Clock clock,
                                         SpotPrices spot) {
        Ledger ledger = new MemoryLedger();
        return new MonthlyBudget(ledger, config, new BudgetSettings("memory", budgetUsd, diskGib, null),
                new OnDemandPrices(ledger, PriceList.NONE, config.pricing(), null, clock, spot));
    }

    public RunRecorder recorder() {
        return recorder;
    }

    /** The Spot prices the ledger's runs are recorded at; {@link SpotPrices#NONE} without EC2 to ask. */
    public SpotPrices spotPrices() {
        return prices.spot();
    }

    /** This month's spend until {@code now}; null when the stack keeps no ledger. */
    public MonthToDate monthToDate(Instant now) {
        if (!ledger.enabled()) {
            return null;
        }
        ZoneId zone = config.policy().zone();
        Instant start = monthStart(now, zone);
        Pricing table = config.pricing();
        double hours = 0;
        double compute = 0;
        for (Ledger.Run run : ledger.runsLaunchedSince(start.minus(RunRecorder.LOOK_BACK))) {
            Instant from = run.launchTime().isBefore(start) ? start : run.launchTime();
            Instant to = run.stoppedAt() == null || run.stoppedAt().isAfter(now) ? now : run.stoppedAt();
            if (!to.isAfter(from)) {
                continue;
            }
            double h = Duration.between(from, to).toMillis() / 3_600_000.0;
            Double hourly = run.hourlyUsd() != null ? run.hourlyUsd() : table.hourly(run.instanceType());
            hours += h;
            compute += h * (hourly == null ? 0 : hourly);
        }
        Instant end = start.atZone(zone).plusMonths(1).toInstant();
        double elapsedHours = Duration.between(start, now).toMillis() / 3_600_000.0;
        double monthHours = Duration.between(start, end).toMillis() / 3_600_000.0;
        double disk = settings.diskGib() * GP3_USD_PER_GIB_MONTH * elapsedHours / monthHours;
        double ipv4 = config.eipAllocationId() == null ? 0 : IPV4_USD_PER_HOUR * elapsedHours;
        return new MonthToDate(start, hours, MonthToDate.round(compute), MonthToDate.round(disk),
                MonthToDate.round(ipv4), settings.capped() ? settings.monthlyBudgetUsd() : null);
    }

    /** Throws {@link ErrorCode#BUDGET_REACHED} when this month's spend has reached the cap. */
    public void refuseStartIfOver(Instant now) {
        if (!settings.capped() || !ledger.enabled()) {
            return;
        }
        MonthToDate month;
        try {
            month = monthToDate(now);
        } catch (BoxException e) {
            // The ledger unreadable must not lock the user out; the AWS Budget stays the backstop.
            System.out.println("gpubox: the spend ledger could not be read (" + e.getMessage()
                    + "); the start is not checked against " + PARAMETER);
            return;
        }
        if (month.totalUsd() >= settings.monthlyBudgetUsd()) {
            ZoneId zone = config.policy().zone();
            throw new BoxException(ErrorCode.BUDGET_REACHED, "This month's spend (~" + MonthToDate.usd(month.totalUsd())
                    + ") has reached " + PARAMETER + " (" + MonthToDate.usd(settings.monthlyBudgetUsd())
                    + "), so gpubox does not start the box until " + nextMonth(now, zone)
                    + ". To start it now, raise " + PARAMETER + " (sam deploy).");
        }
    }

    /**
     * The sweep's part: brings the ledger up to date with the boxes as listed, sends the 80 % and the
     * 100 % notice once a month each, and says whether the cap is reached (then every running box is due).
     * A ledger failure is logged and never keeps the nightly stop from running.
     */
    public boolean sweep(List<Instance> boxes, Instant now, Notifier notifier) {
        if (!ledger.enabled()) {
            return false;
        }
        try {
            recorder.reconcile(boxes, now);
            if (!settings.capped()) {
                return false;
            }
            MonthToDate month = monthToDate(now);
            ZoneId zone = config.policy().zone();
            String ym = YearMonth.from(now.atZone(zone)).toString();
            double cap = settings.monthlyBudgetUsd();
            String spent = "~" + MonthToDate.usd(month.totalUsd()) + " of " + MonthToDate.usd(cap);
            // Marked before it is sent, so two sweeps never both send it; the AWS Budget's own notice backs it up.
            if (month.totalUsd() >= cap) {
                if (ledger.firstTime("budget-100#" + ym, now)) {
                    notifier.publish("gpubox: monthly budget reached", "This month's spend (" + spent + ", "
                            + PARAMETER + ") has reached the cap: gpubox stops every running box now and refuses"
                            + " starts until " + nextMonth(now, zone) + ".");
                }
                return true;
            }
            if (month.totalUsd() >= NOTICE_AT * cap && ledger.firstTime("budget-80#" + ym, now)) {
                notifier.publish("gpubox: 80% of the monthly budget", "This month's spend is " + spent + " ("
                        + PARAMETER + "). At the cap gpubox stops the box and refuses starts until "
                        + nextMonth(now, zone) + ".");
            }
            return false;
        } catch (BoxException e) {
            System.out.println("gpubox: the spend ledger failed in the sweep (" + e.getMessage()
                    + "); the monthly cap is not checked this run");
            return false;
        }
    }

    static Instant monthStart(Instant now, ZoneId zone) {
        return now.atZone(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
    }

    /** "1 Jan 00:00 Asia/Shanghai" */
    private static String nextMonth(Instant now, ZoneId zone) {
        ZonedDateTime next = now.atZone(zone).toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(zone);
        return next.format(java.time.format.DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH)) + " "
                + ZoneTimes.clock(next.toInstant(), zone);
    }
}
