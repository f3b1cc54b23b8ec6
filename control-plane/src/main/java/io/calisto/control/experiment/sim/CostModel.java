package io.calisto.control.experiment.sim;

/**
 * What the simulator charges, in nanoseconds of virtual time, measured on the 2-CPU development machine (README,
 * "Measured figures"): the IO hot path per packet (IoKernelBench, modulo), the affinity table's extra cost per new
 * flow (DispatchBench), the flow-state app's extra cost for a flow new to a core (FlowStateBench: migrated 36.5 ns
 * vs resident 24.9 ns per request with 64 bytes of state over 700k flows), and the grant wake-up (bench grant p50:
 * 27.2, 29.1 and 31.2 us in three runs with the IO core and the pool core on CPUs of their own).
 */
public record CostModel(long dispatchNanos, long newFlowNanos, long migrationNanos, long grantNanos) {
    /** 112 ns/packet IO path, +24 ns per table insert, +12 ns per migrated request (64 B state), 29 us grant. */
    public static final CostModel MEASURED_HERE = new CostModel(112, 24, 12, 29_000);

    public CostModel {
        if (dispatchNanos < 0 || newFlowNanos < 0 || migrationNanos < 0 || grantNanos < 0) {
            throw new IllegalArgumentException("simulator costs must be >= 0 ns");
        }
    }
}
