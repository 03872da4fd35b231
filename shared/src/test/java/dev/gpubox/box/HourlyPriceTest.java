package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

/** Issue 18.5: which price a box is estimated and recorded at, and every fall-back when the Spot price is not there. */
class HourlyPriceTest {
    static final String TYPE = "g4dn.xlarge";
    final FakeTime time = new FakeTime(Ec2Fixtures.NOW);
    final Ec2Client ec2 = mock(Ec2Client.class);
    final SpotPrices spot = new SpotPrices(() -> ec2, time);
    final Pricing table = new Pricing(null);

    static Instance spotBox(String zone) {
        return Ec2Fixtures.box(InstanceStateName.RUNNING).toBuilder().instanceType(TYPE)
                .instanceLifecycle(InstanceLifecycleType.SPOT).spotInstanceRequestId("sir-0123abcd")
                .placement(p -> p.availabilityZone(zone)).build();
    }

    static SpotPrice price(String zone, String product, String usd, Instant at) {
        return SpotPrice.builder().availabilityZone(zone).instanceType(TYPE).productDescription(product).spotPrice(usd)
                .timestamp(at).build();
    }

    void ec2Answers(SpotPrice... prices) {
        when(ec2.describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class)))
                .thenReturn(DescribeSpotPriceHistoryResponse.builder().spotPriceHistory(prices).build());
    }

    HourlyPrice of(Instance box, Pricing pricing) {
        return HourlyPrice.of(box, pricing, pricing::hourly, spot);
    }

    @Test
    void aSpotBoxIsPricedAtTheLatestLinuxEntryOfItsOwnZone() {
        Instant now = time.instant();
        ec2Answers(price("us-west-2a", "Linux/UNIX", "0.238900", now.minus(Duration.ofDays(3))),
                price("us-west-2b", "Linux/UNIX", "0.231000", now.minusSeconds(60)),
                price("us-west-2a", "Windows", "0.429600", now.minusSeconds(30)),
                price("us-west-2a", "Linux/UNIX", "0.000000", now.minusSeconds(10)),
                price("us-west-2a", "Linux/UNIX", "0.245600", now.minus(Duration.ofHours(5))));
        HourlyPrice price = of(spotBox("us-west-2a"), table);
        assertEquals(new HourlyPrice(0.2456, HourlyPrice.SPOT), price,
                "not the older entry, zone b's, Windows' or a zero");
        ArgumentCaptor<DescribeSpotPriceHistoryRequest> asked = ArgumentCaptor.forClass(DescribeSpotPriceHistoryRequest.class);
        verify(ec2).describeSpotPriceHistory(asked.capture());
        assertEquals(java.util.List.of(TYPE), asked.getValue().instanceTypesAsStrings());
        assertEquals(java.util.List.of("Linux/UNIX"), asked.getValue().productDescriptions());
        assertEquals("us-west-2a", asked.getValue().availabilityZone());
        assertEquals(now, asked.getValue().startTime(), "the price in effect now");
        assertEquals(now, asked.getValue().endTime());
    }

    @Test
    void theSpotPriceIsReadOnceAnHourPerZoneAndType() {
        ec2Answers(price("us-west-2a", "Linux/UNIX", "0.245600", time.instant().minusSeconds(5)));
        of(spotBox("us-west-2a"), table);
        time.advance(Duration.ofMinutes(59));
        assertEquals(0.2456, of(spotBox("us-west-2a"), table).usdPerHour());
        verify(ec2, times(1)).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
        time.advance(Duration.ofMinutes(2));
        of(spotBox("us-west-2a"), table);
        verify(ec2, times(2)).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
    }

    @Test
    void hourlyPriceUsdStillWinsAndAnOnDemandBoxNeverAsks() {
        assertEquals(new HourlyPrice(0.2, HourlyPrice.PARAMETER), of(spotBox("us-west-2a"), new Pricing(0.2)));
        assertEquals(new HourlyPrice(0.526, HourlyPrice.ON_DEMAND), of(Ec2Fixtures.box(InstanceStateName.RUNNING)
                .toBuilder().instanceType(TYPE).build(), table));
        verify(ec2, never()).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
    }

    @Test
    void aFailedReadFallsBackToOnDemandSaysSoAndIsNotRetriedForFiveMinutes() {
        when(ec2.describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class)))
                .thenThrow(Ec2Fixtures.awsError("RequestLimitExceeded", 503));
        assertEquals(new HourlyPrice(0.526, HourlyPrice.SPOT_UNAVAILABLE), of(spotBox("us-west-2a"), table));
        time.advance(Duration.ofMinutes(4));
        assertEquals(HourlyPrice.SPOT_UNAVAILABLE, of(spotBox("us-west-2a"), table).source());
        verify(ec2, times(1)).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
        time.advance(Duration.ofMinutes(2));
        of(spotBox("us-west-2a"), table);
        verify(ec2, times(2)).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
    }

    @Test
    void noEntryForTheZoneOrNoZoneAtAllIsOnDemandToo() {
        ec2Answers(price("us-west-2b", "Linux/UNIX", "0.231000", time.instant()));
        assertEquals(HourlyPrice.SPOT_UNAVAILABLE, of(spotBox("us-west-2a"), table).source());
        Instance noZone = spotBox("us-west-2a").toBuilder().placement((software.amazon.awssdk.services.ec2.model.Placement) null)
                .build();
        assertEquals(new HourlyPrice(0.526, HourlyPrice.SPOT_UNAVAILABLE), of(noZone, table));
        assertEquals(new HourlyPrice(null, HourlyPrice.SPOT_UNAVAILABLE),
                of(spotBox("us-west-2a").toBuilder().instanceType("g9.unknown").build(), table),
                "an unknown type: no price at all, never a wrong one");
    }

    @Test
    void theWrapUpsCacheOnlyViewNeverCallsEc2ButSeesWhatTheRunRead() {
        SpotPrices wrapUp = spot.cacheOnly();
        assertEquals(HourlyPrice.SPOT_UNAVAILABLE,
                HourlyPrice.of(spotBox("us-west-2a"), table, table::hourly, wrapUp).source());
        verify(ec2, never()).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
        ec2Answers(price("us-west-2a", "Linux/UNIX", "0.245600", time.instant()));
        of(spotBox("us-west-2a"), table);
        assertEquals(new HourlyPrice(0.2456, HourlyPrice.SPOT),
                HourlyPrice.of(spotBox("us-west-2a"), table, table::hourly, wrapUp));
        verify(ec2, times(1)).describeSpotPriceHistory(any(DescribeSpotPriceHistoryRequest.class));
    }

    @Test
    void aRunIsRecordedAtTheSpotPriceThroughTheLedgersChain() {
        ec2Answers(price("us-west-2a", "Linux/UNIX", "0.245600", time.instant()));
        OnDemandPrices prices = new OnDemandPrices(new MemoryLedger(), (region, type) -> 0.55, table, "us-west-2",
                time, spot);
        assertEquals(new HourlyPrice(0.2456, HourlyPrice.SPOT), prices.quote(spotBox("us-west-2a")));
        assertEquals(new HourlyPrice(0.55, HourlyPrice.ON_DEMAND), prices.quote(Ec2Fixtures.box(InstanceStateName.RUNNING)
                .toBuilder().instanceType(TYPE).build()), "an on-demand box: the Price List's price, as before");
    }
}
