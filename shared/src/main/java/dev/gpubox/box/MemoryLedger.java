package dev.gpubox.box;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The ledger in memory, for local mode against the simulator: the same upsert rules as {@link DynamoLedger}. */
public final class MemoryLedger implements Ledger {
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, CachedPrice> prices = new ConcurrentHashMap<>();
    private final Map<String, Instant> marks = new ConcurrentHashMap<>();
    private final java.util.Set<String> estimatedStops = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized void upsert(RunUpdate u) {
        String key = DynamoLedger.runKey(u.instanceId(), u.launchTime());
        Run old = runs.get(key);
        Instant stop = old == null ? null : old.stoppedAt();
        if (u.stoppedAt() != null && (stop == null || (!u.stopEstimated() && estimatedStops.contains(key)))) {
            stop = u.stoppedAt();
            if (u.stopEstimated()) {
                estimatedStops.add(key);
            } else {
                estimatedStops.remove(key);
            }
        }
        runs.put(key, old == null
                ? new Run(u.instanceId(), u.launchTime(), u.instanceType(), u.hourlyUsd(), stop, u.seenRunningAt())
                : new Run(old.instanceId(), old.launchTime(), first(old.instanceType(), u.instanceType()),
                        first(old.hourlyUsd(), u.hourlyUsd()), stop, first(u.seenRunningAt(), old.lastSeen())));
    }

    @Override
    public List<Run> runsLaunchedSince(Instant from) {
        List<Run> found = new ArrayList<>(runs.values().stream().filter(r -> !r.launchTime().isBefore(from)).toList());
        found.sort(Comparator.comparing(Run::launchTime));
        return found;
    }

    @Override
    public CachedPrice price(String key) {
        return prices.get(key);
    }

    @Override
    public void savePrice(String key, CachedPrice price) {
        prices.put(key, price);
    }

    @Override
    public boolean firstTime(String mark, Instant at) {
        return marks.putIfAbsent(mark, at) == null;
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }
}
