package dev.gpubox.bench;

import dev.gpubox.local.LocalContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./gpubox bench money}: what gpubox saves, measured. Replays a month of usage traces ({@link UsageTraces})
 * under each stop policy ({@link MoneyPolicy}) through the real handlers and the EC2 simulator
 * ({@link MoneyMonth}) and prints, per trace and policy, the GPU hours billed, the hours used and dollars, as
 * the Markdown table docs/money-safety.md holds.
 */
public final class MoneyBench {
    /** The help; ./gpubox reads this text block from the source, so --help needs no build. */
    static final String USAGE = """
            usage: ./gpubox bench money [options]
            Replays a month of usage traces minute by minute under each stop policy, through the real handlers
            and the EC2 simulator, and prints per trace and policy the GPU hours billed, the hours used and
            dollars (docs/money-safety.md, "What gpubox saves, measured").
              --days N              how many days to replay (default 30)
              --from YYYY-MM-DD     the first day, in Asia/Shanghai (default 2026-11-01)
              --traces a,b,...      forgetful, overnight-trainer, late-starter, leaked-key, leaked-key-starts
                                    (default: all)
              --policies a,b,...    seed, defaults, watchdog, cap (default: all)
              --idle-minutes N      the watchdog policy's IdleMinutes (default 30)
              --budget-usd N        the cap policy's MonthlyBudgetUsd (default 150)
              --template PATH       template.yaml, for ScheduledStopFunction's Timeout (default template.yaml)
              --out FILE            where the table is written (default bench/target/money-table.md)
              --update-docs FILE    also put the table between the money-bench markers of FILE
                                    (docs/money-safety.md)
            """;
    static final String BEGIN = "<!-- money-bench:begin -->\n";
    static final String END = "<!-- money-bench:end -->";

    private MoneyBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException | java.time.DateTimeException e) {
            System.err.println("gpubox bench money: " + (e instanceof ArrayIndexOutOfBoundsException
                    ? "an option lacks its value" : e.getMessage()) + "\n" + USAGE.lines().findFirst().orElse(""));
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.print(USAGE);
            return;
        }
        long began = System.nanoTime();
        MoneyMonth.Setup setup = options.setup();
        System.err.printf("bench money: %d traces x %d policies, %d days minute by minute...%n",
                setup.traces().size(), setup.policies().size(), setup.days());
        List<MoneyMonth.Row> rows = MoneyMonth.replay(setup);
        Bench.publish(table(setup, rows, Duration.ofNanos(System.nanoTime() - began)), options.out, options.docs,
                BEGIN, END);
    }

    /** The Markdown table, with the setting it was measured in and what each trace does. */
    static String table(MoneyMonth.Setup setup, List<MoneyMonth.Row> rows, Duration took) {
        StringBuilder out = new StringBuilder();
        double hourly = rows.isEmpty() ? Double.NaN : rows.get(0).hourlyUsd();
        double spot = rows.isEmpty() ? Double.NaN : rows.get(0).spotHourlyUsd();
        out.append(String.format(Locale.ROOT, "%s to %s (%d days) in %s, one %s per trace and policy at $%.3f/h"
                        + " (on-demand, instance only; Spot $ is the same billed hours at the Spot price gpubox reads,"
                        + " $%.4f/h in %s); nightly stop %s, IdleMinutes %d, MonthlyBudgetUsd %s.%n%n",
                setup.firstDay(), setup.firstDay().plusDays(setup.days()), setup.days(), MoneyMonth.ZONE,
                MoneyMonth.INSTANCE_TYPE, hourly, spot, dev.gpubox.sim.SpotPrices.BOX_ZONE, MoneyMonth.NIGHTLY,
                setup.idleMinutes(), money(setup.budgetUsd())));
        out.append("| trace | policy | used h | billed h | billed ÷ used | billed $ | Spot $ | $ for nothing"
                + " | needed, box off h | owner's calls refused | notices |\n");
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (MoneyMonth.Row r : rows) {
            double wasted = Math.max(0, r.billedHours() - r.usedHours()) * r.hourlyUsd();
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %s | %s | %s | %.1f | %d | %d |%n",
                    r.trace().name(), r.policy().title, r.usedHours(), r.billedHours(),
                    r.usedHours() == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", r.billedHours() / r.usedHours()),
                    money(r.dollars()), money(r.spotDollars()), money(wasted), r.neededButOffHours(), r.refused(), r.notices().size()));
        }
        out.append('\n');
        Map<String, String> traces = new LinkedHashMap<>();
        rows.forEach(r -> traces.putIfAbsent(r.trace().name(), r.trace().who()));
        traces.forEach((name, who) -> out.append("- `").append(name).append("`: ").append(who).append(".\n"));
        rows.stream().map(MoneyMonth.Row::policy).distinct().forEach(p ->
                out.append("- ").append(p.title).append(": ").append(p.what).append(".\n"));
        out.append(String.format(Locale.ROOT, "%nReplayed in %d s by `./gpubox bench money`.%n", took.toSeconds()));
        return out.toString();
    }

    private static String money(double usd) {
        return String.format(Locale.ROOT, "$%,.2f", usd);
    }

    record Options(LocalDate from, int days, List<String> traces, List<MoneyPolicy> policies, int idleMinutes,
                   double budgetUsd, Path template, Path out, Path docs) {

        MoneyMonth.Setup setup() throws IOException {
            return new MoneyMonth.Setup(from, days, traces, policies, idleMinutes, budgetUsd,
                    LocalContext.timeoutIn(template, "ScheduledStopFunction"));
        }

        /** @return null for --help */
        static Options parse(String[] args) {
            LocalDate from = LocalDate.of(2026, 11, 1);
            int days = 30;
            List<String> traces = UsageTraces.ALL;
            List<MoneyPolicy> policies = List.of(MoneyPolicy.values());
            int idleMinutes = 30;
            double budget = 150;
            Path template = Path.of("template.yaml");
            Path out = Path.of("bench/target/money-table.md");
            Path docs = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        return null;
                    }
                    case "--days" -> days = positive("--days", args[++i]);
                    case "--from" -> from = LocalDate.parse(args[++i]);
                    case "--traces" -> traces = List.of(args[++i].split(","));
                    case "--policies" -> {
                        List<MoneyPolicy> chosen = new ArrayList<>();
                        Arrays.stream(args[++i].split(",")).forEach(p -> chosen.add(MoneyPolicy.byId(p)));
                        policies = List.copyOf(chosen);
                    }
                    case "--idle-minutes" -> idleMinutes = positive("--idle-minutes", args[++i]);
                    case "--budget-usd" -> budget = positive("--budget-usd", args[++i]);
                    case "--template" -> template = Path.of(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--update-docs" -> docs = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            for (String trace : traces) {
                if (!UsageTraces.ALL.contains(trace)) {
                    throw new IllegalArgumentException("no trace named " + trace + "; the traces are "
                            + String.join(", ", UsageTraces.ALL));
                }
            }
            if (!Files.isRegularFile(template)) {
                throw new IllegalArgumentException(template + " not found: run from the repository's root, or pass"
                        + " --template PATH");
            }
            return new Options(from, days, traces, policies, idleMinutes, budget, template, out, docs);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a whole number of 1 or more, not " + value);
        }
    }
}
