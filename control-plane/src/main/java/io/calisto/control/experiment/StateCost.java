package io.calisto.control.experiment;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the flow-state app's per-flow state costs in a real-thread run, per request, split by where the state was:
 * already on the serving core ({@code resident}), or built there by this request ({@code built}: the flow is new
 * to this core, as after a migration). Resident requests are further split by recency on their core ({@link Kind}):
 * {@code hot} (touched so recently it must still be in the core's cache) and {@code cold} (not touched for longer
 * than the last-level cache could hold); the simulator's cache model charges hot as a hit, and built-or-cold as a
 * miss. Recorders take concurrent writers (one per core-actor) without locks.
 */
public final class StateCost {
    /** Where a request found its flow's state on the serving core. */
    public enum Kind { HOT, WARM, COLD, BUILT }

    private final Recorder resident = new Recorder(3), built = new Recorder(3), hot = new Recorder(3), cold = new Recorder(3);
    private final Histogram residentTotal = new Histogram(3), builtTotal = new Histogram(3), hotTotal = new Histogram(3),
        coldTotal = new Histogram(3);

    void record(Kind kind, long nanos) {
        long v = Math.max(0, nanos);
        (kind == Kind.BUILT ? built : resident).recordValue(v);
        if (kind == Kind.HOT) hot.recordValue(v);
        else if (kind != Kind.WARM) cold.recordValue(v); // built or resident-cold: a miss
    }

    /** Everything recorded so far, accumulated across calls. */
    public synchronized Histogram resident() { return drain(resident, residentTotal); }

    public synchronized Histogram built() { return drain(built, builtTotal); }

    /** Resident and touched within the hot window: a cache hit. */
    public synchronized Histogram hot() { return drain(hot, hotTotal); }

    /** Built on this core, or resident but untouched for longer than the cache holds: a cache miss. */
    public synchronized Histogram cold() { return drain(cold, coldTotal); }

    private static Histogram drain(Recorder r, Histogram total) {
        total.add(r.getIntervalHistogram());
        return total;
    }
}
