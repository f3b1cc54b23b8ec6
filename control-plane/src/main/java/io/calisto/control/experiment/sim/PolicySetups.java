package io.calisto.control.experiment.sim;

import io.calisto.io.kernel.AppDispatch;
import java.util.Map;

/**
 * The seam for a policy that needs work before traffic in a simulated run, e.g. {@code affinity-prefill} filling its
 * table from the flows it will see (paper section 7). The simulator calls {@link Setup#beforeTraffic} once per app,
 * after the app's guaranteed cores are granted and before the first arrival, with the app's flow hashes (flow id =
 * index). A policy without an entry needs nothing. Register a policy here by name; the experiment harness itself
 * takes the policy list from {@code DispatchPolicy.NAMES} and needs no change.
 */
public final class PolicySetups {
    @FunctionalInterface
    public interface Setup {
        void beforeTraffic(AppDispatch app, int[] flowHashes, long nowNanos);
    }

    public static final Setup NONE = (app, flowHashes, nowNanos) -> {};

    private static final Map<String, Setup> BY_POLICY = Map.of();

    private PolicySetups() {}

    public static Setup forPolicy(String policy) { return BY_POLICY.getOrDefault(policy, NONE); }
}
