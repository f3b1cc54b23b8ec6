package io.calisto.control.experiment;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the flow-state app's per-flow state costs in a real-thread run, per request, split by where the state was:
 * already on the serving core ({@code resident}), or built there by this request ({@code built}: the flow is new
 * to this core, as after a migration). Their difference is the migration cost the simulator charges. Recorders take
 * concurrent writers (one per core-actor) without locks.
 */
public final class StateCost {
    private final Recorder resident = new Recorder(3), built = new Recorder(3);
    private final Histogram residentTotal = new Histogram(3), builtTotal = new Histogram(3);

    void record(boolean builtHere, long nanos) {
        (builtHere ? built : resident).recordValue(Math.max(0, nanos));
    }

    /** Everything recorded so far, accumulated across calls. */
    public synchronized Histogram resident() {
        residentTotal.add(resident.getIntervalHistogram());
        return residentTotal;
    }

    public synchronized Histogram built() {
        builtTotal.add(built.getIntervalHistogram());
        return builtTotal;
    }
}
