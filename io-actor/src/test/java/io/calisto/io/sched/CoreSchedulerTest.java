package io.calisto.io.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.MatchRule;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.kernel.AppDispatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler stepped by hand on a fake clock: exact decisions, in order. */
class CoreSchedulerTest {
    static final long US = 1_000;
    final List<String> events = new ArrayList<>();
    final CoreScheduler sched = new CoreScheduler(new int[] {0, 1, 2}, 5 * US,
        (type, app, core, reason, now, signal) -> events.add(SchedulerListener.typeName(type) + " app" + app + " core" + core + " " + reason + " signal" + signal));

    static AppDispatch app(int id, int guaranteed, int burstable) {
        AppDispatch a = new AppDispatch(id, "app" + id, MatchRule.ANY, "modulo", 16, FlowTable.NEVER, null, 0);
        a.guaranteed = guaranteed;
        a.burstable = burstable;
        for (int c = 0; c < 3; c++) a.slots[c] = CoreSlot.onHeap();
        return a;
    }

    /** The core-actor began and finished every packet up to {@code position}. */
    static void served(CoreSlot slot, long position) {
        slot.started(position);
        slot.completed(position);
    }

    /** Every core-actor of {@code a} has started a packet: awake, so what waits on its cores can be congestion. */
    static void awake(AppDispatch a) {
        for (int c = 0; c < 3; c++) a.slots[c].started(1);
    }

    @Test
    void registrationGrantsTheGuaranteeAtOnce() {
        AppDispatch a = app(0, 2, 3);
        sched.addApp(a, 0);
        assertArrayEquals(new int[] {0, 1}, a.heldCores());
        assertEquals(List.of("CoreGranted app0 core0 guarantee signal0", "CoreGranted app0 core1 guarantee signal0"), events);
        assertEquals(CoreSlot.GRANTED, a.slots[0].state());
        assertEquals(CoreSlot.PARKED, a.slots[2].state());
    }

