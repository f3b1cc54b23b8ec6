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
     * 112 ns/packet IO path, +24 ns per table insert, 29 us grant; flow-state access medians of the real-thread runs
     * in README "Cache-aware cost model" (loadgen, affinity, 5k pps, Zipf 1.1): hot 300 ns / built-or-cold 440 ns at
     * 64 B (700k flows), hot 140 ns / built-or-cold 631 ns at 4 KiB (50k flows). Both include the app's own
     * flow-table lookup (larger with 700k flows, hence the higher hot cost at 64 B) and two clock reads.
     */
    public static final CostModel MEASURED_HERE = fitted(112, 24, 300, 140, 440, 631, 29_000);

    public CostModel {
        if (dispatchNanos < 0 || newFlowNanos < 0 || grantNanos < 0 || hitFixedNanos + hitPerLineNanos < 0 || hitFixedNanos + 64 * hitPerLineNanos < 0
            || missFixedNanos + missPerLineNanos < 0 || missFixedNanos + 64 * missPerLineNanos < 0) {
            throw new IllegalArgumentException("simulator costs must be >= 0 ns");
        }
    }

    /** No IO, state or grant cost: pure queueing (tests against M/M/1). */
    public static final CostModel FREE = new CostModel(0, 0, 0, 0, 0, 0, 0);

    /**
     * The line through a hit and a miss measured at one line (64 B) and at 64 lines (4 KiB): exact at both sizes,
     * linear between them (the slope may be negative when the fixed part, e.g. a larger flow table, differs).
     */
    public static CostModel fitted(long dispatchNanos, long newFlowNanos, double hit64B, double hit4K, double miss64B, double miss4K, long grantNanos) {
        double hitPerLine = (hit4K - hit64B) / 63, missPerLine = (miss4K - miss64B) / 63;
        return new CostModel(dispatchNanos, newFlowNanos, hit64B - hitPerLine, hitPerLine, miss64B - missPerLine, missPerLine, grantNanos);
    }

    /** 64-byte cache lines in a flow state of {@code bytes}. */
    public static int lines(int bytes) { return Math.max(1, (bytes + 63) / 64); }

    /** What one request's access to its flow's state costs: a hit in the serving core's cache, or a miss. */
    public long stateNanos(boolean hit, int bytesPerFlow) {
        int n = lines(bytesPerFlow);
        return Math.max(0, Math.round(hit ? hitFixedNanos + hitPerLineNanos * n : missFixedNanos + missPerLineNanos * n));
    }

    public CostModel withGrantNanos(long grant) {
        return new CostModel(dispatchNanos, newFlowNanos, hitFixedNanos, hitPerLineNanos, missFixedNanos, missPerLineNanos, grant);
    }
}
