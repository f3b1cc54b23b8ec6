package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DispatchPolicyTest {

    private static ActiveCores cores(int n) {
        ActiveCores c = new ActiveCores();
        for (int i = 0; i < n; i++) c.add(i);
        return c;
    }

    private static int[] dispatch(DispatchPolicy p, int... hashes) {
        int[] out = new int[hashes.length];
        for (int i = 0; i < hashes.length; i++) out[i] = p.coreFor(hashes[i], 0);
        return out;
    }

    @Test
    void shenangoPaperExampleModulo() {
        ActiveCores c = cores(4);
        ModuloPolicy p = new ModuloPolicy(c);
        assertArrayEquals(new int[] {0, 1, 2, 3}, dispatch(p, 4, 5, 6, 7));
        c.add(4);
        assertArrayEquals(new int[] {4, 0, 1, 2}, dispatch(p, 4, 5, 6, 7));
    }

    @Test
    void moduloTreatsHashAsUnsigned() {
        ModuloPolicy p = new ModuloPolicy(cores(3));
        // 0xFFFFFFFF = 4294967295, % 3 = 0 (a signed % would give -1 % 3 = -1)
        assertEquals(0, p.coreFor(0xFFFFFFFF, 0));
        assertEquals(2, p.coreFor(0x80000000, 0)); // 2147483648 % 3 = 2
    }

    @Test
    void affinityAssignsNewFlowsRoundRobinAndSticks() {
        AffinityTablePolicy p = new AffinityTablePolicy(cores(3), 100);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, dispatch(p, 10, 11, 12, 13, 14));
        // later packets of each flow go to the same core, whatever the hash value
        assertArrayEquals(new int[] {1, 0, 2, 0, 1}, dispatch(p, 14, 10, 12, 13, 11));
        assertEquals(5, p.tableSize());
    }

    @Test
    void noCoreWhenAppHoldsNone() {
        assertEquals(DispatchPolicy.NO_CORE, new ModuloPolicy(new ActiveCores()).coreFor(1, 0));
        assertEquals(DispatchPolicy.NO_CORE, new AffinityTablePolicy(new ActiveCores(), 10).coreFor(1, 0));
    }

    @Test
    void growingCoreCountMovesFlowsUnderModuloButNotUnderAffinity() {
        int flows = 10_000;
        int[] hashes = new SplittableRandom(7).ints(flows).toArray();
        ActiveCores mc = cores(4), ac = cores(4);
        ModuloPolicy modulo = new ModuloPolicy(mc);
        AffinityTablePolicy affinity = new AffinityTablePolicy(ac, 20_000);
        int[] m0 = dispatch(modulo, hashes), a0 = dispatch(affinity, hashes);
        mc.add(4);
        ac.add(4);
        int[] m1 = dispatch(modulo, hashes), a1 = dispatch(affinity, hashes);
        int moduloMoves = 0, affinityMoves = 0;
        for (int i = 0; i < flows; i++) {
            if (m0[i] != m1[i]) moduloMoves++;
            if (a0[i] != a1[i]) affinityMoves++;
        }
        assertEquals(0, affinityMoves);
        // 4 -> 5 cores: a flow stays only when h%4 == h%5, i.e. h mod 20 in {0,1,2,3}: 1/5 stay, 4/5 move
        assertEquals(0.8, moduloMoves / (double) flows, 0.02);
    }

    @Test
    void revokedCoreRebindsItsFlowsOnlyAndCountsThem() {
        ActiveCores c = cores(3);
        AffinityTablePolicy p = new AffinityTablePolicy(c, 100);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, dispatch(p, 1, 2, 3, 4, 5, 6));
        c.remove(1); // active is now [0, 2]
        int[] after = dispatch(p, 1, 2, 3, 4, 5, 6);
        assertEquals(0, after[0]);
        assertEquals(2, after[2]);
        assertEquals(0, after[3]);
        assertEquals(2, after[5]);
        assertEquals(2, p.rebinds());
        // re-bound flows stick to their new core
        assertArrayEquals(after, dispatch(p, 1, 2, 3, 4, 5, 6));
        assertEquals(2, p.rebinds());
    }

    @Test
    void heldModeTakesTheBoundCoreBackWhenTheSchedulerCan() {
        ActiveCores c = cores(3);
        AffinityTablePolicy p = new AffinityTablePolicy(c, 100, AffinityTablePolicy.Mode.HELD);
        java.util.List<Integer> asked = new java.util.ArrayList<>();
        p.acquirer((core, now) -> {
            asked.add(core);
            return core == 1 && c.add(core); // core 1 is idle and may be had; others are not
        });
        assertArrayEquals(new int[] {0, 1, 2}, dispatch(p, 1, 2, 3));
        c.remove(1);
        c.remove(2);
        assertEquals(1, p.coreFor(2, 0), "flow 2 gets its core 1 back");
        assertEquals(0, p.coreFor(3, 0), "core 2 cannot be had: flow 3 is re-bound");
        assertEquals(java.util.List.of(1, 2), asked);
        assertEquals(1, p.acquired());
        assertEquals(1, p.rebinds());
        assertEquals("affinity-held", p.name());
    }

    @Test
    void publishedModeIsModuloWhileAnyCoreIsHeldAndFillsTheTableFromTheRxcCounter() {
        ActiveCores c = cores(3);
        AffinityTablePolicy p = new AffinityTablePolicy(c, 100, AffinityTablePolicy.Mode.PUBLISHED);
        // 10 % 3 = 1, 11 % 3 = 2, 12 % 3 = 0: modulo, whatever the table says
        assertArrayEquals(new int[] {1, 2, 0}, dispatch(p, 10, 11, 12));
        // every new flow still got an entry from rx.c's counter: 0 first, then 1, 2 ...
        assertEquals(0, p.boundCore(10));
        assertEquals(1, p.boundCore(11));
        assertEquals(2, p.boundCore(12));
        c.remove(2); // active [0, 1]: modulo over two cores moves flow 11
        assertEquals(1, p.coreFor(11, 0));
        c.remove(0);
        c.remove(1);
        assertEquals(DispatchPolicy.NO_CORE, p.coreFor(12, 0), "no scheduler wired: nothing to wake");
        assertEquals("affinity-published", p.name());
    }

    @Test
    void theRxcCounterStartsAtZeroThenWrapsOverOneToTen() {
        int[] got = new int[25];
        int counter = 0;
        for (int i = 0; i < got.length; i++) {
            got[i] = AffinityTablePolicy.publishedValue(counter);
            counter = got[i] + 1;
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4}, got);
        // the policy's own counter (no scheduler wired) follows the same sequence
        AffinityTablePolicy p = new AffinityTablePolicy(cores(1), 100, AffinityTablePolicy.Mode.PUBLISHED);
        for (int h = 0; h < 13; h++) p.coreFor(1000 + h, 0);
        assertEquals(10, p.boundCore(1010));
        assertEquals(1, p.boundCore(1011), "wraps at 11 to 1, not 0");
        assertEquals(2, p.boundCore(1012));
    }

    @Test
    void fullTableFallsBackToModuloAndCounts() {
        ActiveCores c = cores(4);
        AffinityTablePolicy p = new AffinityTablePolicy(c, 2);
        assertEquals(0, p.coreFor(100, 0));
        assertEquals(1, p.coreFor(200, 0));
        // table full: hash 7 -> 7 % 4 = 3, hash 9 -> 1, neither inserted
        assertEquals(3, p.coreFor(7, 0));
        assertEquals(1, p.coreFor(9, 0));
        assertEquals(2, p.tableFullFallbacks());
        assertEquals(2, p.tableSize());
        assertEquals(0, p.coreFor(100, 0));
    }

    @Test
    void unknownPolicyNameIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> DispatchPolicy.create("random", new ActiveCores(), 1, FlowTable.NEVER));
        assertEquals("unknown dispatch policy 'random' (modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets)", e.getMessage());
    }

    @Test
    void activeCoresKeepsShenangoSwapRemoveOrder() {
        ActiveCores c = cores(5);
        c.remove(1);
        assertArrayEquals(new int[] {0, 4, 2, 3}, c.toArray());
        c.add(7);
        assertArrayEquals(new int[] {0, 4, 2, 3, 7}, c.toArray());
    }

    // ---- flow aging, on a fake clock (coarse ticks of 2^20 ns passed by hand; the IO loop calls tick) ----

    static final long TIMEOUT_TICKS = 100;

    static long at(long ticks) { return ticks << FlowTable.TICK_SHIFT; }

    @Test
    void idleFlowsExpireAndAFullTableTakesNewFlowsAgain() {
        ActiveCores c = cores(4);
        DispatchPolicy p = DispatchPolicy.create("affinity-held", c, 8, at(TIMEOUT_TICKS));
        for (int h = 1; h <= 8; h++) assertEquals((h - 1) % 4, p.coreFor(h, at(0)));
        assertEquals(2, p.coreFor(10, at(0)), "full: modulo, 10 % 4");
        assertEquals(1, p.tableFullFallbacks());
        assertEquals(2, p.coreFor(3, at(60)), "flow 3 is seen again: its entry is fresh");
        p.tick(at(TIMEOUT_TICKS)); // 16 slots, 64 examined per call: a full pass; nobody is idle *longer* than 100
        assertEquals(8, p.tableSize());
        assertEquals(0, p.expired());
        p.tick(at(TIMEOUT_TICKS + 1));
        assertEquals(7, p.expired(), "all but flow 3");
        assertEquals(1, p.tableSize());
        assertEquals(2, p.coreFor(3, at(TIMEOUT_TICKS + 1)));
        assertEquals(0, p.coreFor(10, at(TIMEOUT_TICKS + 1)), "a new flow gets an entry again (round-robin, not modulo)");
        assertEquals(1, p.tableFullFallbacks());
        assertEquals(2, p.tableSize());
        assertEquals(0, DispatchPolicy.create("modulo", c, 8, at(TIMEOUT_TICKS)).expired());
    }

    @Test
    void aFloodOfTenTimesTheTableInOnePacketFlowsMovesNoEstablishedFlow() {
        int capacity = 1000, rounds = 10, established = 4, stepTicks = 25, stepsPerRound = 5; // 125 ticks > timeout 100
        AffinityTablePolicy p = new AffinityTablePolicy(cores(3), capacity, AffinityTablePolicy.Mode.HELD, at(TIMEOUT_TICKS));
        int slots = p.tableSlots();
        int sweepsPerStep = (slots + capacity + AffinityTablePolicy.SWEEP_SLOTS - 1) / AffinityTablePolicy.SWEEP_SLOTS; // a full pass
        SplittableRandom r = new SplittableRandom(5);
        int[] hashes = r.ints().distinct().limit(established + (long) rounds * capacity).toArray();
        int[] core = new int[established];
        for (int f = 0; f < established; f++) core[f] = p.coreFor(hashes[f], at(0));
        assertArrayEquals(new int[] {0, 1, 2, 0}, core);
        // and one flow that starts once the flood has filled the table and keeps sending: it rides modulo (6 % 3 = 0),
        // then gets an entry when the flood expires, on that same core (round-robin would say core 1 there)
        int late = 6, lateCore = 0;
        for (int h : hashes) assertTrue(h != late);

        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        int next = established, steps = rounds * stepsPerRound + stepsPerRound; // the last round's flood expires too
        for (int step = 0; step < steps; step++) {
            long now = at((long) step * stepTicks);
            for (int f = 0; f < established; f++) {
                int got = p.coreFor(hashes[f], now);
                if (got != core[f]) fail("established flow " + f + " moved from core " + core[f] + " to " + got + " at step " + step);
            }
            for (int i = 0; i < sweepsPerStep; i++) p.tick(now);
            if (step > 0) {
                int got = p.coreFor(late, now);
                if (got != lateCore) fail("the late flow moved from core " + lateCore + " to " + got + " at step " + step);
            }
            if (step % stepsPerRound == 0 && step < rounds * stepsPerRound) {
                for (int i = 0; i < capacity; i++) {
                    int got = p.coreFor(hashes[next++], now);
                    if (got < 0 || got > 2) fail("core " + got);
                    if (p.tableSize() > capacity) fail("table size " + p.tableSize() + " > capacity");
                }
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertEquals(established + rounds * capacity, next);
        // round 0: the table holds the 4 established flows, so of 1000 new flows 996 get an entry and 4 fall back;
        // the late flow falls back at steps 1..4. From step 5 on it has an entry too: each later round 995 flood flows
        // get an entry and 5 fall back. A round after its flood, every flood entry is 125 ticks idle and expires.
        // The established flows and the late one never do.
        assertEquals(established + 4 + (rounds - 1) * (established + 1), p.tableFullFallbacks());
        assertEquals((capacity - established) + (rounds - 1) * (capacity - established - 1), p.expired());
        assertEquals(established + 1, p.tableSize());
        assertEquals(lateCore, p.boundCore(late));
        assertEquals(0, p.rebinds());
        assertEquals(slots, p.tableSlots(), "the table is preallocated and never grows");
        assertTrue(allocated < 1024, allocated + " bytes allocated for " + (rounds * capacity) + " flood packets and their sweeps");
    }

    @Test
    void aFlowThatFellBackWhileTheTableWasFullKeepsItsCoreWhenItGetsAnEntry() {
        ActiveCores c = cores(4);
        AffinityTablePolicy p = new AffinityTablePolicy(c, 2, AffinityTablePolicy.Mode.HELD, at(TIMEOUT_TICKS));
        assertEquals(0, p.coreFor(100, at(0)));
        assertEquals(1, p.coreFor(200, at(0)));
        assertEquals(3, p.coreFor(7, at(0)), "full: modulo, 7 % 4");
        assertEquals(3, p.coreFor(7, at(60)), "flow 7 keeps sending, on modulo");
        p.tick(at(TIMEOUT_TICKS + 1)); // flows 100 and 200 expire: room for flow 7
        assertEquals(2, p.expired());
        assertEquals(3, p.coreFor(7, at(TIMEOUT_TICKS + 2)), "gets an entry on its modulo core, not round-robin core 2");
        assertEquals(1, p.tableSize());
        assertEquals(3, p.boundCore(7));
        assertEquals(2, p.tableFullFallbacks());
        // the last fallback (at 60) is older than the timeout: new flows are round-robin again
        assertEquals(2, p.coreFor(5, at(60 + TIMEOUT_TICKS + 1)), "5 % 4 = 1 would be modulo; round-robin gives 2");
    }
}
