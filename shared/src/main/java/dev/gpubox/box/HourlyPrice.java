package dev.gpubox.box;

import java.util.function.Function;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The price per hour one box runs at, and where it came from: {@code HourlyPriceUsd} when set (it wins over
 * everything, as it always has); for a Spot box ({@link SpotInstance#isSpot}) the Spot price of its zone and
 * type ({@link SpotPrices}); else, or when that price cannot be read, the on-demand price. Pricing never keeps
 * a start, a stop or a notice from happening: a Spot price that cannot be read is logged and the on-demand
 * price used, with the source saying so.
 *
 * @param usdPerHour null when nothing knows the type's price
 * @param source     {@link #PARAMETER}, {@link #SPOT}, {@link #ON_DEMAND} or {@link #SPOT_UNAVAILABLE}
 */
public record HourlyPrice(Double usdPerHour, String source) {
    /** {@code HourlyPriceUsd}, the user's own price. */
    public static final String PARAMETER = "HourlyPriceUsd";
    /** EC2's Spot price for the box's zone and type (DescribeSpotPriceHistory). */
    public static final String SPOT = "spot";
    /** The on-demand price (the Price List API's or gpubox's table). */
    public static final String ON_DEMAND = "on-demand";
    /** A Spot box whose Spot price could not be read: the on-demand price, an upper bound of what it costs. */
    public static final String SPOT_UNAVAILABLE = "on-demand (Spot price unavailable)";

    /**
     * @param onDemand the on-demand price of a type (the table's, or the Price List's chain)
     */
    public static HourlyPrice of(Instance box, Pricing table, Function<String, Double> onDemand, SpotPrices spot) {
        String type = box.instanceTypeAsString();
        if (table.overridden()) {
            return new HourlyPrice(table.hourly(type), PARAMETER);
        }
        if (!SpotInstance.isSpot(box)) {
            return new HourlyPrice(onDemand.apply(type), ON_DEMAND);
        }
        String zone = box.placement() == null ? null : box.placement().availabilityZone();
        try {
            return new HourlyPrice(spot.usdPerHour(zone, type), SPOT);
        } catch (BoxException | software.amazon.awssdk.core.exception.SdkException e) {
            return new HourlyPrice(onDemand.apply(type), SPOT_UNAVAILABLE); // SpotPrices logged why
        }
    }

    /** This price as a {@link Pricing}, for "3 h 5 min, ~$0.76" lines; the table's when it is unknown. */
    public Pricing pricing(Pricing table) {
        return usdPerHour == null ? table : new Pricing(usdPerHour);
    }
}
