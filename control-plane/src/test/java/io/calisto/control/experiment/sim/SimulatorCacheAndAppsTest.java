package io.calisto.control.experiment.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.experiment.ServiceTime;
import io.calisto.io.port.FlowPopularity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's cache model on cases computed by hand, and several apps under the production scheduler. */
class SimulatorCacheAndAppsTest {
    private static Simulator.Config oneApp(String policy, double rate, int flows, int bytes, int cores, int guaranteed, long cacheBytes, double warmup,
                                           CostModel cost) {
        return Simulator.Config.single(policy, rate, flows, FlowPopularity.uniform(flows), bytes, ServiceTime.Kind.CONSTANT, 10_000, cores, guaranteed,
            5_000, 200_000, cacheBytes, 1.0, warmup, 3, cost);
    }

    @Test
    void allFlowsFitInOneCoresCacheSoEveryRequestHitsAfterTheWarmUp() {
        // 1000 flows x 64 B = 64 KB, far below one 2 MiB cache; 10 cores all guaranteed, so modulo never moves a flow;
        // 25,000 warm-up requests touch every flow (the chance that one is missed is 1000 e^-25)
        Simulator.Result r = Simulator.run(oneApp("modulo", 50_000, 1000, 64, 10, 10, Simulator.L2_BYTES, 0.5, CostModel.MEASURED_HERE));
        Simulator.AppResult a = r.app(0);
        assertEquals(0, a.misses());
        assertEquals(a.latency().getTotalCount(), a.hits(), "every steady request is a hit");
        assertEquals(1.0, r.hitRate());
    }

    @Test
    void uniformAccessOverNTimesTheCacheHitsOneNth() {
        // one core, a 64 KiB cache = 1024 blocks of 64 B, N x 1024 flows uniform: LRU hit rate C/F = 1/N. Seed 3, about
        // 70,000 steady requests: the binomial standard deviation is < 0.002; the tolerance is 0.01.
        for (int n : new int[] {2, 4}) {
            Simulator.Result r = Simulator.run(oneApp("modulo", 100_000, n * 1024, 64, 1, 1, 64 << 10, 0.3, CostModel.FREE));
            assertEquals(1.0 / n, r.hitRate(), 0.01, "N = " + n);
        }
    }

    @Test
    void aRequestPaysTheHitOrMissCostOfItsFlowsState() {
        // one flow, 100 pps (10 ms apart, no queueing), 10 us constant service: the first request misses (+5 us), every
        // later one hits (+100 ns)
        CostModel cost = new CostModel(0, 0, 100, 0, 5_000, 0, 0);
        Simulator.Result r = Simulator.run(oneApp("modulo", 100, 1, 64, 1, 1, Simulator.L2_BYTES, 0.5, cost));
        assertEquals(15_000, r.warmup().getMaxValue(), 15, "the cold first request");
        assertEquals(10_100, r.latency().getMinValue(), 10);
        assertEquals(10_100, r.latency().getMaxValue(), 10);
        assertEquals(1.0, r.hitRate());
    }

    @Test
    void hitAndMissCostsScaleWithTheLinesOfAFlowsState() {
        CostModel m = CostModel.fitted(0, 0, 10, 640, 100, 2_000, 0);
        assertEquals(10, m.stateNanos(true, 64));
        assertEquals(640, m.stateNanos(true, 4096));
        assertEquals(100, m.stateNanos(false, 64));
        assertEquals(2_000, m.stateNanos(false, 4096));
        assertEquals(10 + 630 / 63 * 31, m.stateNanos(true, 2048));
        // the measured figures come back exactly at the two sizes they were measured at
        CostModel here = CostModel.MEASURED_HERE;
        assertEquals(List.of(300L, 440L, 140L, 631L), List.of(here.stateNanos(true, 64), here.stateNanos(false, 64), here.stateNanos(true, 4096),
            here.stateNanos(false, 4096)));
    }

    static Simulator.Config twoApps(String policy, int bRate, long seed) {
        var flows = FlowPopularity.uniform(50_000);
        return new Simulator.Config(List.of(new Simulator.AppLoad("a", policy, 400_000, 50_000, flows, 64, 3, 10),
            new Simulator.AppLoad("b", policy, bRate, 50_000, flows, 64, 4, 10)), ServiceTime.Kind.EXPONENTIAL, 10_000, 10, 5_000, 200_000,
            Simulator.L2_BYTES, 0.2, 0.2, seed, CostModel.MEASURED_HERE);
    }

    @Test
    void severalAppsAreDeterministicPerSeed() {
        Simulator.Result x = Simulator.run(twoApps("affinity-held", 450_000, 42)), y = Simulator.run(twoApps("affinity-held", 450_000, 42));
        Simulator.Result z = Simulator.run(twoApps("affinity-held", 450_000, 43));
        for (int i = 0; i < 2; i++) {
            assertEquals(x.app(i).latency(), y.app(i).latency());
            assertEquals(x.app(i).warmup(), y.app(i).warmup());
            assertEquals(List.of(x.app(i).packets(), x.app(i).grants(), x.app(i).preempted(), x.app(i).hits(), x.app(i).drops()),
                List.of(y.app(i).packets(), y.app(i).grants(), y.app(i).preempted(), y.app(i).hits(), y.app(i).drops()));
            assertEquals(x.app(i).meanCores(), y.app(i).meanCores());
            assertNotEquals(x.app(i).latency(), z.app(i).latency(), "another seed, other arrivals");
        }
    }

    @Test
    void aLoadedSecondAppTakesBackTheCoresTheFirstBurstInto() {
        // a (guarantee 3) at 400k pps x 10 us needs 4+ cores; alone it bursts into the free ones, b's guarantee (4) left idle
        Simulator.Result alone = Simulator.run(twoApps("modulo", 0, 42)), shared = Simulator.run(twoApps("modulo", 450_000, 42));
        assertEquals(0, alone.app(0).preempted(), "b holds only its guaranteed cores and asks for none");
        assertTrue(shared.app(0).preempted() > 0, "b congested takes cores from a, which is above its guarantee: " + shared.app(0));
        assertTrue(shared.app(0).meanCores() < alone.app(0).meanCores(), alone.app(0).meanCores() + " -> " + shared.app(0).meanCores());
        assertTrue(shared.app(1).meanCores() > 4, "b bursts above its guarantee of 4: " + shared.app(1).meanCores());
    }
}
