package io.calisto.control.experiment.sim;

/**
 * What the simulator charges, in nanoseconds of virtual time. Defaults come from measurements on the 2-CPU
 * development machine (README, "Measured figures"): the IO hot path per packet from IoKernelBench, the affinity
 * table's extra cost per new flow from DispatchBench; the migration cost and the grant latency are parameters to
 * set from a real-thread run on the target machine (defaults: a cold 64-byte state line, and bench grant's p50).
 */
public record CostModel(long dispatchNanos, long newFlowNanos, long migrationNanos, long grantNanos) {
    /** 112 ns/packet IO path (IoKernelBench modulo), +24 ns per table insert (DispatchBench), 1 us state hand-off, 85 us grant. */
    public static final CostModel MEASURED_HERE = new CostModel(112, 24, 1_000, 85_000);

    public CostModel {
        if (dispatchNanos < 0 || newFlowNanos < 0 || migrationNanos < 0 || grantNanos < 0) {
            throw new IllegalArgumentException("simulator costs must be >= 0 ns");
        }
    }
}
