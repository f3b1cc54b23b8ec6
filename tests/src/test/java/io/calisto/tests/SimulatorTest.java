package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.experiment.ServiceTime;
import io.calisto.control.experiment.sim.CostModel;
import io.calisto.control.experiment.sim.Simulator;
import io.calisto.io.port.FlowPopularity;
import org.junit.jupiter.api.Test;

/** The simulator is trusted only after it matches queueing theory and repeats itself exactly. */
class SimulatorTest {
    static Simulator.Config mm1(String policy, double rate, long seed) {
        // one core, never more: M/M/1 with service mean 10 us (mu = 100k/s); no IO, migration or grant cost
        return Simulator.Config.single(policy, rate, 1000, FlowPopularity.uniform(1000), 64, ServiceTime.Kind.EXPONENTIAL, 10_000,
            1, 1, 5_000, 200_000, Simulator.L2_BYTES, 20.0, 0.1, seed, CostModel.FREE);
    }

    @Test
    void oneCoreMatchesTheMM1SojournTime() {
        double lambda = 70_000, mu = 100_000;
        Simulator.Result r = Simulator.run(mm1("modulo", lambda, 1));
        double meanUs = r.latency().getMean() / 1e3;
        double expectedUs = 1e6 / (mu - lambda); // E[T] = 1 / (mu - lambda) = 33.3 us
        assertEquals(expectedUs, meanUs, expectedUs * 0.05, "mean sojourn");
        // the sojourn time of M/M/1 is exponential: p99 = E[T] ln(100)
        assertEquals(expectedUs * Math.log(100), r.latency().getValueAtPercentile(99) / 1e3, expectedUs * Math.log(100) * 0.08, "p99");
    }

    @Test
    void sameSeedSameResultOtherSeedOtherResult() {
        var a = Simulator.run(mm1("affinity", 50_000, 42));
        var b = Simulator.run(mm1("affinity", 50_000, 42));
        var c = Simulator.run(mm1("affinity", 50_000, 43));
        assertEquals(a.latency(), b.latency());
        assertEquals(a.packets(), b.packets());
        assertTrue(!a.latency().equals(c.latency()));
    }

    @Test
    void atPaperScaleAffinityMovesNoFlowWhileModuloMovesThemAsCoresChange() {
        for (String policy : java.util.List.of("modulo", "affinity", "affinity-held")) {
            var cfg = Simulator.Config.single(policy, 1_000_000, 700_000, FlowPopularity.uniform(700_000), 64, ServiceTime.Kind.EXPONENTIAL, 5_000,
                10, 1, 5_000, 20_000, Simulator.L2_BYTES, 0.2, 0.2, 9, CostModel.MEASURED_HERE);
            Simulator.Result r = Simulator.run(cfg);
            assertTrue(r.meanCores() > 2, policy + " should use several of the 10 cores at 1M pps x 5 us: " + r.meanCores());
            assertTrue(r.grants() > 1, policy);
            if (policy.startsWith("affinity")) assertEquals(0, r.migrations(), policy + ": one app, so a flow's core is held or idle");
            else assertTrue(r.migrations() > 0, "modulo moves flows when the core count changes");
        }
    }

    @Test
    void atFiveThousandPpsThePapersRuleWakesMoreCoresThanTheHeldRuleAndPublishedIsModulo() {
        java.util.Map<String, Simulator.Result> r = new java.util.LinkedHashMap<>();
        for (String policy : java.util.List.of("modulo", "affinity", "affinity-held", "affinity-published")) {
            r.put(policy, Simulator.run(Simulator.Config.single(policy, 5_000, 700_000, FlowPopularity.uniform(700_000), 64, ServiceTime.Kind.EXPONENTIAL,
                10_000, 10, 1, 5_000, 200_000, Simulator.L2_BYTES, 0.5, 0.2, 42, CostModel.MEASURED_HERE)));
        }
        long paper = r.get("affinity").grants(), held = r.get("affinity-held").grants();
        // nearly every packet is a new flow bound round-robin over all 10 cores, 9 of them parked: a wake-up each
        assertTrue(paper > 5 * held, "affinity " + paper + " grants vs affinity-held " + held);
        assertTrue(r.get("affinity").meanCores() > r.get("affinity-held").meanCores());
        // while the app holds a core, published is modulo: the same cores (its latencies differ by the table insert
        // rx.c makes for every new flow, 24 ns of IO work each)
        assertEquals(r.get("modulo").grants(), r.get("affinity-published").grants());
        assertEquals(r.get("modulo").migrations(), r.get("affinity-published").migrations());
    }
}
