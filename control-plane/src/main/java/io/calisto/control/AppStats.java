package io.calisto.control;

import io.calisto.core.serial.CalistoMessage;
import java.util.List;
import java.util.Map;

/**
 * One application's counters as {@code GetStats} returns them. Read without stopping the IO thread, so fields are
 * each exact but not one atomic snapshot. Crosses JVMs in {@link Management.Stats} (Kryo ids in reference.conf).
 */
public record AppStats(String app, String policy, int guaranteed, int burstable, List<Integer> heldCores,
                       List<CoreStats> cores, Map<String, Long> drops, long grants, long yields, long preemptions,
                       long revokes, long migratedFlows, long tableFullFallbacks) implements CalistoMessage {

    /** Per core: packets dispatched there, packets the app's handler got there, packets still queued (dispatched, neither handled nor lost with a dead core-actor). */
    public record CoreStats(int core, long dispatched, long delivered, long queued, String state) implements CalistoMessage {}
}
