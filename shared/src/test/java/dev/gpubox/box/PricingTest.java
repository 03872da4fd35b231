package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PricingTest {
    @Test
    void tablePriceTimesUptime() {
        Pricing table = new Pricing(null);
        assertEquals(0.526, table.hourly("g4dn.xlarge"));
        assertEquals(1.62, table.cost("g4dn.xlarge", Duration.ofMinutes(185)));
        assertEquals("3 h 5 min, ~$1.62", table.uptimeAndCost("g4dn.xlarge", Duration.ofMinutes(185)));
    }

    @Test
    void theOverrideWinsAndZeroMeansTheTable() {
        assertEquals(2.0, new Pricing(1.0).cost("g4dn.xlarge", Duration.ofHours(2)));
        assertEquals(0.526, new Pricing(0.0).hourly("g4dn.xlarge"));
    }

    @Test
    void anUnknownTypeHasNoEstimate() {
        Pricing table = new Pricing(null);
        assertNull(table.cost("x9.huge", Duration.ofHours(1)));
        assertEquals("1 h 0 min", table.uptimeAndCost("x9.huge", Duration.ofHours(1)));
    }
}
