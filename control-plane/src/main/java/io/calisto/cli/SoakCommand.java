package io.calisto.cli;

import io.calisto.control.soak.Soak;
import io.calisto.io.dispatch.DispatchPolicy;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto soak}: proves (or disproves) per-flow order while cores, limits and policies change under load. */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = {"Per-flow order soak: several apps with out-of-phase loads on a small core pool (max(4, apps+2)), a limit change, a policy swap and a core drain mid-run;"
        + " every handler checks that a flow's packets are handled one at a time, in arrival order.",
        "Prints one RESULT line per policy; exit 0 when every policy has unaccounted=reordered=overlapped=0 and grants>0 and preemptions>0, else 1."})
public final class SoakCommand implements Callable<Integer> {
    static final int MAX_APPS = 8, MAX_FLOWS = 2_000_000, MAX_SECONDS = 3600;

    @Spec CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "30", description = "Seconds of traffic per policy, 1.." + MAX_SECONDS + " (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--policy", defaultValue = "all", description = "modulo | affinity | affinity-held | affinity-rebind | affinity-published | affinity-prefill | affinity-hybrid | buckets | all: each in a fresh dataplane (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--apps", defaultValue = "2", description = "Apps, each matching its own destination port, 2.." + MAX_APPS + " (default: ${DEFAULT-VALUE}).")
    int apps;

    @Option(names = "--flows", defaultValue = "100000", description = "Synthetic flows (Zipf popularity), spread over the apps, 1.." + MAX_FLOWS + " (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--faults", description = {"Adds four misbehaving apps, each on its own destination port: one in a second JVM killed with kill -9 mid-run,"
        + " one in a third JVM stopped with SIGSTOP for 5 s then resumed (SIGCONT), one whose handler throws on every 100th packet, one whose handler"
        + " sleeps 100 ms on every 100th packet. Each policy then runs at least until 1 s after the SIGCONT (7 s with --seconds up to 5).",
        "Prints an APP line per app (sent, delivered, drops by reason, what happened to it) and fails unless every app's packets are accounted for,"
        + " the well-behaved apps dropped nothing, the kill was noticed and every throw was counted."})
    boolean faults;

    @Override
    public Integer call() throws Exception {
        if (!policy.equals("all") && !DispatchPolicy.NAMES.contains(policy)) {
            throw new UserError("--policy must be one of " + String.join(", ", DispatchPolicy.NAMES) + ", all; was '" + policy + "'");
        }
        if (seconds < 1 || seconds > MAX_SECONDS) throw new UserError("--seconds must be in 1.." + MAX_SECONDS + ", was " + seconds);
        if (apps < 2 || apps > MAX_APPS) throw new UserError("--apps must be in 2.." + MAX_APPS + ", was " + apps);
        if (flows < 1 || flows > MAX_FLOWS) throw new UserError("--flows must be in 1.." + MAX_FLOWS + ", was " + flows);
        List<String> policies = policy.equals("all") ? DispatchPolicy.NAMES : List.of(policy);
        var out = Main.lines(spec.commandLine().getOut());
        List<Soak.Result> results = Soak.run(new Settings().load(), policies, new Soak.Options(seconds, apps, flows, true, faults), out);
        for (Soak.Result r : results) out.accept(r.line());
        List<String> failures = results.stream().map(Soak.Result::failure).filter(f -> f != null).toList();
        if (failures.isEmpty()) return 0;
        out.accept("FAILED: " + String.join("; ", failures));
        return 1;
    }
}
