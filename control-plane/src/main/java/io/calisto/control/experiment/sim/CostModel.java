package io.calisto.control.experiment.sim;

/**
 * What the simulator charges, in nanoseconds of virtual time, measured on the 2-CPU development machine (README,
 * "Measured figures"): the IO hot path per packet (IoKernelBench, modulo) and the affinity table's extra cost per new
 * flow (DispatchBench), both JMH; the migration cost from the real-thread run with per-flow state
 * ({@code experiment paper --quick}, docs/experiment/costs.csv: state access 510 ns when built on the core vs 923 ns
 * resident, mean over 231,931 requests, 700k flows x 64 B: with that many flows a flow's state is cold wherever it
 * lives, so moving it costs nothing measurable; JMH's FlowStateBench, with the state hot, bounds it at 12-17 ns); and
 * the grant wake-up
 * from bench grant's p50 (27.2, 29.1 and 31.2 us in three runs with the IO core and the pool core on CPUs of their
 * own). {@code --costs FILE} replaces the migration and grant costs with another real run's.
 */
public record CostModel(long dispatchNanos, long newFlowNanos, long migrationNanos, long grantNanos) {
    /** 112 ns/packet IO path, +24 ns per table insert, +0 ns per migrated request (real run, 700k flows), 29 us grant. */
    public static final CostModel MEASURED_HERE = new CostModel(112, 24, 0, 29_000);

    public CostModel {
        if (dispatchNanos < 0 || newFlowNanos < 0 || migrationNanos < 0 || grantNanos < 0) {
            throw new IllegalArgumentException("simulator costs must be >= 0 ns");
        }
    }
}
