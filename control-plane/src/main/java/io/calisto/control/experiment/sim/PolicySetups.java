package io.calisto.control.experiment.sim;

import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.dispatch.Prefill;
import io.calisto.io.kernel.AppDispatch;
import java.util.Map;

/**
 * The seam for a policy that needs work before traffic in a simulated run, e.g. {@code affinity-prefill} filling its
 * table from the flows it will see (paper section 7). The simulator calls {@link Setup#beforeTraffic} once per app,
 * after the app's guaranteed cores are granted and before the first arrival, with the app's flow hashes (flow id =
 * index). A policy without an entry needs nothing. Register a policy here by name; the experiment harness itself
 * takes the policy list from {@code DispatchPolicy.NAMES}.
 */
public final class PolicySetups {
    @FunctionalInterface
    public interface Setup {
        void beforeTraffic(AppDispatch app, int[] flowHashes, long nowNanos);
    }

    public static final Setup NONE = (app, flowHashes, nowNanos) -> {};

    /**
     * {@code affinity-prefill}: what an operator's prefill file would list, every flow of the workload, bound
     * round-robin over the app's pool in flow-id order (the paper's Listing 3 binds new flows round-robin over the
     * pool, held or not; a Zipf workload's flow ids are its popularity ranks, so the hottest flows land on different
     * cores). Handed to the production {@link AffinityTablePolicy#prefill}, as {@code calisto.dispatch.prefill-file}
     * does: a flow listed on a core the app does not hold takes that core back from the scheduler at its packet if it
     * is idle, else is re-bound round-robin to a held core (decisions.md 39).
     */
    public static final Setup PREFILL_POOL_ROUND_ROBIN = (app, flowHashes, nowNanos) -> {
        int[] pool = new int[app.slots.length];
        int n = 0;
        for (int core = 0; core < app.slots.length; core++) if (app.slots[core] != null) pool[n++] = core;
        int[] cores = new int[flowHashes.length];
        for (int f = 0; f < flowHashes.length; f++) cores[f] = pool[f % n];
        ((AffinityTablePolicy) app.policy()).prefill(new Prefill(flowHashes, cores));
    };

    private static final Map<String, Setup> BY_POLICY = Map.of("affinity-prefill", PREFILL_POOL_ROUND_ROBIN);

    private PolicySetups() {}

    public static Setup forPolicy(String policy) { return BY_POLICY.getOrDefault(policy, NONE); }
}