    @Test
    void workStillQueuedSinceTheLastCheckGrantsOneCorePerCheck() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        events.clear();
        a.published[0] = 1000;
        assertTrue(sched.poll(0)); // remembers 1000 as queued
        assertTrue(events.isEmpty());
        assertFalse(sched.poll(4 * US), "checks only every interval");
        served(a.slots[0], 400); // still behind what was queued at the previous check
        a.published[0] = 1500;
        assertTrue(sched.poll(5 * US));
        assertEquals(List.of("CoreGranted app0 core1 congested signal1100"), events);
        assertArrayEquals(new int[] {0, 1}, a.heldCores());
    }

    @Test
    void keepingUpIsNotCongestion() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        events.clear();
        for (int t = 0; t < 10; t++) {
            a.published[0] += 100;
            sched.poll(t * 5 * US);
            served(a.slots[0], a.published[0]); // drained before the next check
        }
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void idleCoreYieldsOnlyWhenItsStreamIsEmptyAndNeverBelowTheGuarantee() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        awake(a);
        a.published[0] = 100;
        sched.poll(0);
        sched.poll(5 * US); // congested (consumed 0 < 100) -> core 1
        served(a.slots[0], 100);
        events.clear();
        // core 1's actor found no work and asks to yield, but a frame is still in its stream
        assertTrue(a.slots[1].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED));
        a.published[1] = 64;
        sched.poll(10 * US);
        assertTrue(events.isEmpty(), "must not yield with a frame in flight: " + events);
        served(a.slots[1], 64);
        sched.poll(15 * US);
        assertEquals(List.of("CoreYielded app0 core1 idle signal0"), events);
        assertEquals(CoreSlot.PARKED, a.slots[1].state());
        assertArrayEquals(new int[] {0}, a.heldCores());
        // the guaranteed core never yields
        assertTrue(a.slots[0].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED));
        sched.poll(20 * US);
        assertEquals(1, events.size());
        assertArrayEquals(new int[] {0}, a.heldCores());
    }

    @Test
    void congestedAppPreemptsACoreAboveAnotherAppsGuaranteeAfterItDrains() {
        AppDispatch a = app(0, 1, 3), b = app(1, 1, 3);
        sched.addApp(a, 0);
        awake(a);
        // a bursts to all three cores
        for (int t = 1; t <= 2; t++) {
            a.published[0] += 100;
            sched.poll(t * 5 * US);
        }
        a.published[0] += 100;
        sched.poll(3 * 5 * US);
        assertArrayEquals(new int[] {0, 1, 2}, a.heldCores());
        for (int c : a.heldCores()) served(a.slots[c], a.published[c]);
        sched.poll(4 * 5 * US); // a is keeping up now
        events.clear();
        // b registers with a guarantee of 1: no idle core, so a (3 held, guarantee 1) is preempted
        a.published[2] = 77;
        sched.addApp(b, 5 * 5 * US);
        assertEquals(0, b.cores().count());
        sched.poll(5 * 5 * US);
        assertEquals(List.of("CorePreempted app0 core2 for app1 signal0"), events);
        assertEquals(CoreSlot.REVOKING, a.slots[2].state());
        assertEquals(77, a.slots[2].drainTo());
        assertEquals(CoreScheduler.DRAINING, sched.owner(2));
        sched.poll(6 * 5 * US);
        assertEquals(0, b.cores().count(), "the core is not handed over before the old owner drained it");
        served(a.slots[2], 77);
        assertTrue(a.slots[2].cas(CoreSlot.REVOKING, CoreSlot.PARKED));
        sched.poll(7 * 5 * US);
        assertEquals("CoreGranted app1 core2 preempted-for signal0", events.getLast());
        assertArrayEquals(new int[] {2}, b.heldCores());
    }

    @Test
    void nobodyIsPreemptedBelowItsGuarantee() {
        CoreScheduler two = new CoreScheduler(new int[] {0, 1}, 5 * US, (t, app, core, r, n, s) -> events.add(r));
        AppDispatch a = app(0, 1, 2), b = app(1, 1, 2);
        two.addApp(a, 0);
        two.addApp(b, 0);
        events.clear();
        b.published[1] = 500;
        two.poll(0);
        two.poll(5 * US); // b congested, but a holds only its guarantee
        assertTrue(events.isEmpty(), events.toString());
        assertArrayEquals(new int[] {0}, a.heldCores());
    }

    @Test
    void guaranteesBeyondThePoolAreRejected() {
        sched.addApp(app(0, 2, 3), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> sched.addApp(app(1, 2, 3), 0));
        assertEquals("app app1 asks 2 guaranteed cores; the pool of 3 has 1 unreserved", e.getMessage());
    }

    @Test
    void burstableLimitCapsGrants() {
        AppDispatch a = app(0, 1, 2);
        sched.addApp(a, 0);
        awake(a);
        for (int t = 1; t <= 5; t++) {
            a.published[0] += 100;
            a.published[1] += 100;
            sched.poll(t * 5 * US);
        }
        assertEquals(2, a.cores().count());
    }

    @Test
    void flowAffinityAcquiresAnIdleCoreOnly() {
        AppDispatch a = app(0, 1, 3), b = app(1, 1, 3);
        sched.addApp(a, 0);
        sched.addApp(b, 0);
        assertFalse(sched.tryAcquire(a, 1, 0), "core 1 belongs to b");
        assertTrue(sched.tryAcquire(a, 2, 0));
        assertArrayEquals(new int[] {0, 2}, a.heldCores());
        assertEquals("CoreGranted app0 core2 flow-affinity signal0", events.getLast());
    }

    @Test
    void drainedCoreDrainsItsOwnerAndIsNeverGrantedUntilRestored() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        assertTrue(sched.tryAcquire(a, 1, 0));
        a.published[1] = 300;
        events.clear();
        sched.drainCore(1, 0);
        assertEquals(List.of("CoreRevoked app0 core1 drain signal0"), events);
        assertEquals(CoreSlot.REVOKING, a.slots[1].state());
        assertEquals(300, a.slots[1].drainTo());
        served(a.slots[1], 300);
        a.slots[1].cas(CoreSlot.REVOKING, CoreSlot.PARKED);
        sched.poll(0);
        assertEquals(CoreScheduler.FREE, sched.owner(1));
        assertFalse(sched.tryAcquire(a, 1, 0), "out of service");
        var e = assertThrows(IllegalArgumentException.class, () -> sched.drainCore(0, 0));
        assertEquals("core 0 holds part of app app0's guarantee of 1", e.getMessage());
        sched.restoreCore(1);
        assertTrue(sched.tryAcquire(a, 1, 0));
    }

    @Test
    void loweringTheBurstableLimitRevokesTheExtraCores() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        sched.tryAcquire(a, 1, 0);
        sched.tryAcquire(a, 2, 0);
        events.clear();
        sched.setLimits(a, 1, 1, 0);
        assertArrayEquals(new int[] {0}, a.heldCores());
        assertEquals(List.of("CoreRevoked app0 core2 limit signal0", "CoreRevoked app0 core1 limit signal0"), events);
        var e = assertThrows(IllegalArgumentException.class, () -> sched.setLimits(a, 4, 4, 0));
        assertEquals("core limits must satisfy 0 <= guaranteed <= burstable <= 3 and burstable >= 1", e.getMessage());
    }

    @Test
    void anArrivalForAnAppWithoutCoresGrantsAnIdleCoreAtOnce() {
        AppDispatch a = app(0, 0, 2), b = app(1, 2, 2);
        sched.addApp(a, 0);
        sched.addApp(b, 0); // b's guarantee takes cores 0 and 1
        events.clear();
        assertTrue(sched.grantOnArrival(a, 7));
        assertArrayEquals(new int[] {2}, a.heldCores());
        assertEquals(CoreSlot.GRANTED, a.slots[2].state());
        assertEquals(List.of("CoreGranted app0 core2 arrival signal0"), events);
        assertFalse(sched.grantOnArrival(a, 8), "a holds a core already: more cores come from congestion checks");
        // a yields core 2 when idle; the next arrival finds no idle core left once c takes it
        a.slots[2].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED);
        sched.poll(10);
        assertArrayEquals(new int[] {}, a.heldCores());
        AppDispatch c = app(2, 0, 1);
        sched.addApp(c, 11);
        assertTrue(sched.grantOnArrival(c, 12));
        events.clear();
        assertFalse(sched.grantOnArrival(a, 13), "no idle core: the packet is dropped as no-core and the next check may preempt");
        assertTrue(events.isEmpty());
    }

    @Test
    void anArrivalNeverTakesACoreOutOfService() {
        AppDispatch a = app(0, 0, 3);
        sched.addApp(a, 0);
        for (int core = 0; core < 3; core++) sched.drainCore(core, 0);
        assertFalse(sched.grantOnArrival(a, 1));
        sched.restoreCore(1);
        assertTrue(sched.grantOnArrival(a, 2));
        assertArrayEquals(new int[] {1}, a.heldCores());
    }

    @Test
    void aCongestedAppKeepsItsIdleCoreInsteadOfYieldingAndGettingItBack() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        awake(a);
        a.published[0] = 100;
        sched.poll(0);
        sched.poll(5 * US); // congested -> core 1
        events.clear();
        // core 1 found no work and asks to yield while core 0 is still behind what was queued at the last check
        assertTrue(a.slots[1].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED));
        a.published[0] = 200;
        served(a.slots[0], 50); // still behind the 100 queued at the previous check
        assertTrue(sched.poll(10 * US));
        assertEquals(List.of("CoreGranted app0 core2 congested signal150"), events, "no yield of core 1 and re-grant of it");
        assertEquals(CoreSlot.YIELD_REQUESTED, a.slots[1].state());
        // once the app keeps up, the yield goes through
        served(a.slots[0], 200);
        events.clear();
        assertTrue(sched.poll(15 * US));
        assertEquals(List.of("CoreYielded app0 core1 idle signal0"), events);
    }

    @Test
    void aYieldWaitsUntilTheLastPacketsHandlerReturned() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        assertTrue(sched.tryAcquire(a, 1, 0));
        a.published[1] = 300;
        // core 1 dequeued its last packet (service started) and asks to yield while the handler still runs
        a.slots[1].started(300);
        a.slots[1].completed(200);
        assertTrue(a.slots[1].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED));
        events.clear();
        sched.poll(0);
        sched.poll(5 * US);
        assertTrue(events.isEmpty(), "handed back mid-service: the flow's next packet could run elsewhere at once " + events);
        assertArrayEquals(new int[] {0, 1}, a.heldCores());
        a.slots[1].completed(300);
        sched.poll(10 * US);
        assertEquals(List.of("CoreYielded app0 core1 idle signal0"), events);
    }

    @Test
    void aPacketInServiceIsNotQueuedWork() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        a.published[0] = 100;
        sched.poll(0);
        // its service started (a long handler): nothing waits behind it, so no congestion
        a.slots[0].started(100);
        a.slots[0].completed(0);
        events.clear();
        sched.poll(5 * US);
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void aWakingCoreIsNotCongestionUntilItsActorStarted() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        a.slots[0].started(1); // core 0's actor is awake
        a.published[0] = 100;
        sched.poll(0);
        sched.poll(5 * US); // congested -> core 1
        assertArrayEquals(new int[] {0, 1}, a.heldCores());
        events.clear();
        // core 0 keeps up; packets wait on core 1 for several checks while its actor wakes up
        served(a.slots[0], 100);
        for (int check = 2; check <= 5; check++) {
            a.published[1] += 64;
            sched.poll(check * 5 * US);
        }
        assertTrue(events.isEmpty(), "a waking core's queue is not congestion " + events);
        // awake now (it started a packet) but behind what was queued at the previous check: congestion
        a.slots[1].started(64);
        sched.poll(6 * 5 * US);
        assertEquals(List.of("CoreGranted app0 core2 congested signal192"), events);
    }

    @Test
    void aDrainInFlightCountsTowardTheAppThatPreemptedAndTheCoreIsReservedForIt() {
        CoreScheduler four = new CoreScheduler(new int[] {0, 1, 2, 3}, 5 * US,
            (type, app, core, reason, now, signal) -> events.add(SchedulerListener.typeName(type) + " app" + app + " core" + core + " " + reason));
        AppDispatch a = app(0, 1, 4), b = app(1, 0, 4), c = app(2, 0, 4);
        for (AppDispatch x : List.of(a, b, c)) x.slots[3] = CoreSlot.onHeap();
        four.addApp(a, 0);
        for (int core = 1; core < 4; core++) assertTrue(four.tryAcquire(a, core, 0));
        four.addApp(b, 0);
        assertTrue(four.tryAcquire(b, 3, 0) == false);
        // b has no core; packets found it without one: congested at every check until it gets one
        events.clear();
        long t = 0;
        for (int check = 0; check < 4; check++) {
            b.countDrop(io.calisto.aeron.DropReason.NO_CORE, 1);
            four.poll(t += 5 * US);
        }
        assertEquals(List.of("CorePreempted app0 core3 for app1"), events, "one victim for one congested app, not one per check");
        // c arrives congested too; when a's core 3 has drained it goes to b, for which it was preempted
        four.addApp(c, t);
        served(a.slots[3], a.published[3]);
        assertTrue(a.slots[3].cas(CoreSlot.REVOKING, CoreSlot.PARKED));
        events.clear();
        c.countDrop(io.calisto.aeron.DropReason.NO_CORE, 1);
        four.poll(t + 5 * US);
        assertEquals("CoreGranted app1 core3 preempted-for", events.getFirst());
        assertArrayEquals(new int[] {3}, b.heldCores());
    }

    @Test
    void oneGrantPerArrivalEvenForAFlowBoundToAnIdleCoreTheAppNoLongerHolds() {
        AppDispatch b = app(1, 1, 1);
        sched.addApp(b, 0); // b's guarantee: core 0
        AppDispatch a = new AppDispatch(0, "app0", MatchRule.ANY, "affinity-held", 16, FlowTable.NEVER, null, 0);
        a.guaranteed = 0;
        a.burstable = 3;
        for (int c = 0; c < 3; c++) a.slots[c] = CoreSlot.onHeap();
        ((io.calisto.io.dispatch.AffinityTablePolicy) a.policy()).acquirer((core, now) -> sched.tryAcquire(a, core, now));
        sched.addApp(a, 0);
        int x = 41, f = 42;
        assertEquals(1, sched.coreFor(a, x, 0)); // arrival grant of core 1, flow x bound to it
        assertTrue(sched.tryAcquire(a, 2, 0));
        assertEquals(2, sched.coreFor(a, f, 0)); // round-robin: flow f bound to core 2
        for (int core : new int[] {1, 2}) assertTrue(a.slots[core].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED));
        sched.poll(5 * US);
        assertArrayEquals(new int[] {}, a.heldCores());
        events.clear();
        // f's next packet: the arrival grant takes core 1 (the first idle one); held mode would also acquire f's
        // idle bound core 2 for the same packet
        assertEquals(1, sched.coreFor(a, f, 10 * US));
        assertEquals(List.of("CoreGranted app0 core1 arrival signal0"), events, "exactly one grant for one packet");
    }

    @Test
    void theSchedulerHandsPoliciesTheAppsPositionsSoAGrantMovesNoBucketStillInFlight() {
        AppDispatch a = new AppDispatch(0, "app0", MatchRule.ANY, "buckets",
            new io.calisto.io.dispatch.DispatchPolicy.Options(16, FlowTable.NEVER, 8, 0, null), null, 0, 1 << 16);
        a.guaranteed = 1;
        a.burstable = 3;
        for (int c = 0; c < 3; c++) a.slots[c] = CoreSlot.onHeap();
        sched.addApp(a, 0);
        sched.wire(a); // as the IO thread does after addApp and on every policy swap
        var p = (io.calisto.io.dispatch.BucketsPolicy) a.policy();
        for (int x = 1, seen = 0; seen != 0xFF; x++) {
            if ((seen & 1 << p.bucketOf(x)) != 0) continue;
            seen |= 1 << p.bucketOf(x);
            assertEquals(0, sched.coreFor(a, x, 0));
            a.published[0] += 100; // the IO core published its packet
        }
        assertTrue(sched.tryAcquire(a, 1, 0));
        assertEquals(0, p.bucketsMoved(), "every bucket's packet is still queued on core 0");
        assertEquals(4, p.owed());
        served(a.slots[0], a.published[0]);
        p.tick(0);
        assertEquals(4, p.bucketsMoved());
        assertEquals(4, p.owned(1));
    }

    @Test
    void aDeadCoreActorsCoreIsTakenBackAndWhatWasQueuedCountsAsAppError() {
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        assertTrue(sched.tryAcquire(a, 1, 0));
        for (int i = 0; i < 10; i++) a.dispatchedOne(1);
        a.slots[1].delivered(6); // the handler of the 6th threw an Error: 4 were still queued
        a.slots[1].fail();
        events.clear();
        sched.poll(0);
        assertEquals(List.of("CoreRevoked app0 core1 app-error signal0"), events);
        assertArrayEquals(new int[] {0}, a.heldCores());
        assertEquals(4, a.dropped(io.calisto.aeron.DropReason.APP_ERROR));
        assertEquals(4, a.appErrors(1));
        sched.poll(5 * US);
        assertEquals(4, a.dropped(io.calisto.aeron.DropReason.APP_ERROR), "counted once");
        assertFalse(sched.tryAcquire(a, 1, 10 * US), "never granted to the app again: no actor runs there");
        assertFalse(sched.grantOnArrival(a, 10 * US));
    }

    @Test
    void aDeadCoreActorsSlotCountIsBelievedOnlyWithinWhatWasDispatched() {
        // the slot is shared memory another process can write: a count below 0 or above what was dispatched there
        // makes neither more app-errors than packets dispatched nor fewer than none
        AppDispatch a = app(0, 1, 3);
        sched.addApp(a, 0);
        assertTrue(sched.tryAcquire(a, 1, 0));
        assertTrue(sched.tryAcquire(a, 2, 0));
        for (int i = 0; i < 10; i++) a.dispatchedOne(1);
        for (int i = 0; i < 7; i++) a.dispatchedOne(2);
        a.slots[1].delivered(-1_000_000_000_000L);
        a.slots[2].delivered(1_000_000_000_000L);
        a.slots[1].fail();
        a.slots[2].fail();
        sched.poll(0);
        assertEquals(10, a.appErrors(1), "all 10 dispatched to core 1, not 10 + 10^12");
        assertEquals(0, a.appErrors(2), "none lost on core 2, not -10^12");
        assertEquals(10, a.dropped(io.calisto.aeron.DropReason.APP_ERROR));
    }

    /** An app whose policy is {@code policy}, wired to {@link #sched} as the IO core wires it. */
    AppDispatch tableApp(int id, String policy, int guaranteed, int burstable) {
        AppDispatch a = new AppDispatch(id, "app" + id, MatchRule.ANY, policy, 64, FlowTable.NEVER, null, 0);
        a.guaranteed = guaranteed;
        a.burstable = burstable;
        for (int c = 0; c < 3; c++) a.slots[c] = CoreSlot.onHeap();
        sched.wire(a);
        return a;
    }

    /** {@code a}'s core-actor on {@code core} ran out of work and asks to yield. */
    static void yieldRequested(AppDispatch a, int core) { assertTrue(a.slots[core].cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED)); }

    @Test
    void paperModeBindsNewFlowsRoundRobinOverThePoolSharedByAllAppsAndWakesTheCore() {
        AppDispatch a = tableApp(0, "affinity", 1, 3), b = tableApp(1, "affinity", 0, 3);
        sched.addApp(a, 0); // guarantee: core 0
        sched.addApp(b, 0);
        events.clear();
        assertEquals(0, sched.coreFor(a, 100, 0), "the counter's first core, held");
        assertEquals(1, sched.coreFor(a, 101, 0), "core 1: not held, idle, so granted");
        assertEquals(List.of("CoreGranted app0 core1 flow-affinity signal0"), events);
        // b's first flow gets the counter's next core: one counter for all apps (a per-app one would say core 0)
        assertEquals(2, sched.coreFor(b, 200, 0));
        assertEquals("CoreGranted app1 core2 flow-affinity signal0", events.getLast());
        assertEquals(0, sched.coreFor(a, 102, 0), "wrapped to core 0");
        // later packets of a flow go through cores_add_core(app, bound) again: held, so no grant
        assertEquals(1, sched.coreFor(a, 101, 0));
        assertEquals(2, sched.coreFor(b, 200, 0));
        assertEquals(2, events.size());
        // core 1 goes idle and is yielded; flow 101's next packet wakes it again, its entry unchanged
        yieldRequested(a, 1);
        sched.poll(5 * US);
        assertArrayEquals(new int[] {0}, a.heldCores());
        assertEquals(1, sched.coreFor(a, 101, 10 * US));
        assertEquals("CoreGranted app0 core1 flow-affinity signal0", events.getLast());
    }

    @Test
    void paperModeFallsBackInShenangosOrderRecentCoreThenLowestIdleThenPreemptsABurstingApp() {
        AppDispatch b = app(1, 1, 3), a = tableApp(0, "affinity", 0, 3);
        sched.addApp(b, 0); // b (modulo) holds core 0
        sched.addApp(a, 0);
        events.clear();
        // flow 100 is bound to core 0 (b's): no recent core yet, so the lowest idle one
        assertEquals(1, sched.coreFor(a, 100, 0));
        assertEquals(1, sched.coreFor(a, 101, 0), "flow 101 bound to core 1, held");
        assertEquals(2, sched.coreFor(a, 102, 0), "flow 102 bound to core 2, idle: granted");
        assertEquals(List.of("CoreGranted app0 core1 affinity-lowest signal0", "CoreGranted app0 core2 flow-affinity signal0"), events);
        // a yields core 1, then core 2: the core it most recently ran on is 2
        yieldRequested(a, 1);
        sched.poll(5 * US);
        yieldRequested(a, 2);
        sched.poll(10 * US);
        assertArrayEquals(new int[] {}, a.heldCores());
        events.clear();
        assertEquals(2, sched.coreFor(a, 100, 15 * US), "most recent core 2 before the lowest idle core 1");
        assertEquals(List.of("CoreGranted app0 core2 affinity-recent signal0"), events);
        yieldRequested(a, 2);
        sched.poll(15 * US);
        // b bursts over every core: nothing idle, and a's recent core 2 belongs to a bursting app: preempted for a
        assertTrue(sched.tryAcquire(b, 1, 20 * US));
        assertTrue(sched.tryAcquire(b, 2, 20 * US));
        b.published[2] = 5;
        events.clear();
        assertEquals(io.calisto.io.dispatch.DispatchPolicy.NO_CORE, sched.coreFor(a, 100, 20 * US), "a drained core cannot take this packet");
        assertEquals(List.of("CorePreempted app1 core2 for app0 signal0"), events, "one decision for the packet, no arrival grant on top");
        assertEquals(io.calisto.io.dispatch.DispatchPolicy.NO_CORE, sched.coreFor(a, 100, 21 * US));
        assertEquals(1, events.size(), "no second victim while a's drain is in flight");
        served(b.slots[2], 5);
        assertTrue(b.slots[2].cas(CoreSlot.REVOKING, CoreSlot.PARKED));
        sched.poll(25 * US);
        assertEquals("CoreGranted app0 core2 preempted-for signal0", events.getLast());
        assertEquals(2, sched.coreFor(a, 100, 30 * US), "bound core 0 is b's: a's held core by modulo");
    }

    @Test
    void paperModeWithoutHistoryPreemptsTheLowestCoreOfABurstingApp() {
        AppDispatch b = app(1, 1, 3), a = tableApp(0, "affinity", 0, 3);
        sched.addApp(b, 0);
        assertTrue(sched.tryAcquire(b, 1, 0));
        assertTrue(sched.tryAcquire(b, 2, 0));
        sched.addApp(a, 0);
        events.clear();
        sched.nextAffinityCore(); // the counter now stands at core 1
        assertEquals(io.calisto.io.dispatch.DispatchPolicy.NO_CORE, sched.coreFor(a, 100, 0));
        assertEquals(List.of("CorePreempted app1 core0 for app0 signal0"), events, "the lowest core of the first bursting app, not the bound core 1");
    }

    @Test
    void paperModeAtTheBurstableLimitSendsThePacketToAHeldCoreByModulo() {
        AppDispatch a = tableApp(0, "affinity", 1, 1);
        sched.addApp(a, 0);
        events.clear();
        assertEquals(0, sched.coreFor(a, 7, 0));
        assertEquals(0, sched.coreFor(a, 8, 0), "bound to idle core 1, but a holds all it may: cores_add_core returns NULL");
        assertTrue(events.isEmpty(), events.toString());
        assertEquals(CoreScheduler.FREE, sched.owner(1));
    }

    @Test
    void publishedModeUsesModuloWhileAnyCoreIsActiveAndTheTableOnlyWhenNone() {
        AppDispatch a = tableApp(0, "affinity-published", 0, 3);
        sched.addApp(a, 0);
        events.clear();
        assertEquals(0, sched.coreFor(a, 3, 0), "holds none: flow 3's entry (the counter's 0) picks the core to wake");
        assertEquals(List.of("CoreGranted app0 core0 flow-affinity signal0"), events);
        assertEquals(0, sched.coreFor(a, 4, 0), "flow 4 is bound to core 1 but a holds core 0: modulo, no grant");
        assertEquals(1, events.size());
        yieldRequested(a, 0);
        sched.poll(5 * US);
        assertArrayEquals(new int[] {}, a.heldCores());
        assertEquals(1, sched.coreFor(a, 4, 10 * US), "holds none again: flow 4's entry, core 1, is woken");
        assertEquals("CoreGranted app0 core1 flow-affinity signal0", events.getLast());
        assertEquals(1, sched.coreFor(a, 3, 10 * US), "flow 3 (entry core 0) follows modulo to core 1");
    }

    @Test
    void theSchedulersRxcCounterWrapsOverOneToTenAndACoreOutsideThePoolFallsBack() {
        int[] got = new int[12];
        for (int i = 0; i < got.length; i++) got[i] = sched.nextPublishedCore();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1}, got);
        // now the counter hands out core 2, then 3 (not in the pool {0, 1, 2})
        AppDispatch a = tableApp(0, "affinity-published", 0, 3);
        sched.addApp(a, 0);
        sched.nextPublishedCore();
        events.clear();
        assertEquals(0, sched.coreFor(a, 9, 0));
        assertEquals(List.of("CoreGranted app0 core0 affinity-lowest signal0"), events, "core 3 is no core of ours: the lowest idle one");
    }

    @Test
    void aReusedAppIdStartsCleanWithNoneOfItsPreviousHoldersState() {
        AppDispatch b = app(1, 1, 3), x = tableApp(0, "affinity", 0, 3);
        sched.addApp(b, 0); // b holds core 0
        sched.addApp(x, 0);
        assertEquals(1, sched.coreFor(x, 100, 0), "flow bound to b's core 0: the lowest idle core");
        assertEquals(1, sched.coreFor(x, 101, 0));
        assertEquals(2, sched.coreFor(x, 102, 0));
        assertArrayEquals(new int[] {1, 2}, x.heldCores());
        sched.removeApp(x, 5 * US); // takes core 1, then core 2: the core x gave up last is 2
        assertEquals(-1, sched.lastHeld(0), "nothing of x's is kept under its id");

        // y gets x's id 0; with x's history it would go back to core 2 ("affinity-recent"), as if it had run there
        AppDispatch y = tableApp(0, "affinity", 0, 3);
        sched.addApp(y, 10 * US);
        assertArrayEquals(new int[] {}, y.heldCores(), "y starts at its guarantee (0)");
        events.clear();
        assertEquals(1, sched.coreFor(y, 200, 10 * US), "flow bound to b's core 0 again: y has no recent core");
        assertEquals(List.of("CoreGranted app0 core1 affinity-lowest signal0"), events);
    }
}
