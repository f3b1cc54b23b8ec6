package io.calisto.core.remote;

/**
 * One application's counters as an app in another JVM receives them (the control plane's {@code AppStats} flattened
 * to primitives, strings and arrays, so it crosses the wire with Kryo and core-actors needs no control-plane class).
 * {@code drops[i]} counts packets dropped for {@code dropReasons[i]}.
 */
public record AppSummary(String app, String policy, int guaranteed, int burstable, int[] heldCores, CoreSummary[] cores,
                         String[] dropReasons, long[] drops, long grants, long yields, long preemptions, long revokes,
                         long migratedFlows, long tableFullFallbacks) {

    /** Per pool core: packets dispatched there, packets the app's handler got there, packets still queued (dispatched, neither handled nor lost with a dead core-actor), slot state. */
    public record CoreSummary(int core, long dispatched, long delivered, long queued, String state) {}

    /** Packets dropped for {@code reason} (a {@code DropReason} label), 0 if there is no such reason. */
    public long dropped(String reason) {
        for (int i = 0; i < dropReasons.length; i++) if (dropReasons[i].equals(reason)) return drops[i];
        return 0;
    }
}
