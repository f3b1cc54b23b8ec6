package io.calisto.control.experiment.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.MatchRule;
import io.calisto.control.experiment.ServiceTime;
import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.port.FlowPopularity;
import org.junit.jupiter.api.Test;

/** The affinity-prefill setup hook and the flows moved per reallocation the simulator reads off each policy's placement. */
class SimulatorPlacementTest {
    @Test
    void prefillBindsEveryFlowRoundRobinOverThePoolBeforeTraffic() {
        AppDispatch d = new AppDispatch(0, "a", MatchRule.ANY, "affinity-prefill", 100, Simulator.FLOW_IDLE_TIMEOUT_NANOS, null, 0);
        for (int core : new int[] {2, 3, 5}) d.attach(core, null, CoreSlot.onHeap());
        int[] hashes = {11, 22, 33, 44, 55, 66, 77};
        PolicySetups.forPolicy("affinity-prefill").beforeTraffic(d, hashes, 0);
        AffinityTablePolicy p = (AffinityTablePolicy) d.policy();
        d.policy().tick(0); // bound on the IO thread's first tick, as in production
        assertEquals(7, p.tableSize());
        int[] expected = {2, 3, 5, 2, 3, 5, 2};
        for (int i = 0; i < hashes.length; i++) assertEquals(expected[i], p.boundCore(hashes[i]), "flow " + i);
        assertEquals(PolicySetups.NONE, PolicySetups.forPolicy("affinity"));
    }

    private static Simulator.Result run(String policy) {
        // 300k pps on 10 cores, guarantee 1, park-after 20 us: the app's cores come and go many times
        return Simulator.run(Simulator.Config.single(policy, 300_000, 20_000, FlowPopularity.uniform(20_000), 64, ServiceTime.Kind.EXPONENTIAL, 10_000,
            10, 1, 5_000, 20_000, Simulator.L2_BYTES, 0.2, 0.2, 7, CostModel.MEASURED_HERE));
    }

    @Test
    void bucketsMovesAboutOneNthOfTheFlowsPerReallocationAndModuloMostOfThem() {
        Simulator.AppResult modulo = run("modulo").app(0), buckets = run("buckets").app(0);
        assertTrue(modulo.reallocations() > 100 && buckets.reallocations() > 100, modulo.reallocations() + " / " + buckets.reallocations());
        double n = modulo.meanCores();
        // modulo: growing n-1 -> n keeps a flow only where hash mod n-1 and mod n pick the same core
        assertTrue(modulo.flowsMovedPerRealloc() > 0.5, "modulo " + modulo.flowsMovedPerRealloc() + " at " + n + " cores");
        // buckets: a grant to n cores moves 1/n, a revoke from n its 1/n; the 1 ms load rebalance adds a little
        assertTrue(buckets.flowsMovedPerRealloc() < 1.2 * buckets.shareBoundPerRealloc(), "buckets " + buckets.flowsMovedPerRealloc()
            + " against 1/n " + buckets.shareBoundPerRealloc());
        assertTrue(modulo.flowsMovedPerRealloc() > 4 * modulo.shareBoundPerRealloc(), "modulo " + modulo.flowsMovedPerRealloc());
        assertEquals(run("buckets").app(0).flowsMovedPerRealloc(), buckets.flowsMovedPerRealloc(), "deterministic");
    }
}
