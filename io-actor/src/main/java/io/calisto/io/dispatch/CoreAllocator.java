package io.calisto.io.dispatch;

/**
 * What the table policies of every app on one IO core ask the {@code CoreScheduler} for. The scheduler implements it
 * (one instance per app, wired with the policy), so the round-robin counters are the IO core's, shared by all apps,
 * as Calisto's global {@code affinity_core} is shared by all procs of the IOKernel.
 */
public interface CoreAllocator extends AffinityTablePolicy.CoreAcquirer {
    /** The paper's counter (Listing 3): the next core of the pool, round-robin, one counter for all apps. */
    int nextAffinityCore();

    /**
     * The published code's counter (andreybleme/calisto, iokernel/rx.c, {@code int affinity_core = 0}): 0 first, then
     * 1..10, wrapping at the hard-coded 11; a core id, whether or not the pool has it. One counter for all apps.
     */
    int nextPublishedCore();

    /**
     * {@code cores_add_core(p, core)} for this packet: {@code core} if the app holds it; else {@code core} granted if
     * it is idle; else Shenango's {@code pick_core_for_proc} fallback order. Returns the core the packet goes to, or
     * {@link DispatchPolicy#NO_CORE}.
     */
    int addCore(int core, int rssHash, long nowNanos);
}
