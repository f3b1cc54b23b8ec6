package io.calisto.control.experiment.sim;

/**
 * What the simulator charges, in nanoseconds of virtual time, measured on the 2-CPU development machine (README,
 * "Measured figures"): the IO hot path per packet (IoKernelBench, modulo) and the affinity table's extra cost per new
 * flow (DispatchBench), both JMH; the grant wake-up from bench grant's p50 (27.2, 29.1 and 31.2 us in three runs with
 * the IO core and the pool core on CPUs of their own); and the cache model's cost of a request's flow-state access:
 * a hit (the state is in the serving core's cache) or a miss (built there, or evicted), each {@code fixed + perLine x
 * lines} for a flow state of {@code lines} 64-byte lines, fitted through real-thread runs at 64 B and 4 KiB
 * ({@link #MEASURED_HERE}). {@code --costs FILE} replaces the grant, hit and miss costs with another real run's.
 */
public record CostModel(long dispatchNanos, long newFlowNanos, double hitFixedNanos, double hitPerLineNanos, double missFixedNanos,
                        double missPerLineNanos, long grantNanos) {
    /**
     * 112 ns/packet IO path, +24 ns per table insert, 29 us grant; state hit/miss fitted through the real-thread
     * runs in README "Cache-aware cost model" (hot vs built-or-cold mean per request at 64 B and at 4 KiB).
     */
    public static final CostModel MEASURED_HERE = fitted(112, 24, 25, 25, 200, 2_000, 29_000);

    public CostModel {
        if (dispatchNanos < 0 || newFlowNanos < 0 || grantNanos < 0 || hitFixedNanos < 0 || hitPerLineNanos < 0 || missFixedNanos < 0
            || missPerLineNanos < 0) {
            throw new IllegalArgumentException("simulator costs must be >= 0 ns");
        }
    }

    /** No IO, state or grant cost: pure queueing (tests against M/M/1). */
    public static final CostModel FREE = new CostModel(0, 0, 0, 0, 0, 0, 0);

    /** The affine fit through a hit and a miss measured at one line (64 B) and at 64 lines (4 KiB). */
    public static CostModel fitted(long dispatchNanos, long newFlowNanos, double hit64B, double hit4K, double miss64B, double miss4K, long grantNanos) {
        double hitPerLine = Math.max(0, (hit4K - hit64B) / 63), missPerLine = Math.max(0, (miss4K - miss64B) / 63);
        return new CostModel(dispatchNanos, newFlowNanos, Math.max(0, hit64B - hitPerLine), hitPerLine, Math.max(0, miss64B - missPerLine), missPerLine,
            grantNanos);
    }

    /** 64-byte cache lines in a flow state of {@code bytes}. */
    public static int lines(int bytes) { return Math.max(1, (bytes + 63) / 64); }

    /** What one request's access to its flow's state costs: a hit in the serving core's cache, or a miss. */
    public long stateNanos(boolean hit, int bytesPerFlow) {
        int n = lines(bytesPerFlow);
        return Math.round(hit ? hitFixedNanos + hitPerLineNanos * n : missFixedNanos + missPerLineNanos * n);
    }

    public CostModel withGrantNanos(long grant) {
        return new CostModel(dispatchNanos, newFlowNanos, hitFixedNanos, hitPerLineNanos, missFixedNanos, missPerLineNanos, grant);
    }
}
