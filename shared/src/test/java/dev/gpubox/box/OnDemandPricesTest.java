package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The price a run is recorded at: HourlyPriceUsd, else the Price List read at most once a day, else the table. */
class OnDemandPricesTest {
    final MemoryLedger ledger = new MemoryLedger();
    final FakeTime time = new FakeTime(Instant.parse("2026-12-02T08:00:00Z"));
    final List<String> asked = new ArrayList<>();

    PriceList listing(Double usd) {
        return (region, type) -> {
            asked.add(region + "#" + type);
            return usd;
        };
    }

    @Test
    void thePriceListIsReadAtMostOnceADayAndCachedInTheLedger() {
        OnDemandPrices prices = new OnDemandPrices(ledger, listing(0.7013), new Pricing(null), "eu-west-1", time);
        assertEquals(0.7013, prices.hourly("g4dn.xlarge"));
        time.advance(Duration.ofHours(23));
        assertEquals(0.7013, prices.hourly("g4dn.xlarge"));
        assertEquals(List.of("eu-west-1#g4dn.xlarge"), asked);
        assertEquals(0.7013, ledger.price("eu-west-1#g4dn.xlarge").usdPerHour());
        time.advance(Duration.ofHours(2));
        prices.hourly("g4dn.xlarge");
        assertEquals(2, asked.size(), "a day later it is read again");
    }

    @Test
    void hourlyPriceUsdWinsAndTheListIsNotAsked() {
        OnDemandPrices prices = new OnDemandPrices(ledger, listing(0.7013), new Pricing(0.3), "eu-west-1", time);
        assertEquals(0.3, prices.hourly("g4dn.xlarge"));
        assertEquals(List.of(), asked);
    }

    @Test
    void anUnreachableListFallsBackToTheTable() {
        PriceList down = (region, type) -> {
            throw new BoxException(ErrorCode.AWS_ERROR, "the Price List API could not be read: timeout");
        };
        assertEquals(0.526, new OnDemandPrices(ledger, down, new Pricing(null), "eu-west-1", time).hourly("g4dn.xlarge"));
        assertEquals(0.526, new OnDemandPrices(ledger, listing(null), new Pricing(null), "eu-west-1", time)
                .hourly("g4dn.xlarge"));
    }
}
