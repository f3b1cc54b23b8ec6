package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link DispatchPolicy#placement}: where each policy's state points a flow, read without changing anything. */
class PlacementTest {
    private static ActiveCores cores(int... ids) {
        ActiveCores c = new ActiveCores();
        for (int id : ids) c.add(id);
        return c;
    }

    @Test
    void moduloPlacesByTheHashOverTheHeldCores() {
        ActiveCores c = cores(4, 6, 9);
        DispatchPolicy p = DispatchPolicy.create("modulo", c, 16, FlowTable.NEVER);
        assertEquals(java.util.List.of(4, 6, 9, 4), java.util.List.of(p.placement(0), p.placement(1), p.placement(2), p.placement(3)));
        c.add(1);
        assertEquals(1, p.placement(3));
        assertEquals(DispatchPolicy.NO_CORE, DispatchPolicy.create("modulo", cores(), 16, FlowTable.NEVER).placement(3));
    }

    @Test
    void bucketsPlacesByTheFlowsBucketAndMovesNothing() {
        ActiveCores c = cores(0);
        BucketsPolicy p = new BucketsPolicy(c, 64, 0);
        p.onCoreAdded(0);
        c.add(1);
        p.onCoreAdded(1);
        for (int h = 0; h < 1000; h++) assertEquals(p.coreOfBucket(p.bucketOf(h)), p.placement(h), "hash " + h);
        long moved = p.bucketsMoved();
        for (int h = 0; h < 1000; h++) p.placement(h);
        assertEquals(moved, p.bucketsMoved());
    }

    @Test
    void tablePoliciesPlaceABoundFlowOnItsEntryAndANewOneNowhere() {
        ActiveCores c = cores(2, 3);
        AffinityTablePolicy held = new AffinityTablePolicy(c, 16, AffinityTablePolicy.Mode.HELD);
        assertEquals(DispatchPolicy.NO_CORE, held.placement(77));
        assertEquals(0, held.tableSize(), "reading places nothing");
        int core = held.coreFor(77, 0);
        assertEquals(core, held.placement(77));
        c.remove(core);
        assertEquals(core, held.placement(77), "the entry stands until the flow's next packet re-binds it");

        HybridPolicy hybrid = new HybridPolicy(cores(2, 3), 16, FlowTable.NEVER);
        assertEquals(DispatchPolicy.NO_CORE, hybrid.placement(5));
        int first = hybrid.coreFor(5, 0);
        assertEquals(first, hybrid.placement(5), "a candidate sits where its first packet went");
        assertEquals(0, hybrid.tableSize());
        hybrid.coreFor(5, 1);
        assertEquals(first, hybrid.placement(5));
        assertEquals(1, hybrid.tableSize());
    }

}
