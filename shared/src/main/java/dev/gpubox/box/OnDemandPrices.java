package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;

/**
 * The hourly price a run is recorded at: {@code HourlyPriceUsd} when set; else the region's on-demand price
 * from the Price List API, read at most once a day per type and cached in the ledger; else (the API
 * unreachable or silent) {@link Pricing}'s table. A Spot box is recorded at its zone's Spot price instead
 * ({@link #quote}, {@link HourlyPrice}).
 */
public final class OnDemandPrices {
    static final Duration CACHE_FOR = Duration.ofDays(1);

    private final Ledger ledger;
    private final PriceList priceList;
    private final Pricing table;
    private final String region;
    private final Clock clock;
    private final SpotPrices spot;

    /** Without EC2 to ask for Spot prices: a Spot box is recorded at the on-demand price. */
    public OnDemandPrices(Ledger ledger, PriceList priceList, Pricing table, String region, Clock clock) {
        this(ledger, priceList, table, region, clock, SpotPrices.NONE);
    }

    public OnDemandPrices(Ledger ledger, PriceList priceList, Pricing table, String region, Clock clock,
                          SpotPrices spot) {
        this.ledger = ledger;
        this.priceList = priceList;
        this.table = table;
        this.region = region;
        this.clock = clock;
        this.spot = spot;
    }

    /** The Spot prices this chain reads (one cache per container, shared with the run's notices). */
    public SpotPrices spot() {
        return spot;
    }

    /** The price {@code box}'s run is recorded at, and its source: a Spot box at its Spot price. */
    public HourlyPrice quote(software.amazon.awssdk.services.ec2.model.Instance box) {
        return HourlyPrice.of(box, table, this::hourly, spot);
    }

    /** USD per hour for {@code instanceType}, or null when nothing knows it. */
    public Double hourly(String instanceType) {
        if (table.overridden() || region == null || instanceType == null) {
            return table.hourly(instanceType);
        }
        String key = region + "#" + instanceType;
        try {
            Ledger.CachedPrice cached = ledger.price(key);
            if (cached != null && clock.instant().isBefore(cached.fetchedAt().plus(CACHE_FOR))) {
                return cached.usdPerHour();
            }
            Double listed = priceList.onDemandUsdPerHour(region, instanceType);
            if (listed != null) {
                ledger.savePrice(key, new Ledger.CachedPrice(listed, clock.instant()));
                return listed;
            }
        } catch (BoxException e) {
            System.out.println("gpubox: the Price List API or its cache failed (" + e.getMessage()
                    + "); using the built-in table for " + instanceType);
        }
        return table.hourly(instanceType);
    }
}
