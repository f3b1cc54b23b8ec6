package io.calisto.control;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.DropReason;
import io.calisto.core.serial.CalistoMessage;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.sched.SchedulerListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    /** {@code h}'s counters on the cores of {@code pool}, from what the IO thread and the core-actors publish (any thread). */
    static AppStats of(AppHandle h, int[] pool) {
        AppDispatch d = h.dispatch();
        List<CoreStats> cores = new ArrayList<>();
        for (int core : pool) {
            // from counters the IO thread and the core-actor publish, never the IO thread's plain fields
            long delivered = h.delivered(core); // bounded: never above what was dispatched there
            long dispatched = d.dispatched(core);
            long queued = Math.max(0, dispatched - delivered - d.appErrors(core));
            cores.add(new CoreStats(core, dispatched, delivered, queued, CoreSlot.name(d.slots[core].state())));
        }
        Map<String, Long> drops = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) drops.put(r.label(), d.dropped(r));
        return new AppStats(h.name(), d.policy().name(), d.guaranteed, d.burstable, Arrays.stream(d.heldCoresPublished()).boxed().toList(),
            cores, drops, d.schedEvents.get(SchedulerListener.GRANTED), d.schedEvents.get(SchedulerListener.YIELDED),
            d.schedEvents.get(SchedulerListener.PREEMPTED), d.schedEvents.get(SchedulerListener.REVOKED),
            d.migratedFlows(), d.policy().tableFullFallbacks());
    }
}
