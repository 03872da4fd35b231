package dev.gpubox.box;

/** Where an instance type's on-demand Linux price per hour comes from (AWS's Price List API when deployed). */
@FunctionalInterface
public interface PriceList {
    /** For local mode and stacks that cannot reach the Price List API: every lookup falls back to the table. */
    PriceList NONE = (region, instanceType) -> null;

    /** USD per hour, or null when the list has no such price. */
    Double onDemandUsdPerHour(String region, String instanceType);
}
