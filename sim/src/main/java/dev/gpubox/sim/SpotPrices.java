package dev.gpubox.sim;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code DescribeSpotPriceHistory} for the simulated region (us-west-2): a price history per zone, instance type
 * and product, answered as EC2 answers it. With a start and end time EC2 returns the changes inside that range
 * and the last change before the start ("the effective price as of the start time"); without them, the
 * history; newest first. Parameters {@code InstanceType.N}, {@code ProductDescription.N},
 * {@code AvailabilityZone} and the filters {@code availability-zone}, {@code instance-type},
 * {@code product-description} narrow it.
 *
 * <p>The prices: g4dn.xlarge at $0.24–0.25 an hour across the zones, about 46 % of its $0.526 on-demand price,
 * as the public catalog has it; the other GPU types at 35–50 % of on-demand, illustrative only. Each
 * zone has an older entry at another price, so "the latest entry" is something a client must choose. A
 * Windows entry sits beside the Linux one (dearer, as Windows is), so a client must also choose the product.
 *
 * <p>Which instances are Spot is the Spot model's ({@link SpotRequests}); this class only prices them.
 */
public final class SpotPrices {
    public static final String LINUX = "Linux/UNIX";
    /** The zone every simulated instance is placed in. */
    public static final String BOX_ZONE = "us-west-2a";
    /** When the seeded current prices took effect; the older ones a month before. */
    static final Instant CURRENT_SINCE = Instant.parse("2025-06-01T00:00:00Z");
    static final Instant OLDER_SINCE = Instant.parse("2025-05-01T00:00:00Z");

    private record Key(String zone, String type, String product) {
    }

    private record Entry(Key key, Instant at, double usd) {
    }

    private final Map<Key, TreeMap<Instant, Double>> history = new ConcurrentHashMap<>();

    SpotPrices() {
        // zone a..d: the current price of each type, then the older one
        seed("g4dn.xlarge", new double[] {0.2456, 0.2398, 0.2512, 0.2441}, new double[] {0.2389, 0.2402, 0.2475, 0.2466});
        seed("g4dn.2xlarge", new double[] {0.3402, 0.3361, 0.3497, 0.3380}, new double[] {0.3311, 0.3390, 0.3420, 0.3405});
        seed("g5.xlarge", new double[] {0.4123, 0.4287, 0.4051, 0.4199}, new double[] {0.4012, 0.4230, 0.4100, 0.4150});
        seed("g5.2xlarge", new double[] {0.4897, 0.5012, 0.4803, 0.4950}, new double[] {0.4788, 0.4990, 0.4850, 0.4901});
        seed("g6.xlarge", new double[] {0.3664, 0.3590, 0.3721, 0.3630}, new double[] {0.3600, 0.3555, 0.3690, 0.3612});
        seed("g6.2xlarge", new double[] {0.4303, 0.4250, 0.4388, 0.4299}, new double[] {0.4211, 0.4240, 0.4300, 0.4280});
        seed("g6e.xlarge", new double[] {0.8571, 0.8490, 0.8702, 0.8533}, new double[] {0.8400, 0.8455, 0.8600, 0.8510});
        seed("p3.2xlarge", new double[] {0.9180, 0.9302, 0.9111, 0.9255}, new double[] {0.9000, 0.9250, 0.9050, 0.9200});
        seed("p2.xlarge", new double[] {0.2700, 0.2700, 0.2700, 0.2700}, new double[] {0.2700, 0.2700, 0.2700, 0.2700});
        history.put(new Key(BOX_ZONE, "g4dn.xlarge", "Windows"),
                new TreeMap<>(Map.of(CURRENT_SINCE, 0.4296)));
    }

    private void seed(String type, double[] current, double[] older) {
        for (int z = 0; z < 4; z++) {
            TreeMap<Instant, Double> prices = new TreeMap<>();
            prices.put(OLDER_SINCE, older[z]);
            prices.put(CURRENT_SINCE, current[z]);
            history.put(new Key("us-west-2" + (char) ('a' + z), type, LINUX), prices);
        }
    }

    /** The Linux/UNIX Spot price of {@code type} in {@code zone} changes to {@code usd} at {@code at}. */
    public void priceChange(String zone, String type, double usd, Instant at) {
        history.computeIfAbsent(new Key(zone, type, LINUX), k -> new TreeMap<>()).put(at, usd);
    }

    /** The Linux/UNIX Spot price of {@code type} in {@code zone} in effect at {@code at}; null when none. */
    public Double priceAt(String zone, String type, Instant at) {
        TreeMap<Instant, Double> prices = history.get(new Key(zone, type, LINUX));
        var entry = prices == null ? null : prices.floorEntry(at);
        return entry == null ? null : entry.getValue();
    }

    String describe(QueryRequest r, String requestId) {
        Map<String, List<String>> filters = r.filters();
        List<String> types = union(r.list("InstanceType"), filters.get("instance-type"));
        List<String> products = union(r.list("ProductDescription"), filters.get("product-description"));
        List<String> zones = union(r.get("AvailabilityZone") == null ? List.of() : List.of(r.get("AvailabilityZone")),
                filters.get("availability-zone"));
        Instant start = time(r, "StartTime");
        Instant end = time(r, "EndTime");
        if (start != null && end != null && end.isBefore(start)) {
            throw Ec2Error.client("InvalidParameterValue", "The end time must be after the start time.");
        }
        List<Entry> found = new ArrayList<>();
        history.forEach((key, prices) -> {
            if (!(types.isEmpty() || types.contains(key.type())) || !(products.isEmpty() || products.contains(key.product()))
                    || !(zones.isEmpty() || zones.contains(key.zone()))) {
                return;
            }
            Instant upTo = end == null ? Instant.MAX : end;
            prices.headMap(upTo, true).forEach((at, usd) -> {
                if (start == null || !at.isBefore(start)) {
                    found.add(new Entry(key, at, usd));
                }
            });
            // The change in effect at the start time, unless one at the start itself is already listed.
            var effective = start == null ? null : prices.floorEntry(start);
            if (effective != null && effective.getKey().isBefore(start)) {
                found.add(new Entry(key, effective.getKey(), effective.getValue()));
            }
        });
        found.sort(Comparator.comparing(Entry::at).reversed());
        return Xml.response("DescribeSpotPriceHistory", requestId, x -> x.set("spotPriceHistorySet", found,
                (ix, e) -> ix.leaf("instanceType", e.key().type()).leaf("productDescription", e.key().product())
                        .leaf("spotPrice", String.format(Locale.ROOT, "%.6f", e.usd()))
                        .leaf("timestamp", e.at()).leaf("availabilityZone", e.key().zone())));
    }

    private static List<String> union(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        if (b != null) {
            all.addAll(b);
        }
        return all;
    }

    private static Instant time(QueryRequest r, String name) {
        String raw = r.get(name);
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw Ec2Error.client("InvalidParameterValue", "Invalid value '" + raw + "' for " + name + ".");
        }
    }
}
