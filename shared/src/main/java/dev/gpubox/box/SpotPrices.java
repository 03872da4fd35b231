package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

/**
 * The Spot price EC2 charges now for one instance type in one Availability Zone: the latest
 * {@code DescribeSpotPriceHistory} entry for Linux/UNIX in that zone. A Spot instance is billed per second at
 * the price in effect, and that price is one number per zone and type that AWS moves gradually, "based on
 * long-term trends in supply and demand" (EC2 user guide, Spot pricing; no bidding since 2017), so one answer is
 * kept for an hour ({@link #CACHE_FOR}) per zone and type: a phone tap pays for the call at most once an hour
 * per container, and an estimate is off only by a change within that hour. A failed call is remembered for
 * {@link #RETRY_AFTER}, so an account that denies the call (an SCP) does not add a round trip to every tap.
 *
 * <p>The cache lives in this object: one per handler instance, that is one per Lambda container.
 */
public final class SpotPrices {
    static final Duration CACHE_FOR = Duration.ofHours(1);
    static final Duration RETRY_AFTER = Duration.ofMinutes(5);
    /** The product a gpubox box is (a Linux AMI, in a VPC): EC2's name for it in the price history. */
    static final String LINUX = "Linux/UNIX";

    /** For stacks and tests with no EC2 to ask: every look-up fails, so a Spot box is priced on demand. */
    public static final SpotPrices NONE = new SpotPrices(null, Clock.systemUTC());

    private record Answer(Double usdPerHour, String failure, Instant at) {
    }

    private final Supplier<Ec2Client> ec2;
    private final Clock clock;
    private final Map<String, Answer> cache;

    /** @param ec2 the container's EC2 client, asked on first use (null: {@link #NONE}) */
    public SpotPrices(Supplier<Ec2Client> ec2, Clock clock) {
        this(ec2, clock, new ConcurrentHashMap<>());
    }

    private SpotPrices(Supplier<Ec2Client> ec2, Clock clock, Map<String, Answer> cache) {
        this.ec2 = ec2;
        this.clock = clock;
        this.cache = cache;
    }

    /**
     * The same cache, never calling EC2: for a notice sent after a run's time budget, which may make no
     * unbounded call (NightlyStop's wrap-up). The run's ledger step read the price earlier in the run.
     */
    public SpotPrices cacheOnly() {
        return new SpotPrices(null, clock, cache);
    }

    /** True unless this is {@link #NONE} or a {@link #cacheOnly()} view. */
    boolean asksEc2() {
        return ec2 != null;
    }

    /**
     * USD per hour in {@code availabilityZone} for {@code instanceType}.
     *
     * @throws BoxException when EC2 cannot say (the call failed, or it has no Linux price for that zone and type)
     */
    public double usdPerHour(String availabilityZone, String instanceType) {
        String key = availabilityZone + "#" + instanceType;
        Instant now = clock.instant();
        Answer cached = cache.get(key);
        if (cached != null && now.isBefore(cached.at().plus(cached.failure() == null ? CACHE_FOR : RETRY_AFTER))) {
            return answer(cached);
        }
        if (ec2 == null || availabilityZone == null || instanceType == null) {
            throw new BoxException(ErrorCode.AWS_ERROR, "no Spot price read for " + instanceType + " in "
                    + availabilityZone + (ec2 == null ? " (none asked here)" : ""));
        }
        Answer fresh;
        try {
            fresh = new Answer(read(availabilityZone, instanceType, now), null, now);
        } catch (BoxException e) {
            // Logged once per try, not per estimate that reuses the remembered failure.
            System.out.println("gpubox: the Spot price of " + instanceType + " in " + availabilityZone
                    + " could not be read (" + e.getMessage() + "); estimating at the on-demand price for "
                    + RETRY_AFTER.toMinutes() + " min");
            fresh = new Answer(null, e.getMessage(), now);
        }
        cache.put(key, fresh);
        return answer(fresh);
    }

    private static double answer(Answer a) {
        if (a.failure() != null) {
            throw new BoxException(ErrorCode.AWS_ERROR, a.failure());
        }
        return a.usdPerHour();
    }

    /**
     * Start and end time both now: EC2 then answers the price in effect at that instant ("the last price change
     * before the start time, which is the effective price as of the start time", DescribeSpotPriceHistory's
     * reference). The zone is a parameter and checked again on each entry, since not every EC2-compatible
     * service applies it (moto answers every zone of the region).
     */
    private double read(String availabilityZone, String instanceType, Instant now) {
        DescribeSpotPriceHistoryResponse reply = Ec2Calls.call("read the Spot price of " + instanceType + " in " + availabilityZone,
                () -> ec2.get().describeSpotPriceHistory(DescribeSpotPriceHistoryRequest.builder()
                        .instanceTypesWithStrings(instanceType).productDescriptions(LINUX).availabilityZone(availabilityZone)
                        .startTime(now).endTime(now).build()));
        return reply.spotPriceHistory().stream()
                .filter(p -> availabilityZone.equals(p.availabilityZone()) && instanceType.equals(p.instanceTypeAsString())
                        && linux(p.productDescriptionAsString()))
                .filter(p -> positive(p.spotPrice()) != null)
                .max(Comparator.comparing(SpotPrice::timestamp, Comparator.nullsFirst(Comparator.naturalOrder())))
                .map(p -> positive(p.spotPrice()))
                .orElseThrow(() -> new BoxException(ErrorCode.AWS_ERROR, "EC2 lists no Linux/UNIX Spot price for "
                        + instanceType + " in " + availabilityZone));
    }

    /** "Linux/UNIX", or the EC2-Classic era's "Linux/UNIX (Amazon VPC)" that some accounts and moto still show. */
    private static boolean linux(String product) {
        return product != null && (product.equals(LINUX) || product.equals(LINUX + " (Amazon VPC)"));
    }

    private static Double positive(String usd) {
        try {
            double value = Double.parseDouble(usd);
            return value > 0 ? value : null;
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }
}
