package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowTableTest {

    @Test
    void holdsThePapersSevenHundredThousandFlows() {
        FlowTable t = new FlowTable(700_000);
        SplittableRandom r = new SplittableRandom(1);
        Map<Integer, Integer> model = new HashMap<>();
        while (model.size() < 700_000) {
            int k = r.nextInt();
            int v = r.nextInt(64);
            model.put(k, v);
            assertTrue(t.put(k, v));
        }
        assertEquals(700_000, t.size());
        assertTrue(t.isFull());
        assertFalse(t.put(findAbsent(model), 1), "a new key must be refused once the table is full");
        model.forEach((k, v) -> assertEquals(v, t.get(k)));
    }

    private static int findAbsent(Map<Integer, Integer> model) {
        int k = 12345;
        while (model.containsKey(k)) k++;
        return k;
    }

    @Test
    void removeKeepsOtherKeysReachableUnderCollisions() {
        FlowTable t = new FlowTable(1000);
        SplittableRandom r = new SplittableRandom(3);
        Map<Integer, Integer> model = new HashMap<>();
        for (int round = 0; round < 50_000; round++) {
            int k = r.nextInt(2000);
            if (r.nextBoolean()) {
                if (t.size() < 1000 || model.containsKey(k)) {
                    assertTrue(t.put(k, round & 0xffff));
                    model.put(k, round & 0xffff);
                }
            } else {
                Integer expected = model.remove(k);
                assertEquals(expected == null ? FlowTable.MISSING : expected, t.remove(k));
            }
            assertEquals(model.size(), t.size());
        }
        model.forEach((k, v) -> assertEquals(v, t.get(k)));
    }

    @Test
    void zeroAndNegativeHashesAreOrdinaryKeys() {
        FlowTable t = new FlowTable(4);
        assertTrue(t.put(0, 3));
        assertTrue(t.put(-1, 2));
        assertEquals(3, t.get(0));
        assertEquals(2, t.get(-1));
        assertEquals(FlowTable.MISSING, t.get(1));
    }

    @Test
    void migrationTrackerCountsFlowsThatReachedMoreThanOneCore() {
        MigrationTracker m = new MigrationTracker(100);
        m.record(1, 0);
        m.record(1, 0);
        m.record(2, 1);
        m.record(1, 3); // flow 1 moves
        m.record(1, 0); // and moves back: a second move, still one migrated flow
        m.record(2, 1);
        assertEquals(2, m.moves());
        assertEquals(1, m.migratedFlows());
        assertEquals(2, m.flows());
    }

    @Test
    void sampledMigrationTrackerFollowsOneFlowInNAndScalesItsCounts() {
        MigrationTracker m = new MigrationTracker(1 << 20, 16, FlowTable.NEVER);
        // 16,000 flows on core 0, then every flow moves to core 1
        int sampled = 0;
        for (int flow = 0; flow < 16_000; flow++) {
            int hash = flow * 0x9E3779B9;
            if (m.sampled(hash)) sampled++;
            m.record(hash, 0, 0);
        }
        for (int flow = 0; flow < 16_000; flow++) m.record(flow * 0x9E3779B9, 1, 0);
        // the sample is a fixed share of hashes: about 1 in 16, each followed exactly, the counts scaled by 16
        assertTrue(sampled > 900 && sampled < 1100, "sampled " + sampled);
        assertEquals(16L * sampled, m.flows());
        assertEquals(16L * sampled, m.migratedFlows());
        assertEquals(16L * sampled, m.moves());
        // flows outside the sample are never looked up: a move of one of them changes nothing
        int outside = 0;
        while (m.sampled(outside)) outside++;
        m.record(outside, 5, 0);
        assertEquals(16L * sampled, m.migratedFlows());
    }

    @Test
    void migrationTrackerForgetsFlowsIdleLongerThanTheTimeout() {
        MigrationTracker m = new MigrationTracker(100, 1, at(TIMEOUT_TICKS));
        m.record(1, 0, at(0));
        m.record(2, 0, at(0));
        m.record(2, 0, at(TIMEOUT_TICKS)); // flow 2 keeps sending
        for (int i = 0; i < 256; i++) m.tick(at(TIMEOUT_TICKS + 2)); // a full pass over the 256 slots, one per tick
        assertEquals(1, m.flows());
        // flow 1 comes back on another core: a new flow, not a migration
        m.record(1, 3, at(TIMEOUT_TICKS + 3));
        assertEquals(0, m.migratedFlows());
        m.record(2, 3, at(TIMEOUT_TICKS + 3));
        assertEquals(1, m.migratedFlows());
        assertEquals(2, m.flows());
    }

    // ---- aging, on a fake clock: time is passed by hand in coarse ticks (2^20 ns each) ----

    static final int TIMEOUT_TICKS = 100;

    static long at(long ticks) { return ticks << FlowTable.TICK_SHIFT; }

    static FlowTable aging(int capacity) { return new FlowTable(capacity, at(TIMEOUT_TICKS)); }

    @Test
    void idleEntriesVanishAfterABoundedNumberOfSweepsAndAHitRefreshes() {
        FlowTable t = aging(1000);
        assertEquals(2048, t.slots());
        for (int k = 0; k < 1000; k++) assertTrue(t.put(k * 7919, k & 63, at(0)));
        assertTrue(t.isFull());
        for (int k = 0; k < 10; k++) assertEquals(k & 63, t.touch(k * 7919, at(60)), "a hit refreshes its entry");
        // idle exactly the timeout is not idle longer than it: a full pass takes nothing
        int fullPass = (t.slots() + t.size() + 63) / 64;
        for (int i = 0; i < fullPass; i++) assertEquals(0, t.sweep(at(TIMEOUT_TICKS), 64));
        assertEquals(1000, t.size());
        // one tick later 990 entries are idle longer than the timeout; the 10 refreshed ones are not
        int calls = 0;
        while (t.size() > 10) {
            int removed = t.sweep(at(TIMEOUT_TICKS + 1), 64);
            assertTrue(removed >= 0 && removed <= 64, "at most 64 slots examined per call, removed " + removed);
            calls++;
            assertTrue(calls <= fullPass, "a full pass is (slots + size) / 64 calls, rounded up; still " + t.size() + " after " + calls);
        }
        // each examination removes one entry or moves on one slot: 990 removals alone take 16 calls
        assertTrue(calls >= (990 + 63) / 64, "bounded: " + calls + " calls");
        for (int i = 0; i < fullPass; i++) assertEquals(0, t.sweep(at(TIMEOUT_TICKS + 1), 64), "nothing else is idle long enough");
        assertEquals(10, t.size());
        assertEquals(990, t.expired());
        for (int k = 0; k < 10; k++) assertEquals(k & 63, t.touch(k * 7919, at(TIMEOUT_TICKS + 1)));
        for (int k = 10; k < 1000; k++) assertEquals(FlowTable.MISSING, t.get(k * 7919));
        // the table that was full takes new flows again, up to its capacity
        for (int k = 0; k < 990; k++) assertTrue(t.put(-1 - k, 1, at(TIMEOUT_TICKS + 1)));
        assertFalse(t.put(123_456_789, 1, at(TIMEOUT_TICKS + 1)));
        assertEquals(2048, t.slots(), "preallocated: the arrays never grow");
    }

    @Test
    void aLookupTreatsAnExpiredEntryAsMissingWithoutWaitingForTheSweep() {
        FlowTable t = aging(2);
        assertTrue(t.put(1, 5, at(0)));
        assertTrue(t.put(2, 6, at(0)));
        assertEquals(5, t.touch(1, at(TIMEOUT_TICKS)));
        assertEquals(FlowTable.MISSING, t.touch(2, at(TIMEOUT_TICKS + 1)));
        assertEquals(1, t.expired());
        assertEquals(1, t.size());
        assertTrue(t.put(3, 7, at(TIMEOUT_TICKS + 1)), "the expired entry's room is free again");
        assertEquals(5, t.touch(1, at(2 * TIMEOUT_TICKS)), "refreshed at " + TIMEOUT_TICKS + ", so still there");
    }

    @Test
    void agesAreRightAcrossTheCoarseClocksWrapAndForNegativeNanoTime() {
        for (long start : new long[] {Integer.MAX_VALUE - 30L, -50L, ((long) Integer.MAX_VALUE << 1) - 10}) {
            FlowTable t = aging(4);
            t.put(9, 1, at(start));
            assertEquals(1, t.touch(9, at(start + 60)), "start " + start);
            assertEquals(0, t.sweep(at(start + 60 + TIMEOUT_TICKS), 64), "start " + start);
            assertEquals(1, t.sweep(at(start + 61 + TIMEOUT_TICKS), 64), "start " + start);
            assertEquals(0, t.size());
        }
    }

    @Test
    void aTableWithoutTimeoutNeverForgets() {
        FlowTable t = new FlowTable(4);
        assertEquals(FlowTable.NEVER, t.idleTimeoutNanos());
        t.put(1, 2, 0);
        assertEquals(0, t.sweep(Long.MAX_VALUE, 64));
        assertEquals(2, t.touch(1, Long.MAX_VALUE));
        assertEquals(0, t.expired());
    }

    @Test
    void idleTimeoutMustBePositiveAndFitTheCoarseClock() {
        for (long bad : new long[] {0, -1, FlowTable.MAX_IDLE_TIMEOUT_NANOS + 1}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new FlowTable(10, bad));
            assertTrue(e.getMessage().startsWith("flow idle timeout must be in 1.."), e.getMessage());
        }
        assertEquals(1, new FlowTable(10, 1).idleTimeoutNanos(), "1 ns is rounded up to one tick, not down to zero");
    }

    @Test
    void sweepingKeepsProbeChainsAndTimestampsIntact() {
        // random keys at load 0.75 make long clusters; entries shifted back by a removal must stay reachable and
        // keep their own timestamps (a stale one moved along would expire a fresh flow)
        FlowTable t = aging(768);
        SplittableRandom r = new SplittableRandom(11);
        Map<Integer, Long> lastSeen = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            now += r.nextInt(3);
            int k = r.nextInt(1500);
            if (t.touch(k, at(now)) != FlowTable.MISSING || t.put(k, k & 0xff, at(now))) lastSeen.put(k, now);
            if ((step & 3) == 0) t.sweep(at(now), 16);
            for (var e : lastSeen.entrySet()) {
                int v = t.get(e.getKey());
                if (now - e.getValue() <= TIMEOUT_TICKS) assertEquals(e.getKey() & 0xff, v, "fresh key " + e.getKey() + " lost at step " + step);
            }
            lastSeen.entrySet().removeIf(e -> t.get(e.getKey()) == FlowTable.MISSING);
            assertEquals(lastSeen.size(), t.size());
        }
        assertTrue(t.expired() > 1000, "the test exercised expiry: " + t.expired());
    }
}
