package io.calisto.control.soak;

import io.calisto.control.Dataplane;
import java.util.List;
import java.util.function.Consumer;

/**
 * The control-plane changes a soak makes while packets flow, each once, at a fixed fraction of the run: the order
 * promise must hold across a limit change, a policy swap there and back, and a core drained and restored.
 */
final class SoakScript {
    private final Dataplane dp;
    private final List<String> apps;
    private final String policy, other;
    private final int[] pool;
    private final int burstable;
    private final Consumer<String> out;
    private int done;
    private int drained = -1;

    SoakScript(Dataplane dp, List<String> apps, String policy, String other, int[] pool, int burstable, Consumer<String> out) {
        this.dp = dp;
        this.apps = apps;
        this.policy = policy;
        this.other = other;
        this.pool = pool;
        this.burstable = burstable;
        this.out = out;
    }

    /** Takes every step whose moment ({@code fraction} of the run, 0..1) has come. */
    void advance(double fraction) {
        while (done < STEPS.length && fraction >= STEPS[done]) step(done++);
    }

    // the limit change is undone before the drain: a drained core on top of the raised guarantee would leave every
    // remaining core guaranteed, and nothing would move while the core is out of service
    private static final double[] STEPS = {0.15, 0.3, 0.45, 0.55, 0.7, 0.85};

    private void step(int i) {
        String first = apps.get(0);
        switch (i) {
            case 0 -> { // a bigger guarantee may preempt at once; the burstable limit opens the whole pool
                dp.setCoreLimits(first, 2, pool.length);
                say(first + " limits -> guaranteed 2, burstable " + pool.length);
            }
            case 1 -> {
                for (String a : apps) dp.setPolicy(a, other);
                say("every app's policy -> " + other);
            }
            case 2 -> { // cores above the burstable limit are revoked, drained first
                dp.setCoreLimits(first, Soak.GUARANTEED, burstable);
                say(first + " limits -> guaranteed " + Soak.GUARANTEED + ", burstable " + burstable);
            }
            case 3 -> drain();
            case 4 -> {
                if (drained >= 0) {
                    dp.drainCore(drained, true);
                    say("core " + drained + " restored");
                }
            }
            default -> {
                for (String a : apps) dp.setPolicy(a, policy);
                say("every app's policy -> " + policy);
            }
        }
    }

    /** Drains the highest pool core that is not part of an app's guarantee at this moment (the scheduler refuses those). */
    private void drain() {
        for (int k = pool.length - 1; k >= 0 && drained < 0; k--) {
            try {
                dp.drainCore(pool[k], false);
                drained = pool[k];
            } catch (IllegalArgumentException guaranteed) {
                // held as part of a guarantee: try the next one
            }
        }
        say(drained >= 0 ? "core " + drained + " drained (out of service)" : "no core could be drained: every one held a guarantee");
    }

    private void say(String what) { out.accept("  " + policy + " " + what); }
}
