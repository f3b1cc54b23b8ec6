package io.calisto.cli;

import io.calisto.control.experiment.PaperExperiment;
import io.calisto.control.experiment.Report;
import io.calisto.io.dispatch.DispatchPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto loadgen}: open-loop Poisson load in even steps against one policy, with the experiment's outputs. */
@Command(name = "loadgen", mixinStandardHelpOptions = true, description = "Open-loop load steps against one dispatch policy (CSV, .hgrm, PNG, report).")
public final class LoadgenCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--policy", defaultValue = "affinity", description = "Dispatch policy (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--from", defaultValue = "5000", description = "First offered load, packets/s (default: ${DEFAULT-VALUE}).")
    int from;

    @Option(names = "--to", defaultValue = "14000", description = "Last offered load, packets/s (default: ${DEFAULT-VALUE}).")
    int to;

    @Option(names = "--steps", defaultValue = "10", description = "Even steps from --from to --to (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-seconds", defaultValue = "10", description = "Seconds per step (default: ${DEFAULT-VALUE}).")
    double stepSeconds;

    @Mixin LoadOptions load;

    @Override
    public Integer call() throws Exception {
        if (!DispatchPolicy.NAMES.contains(policy)) throw new UserError("--policy must be one of " + String.join(", ", DispatchPolicy.NAMES) + "; was '" + policy + "'");
        if (stepSeconds < 0.5 || stepSeconds > 3600) throw new UserError("--step-seconds must be in 0.5..3600, was " + stepSeconds);
        return runAndReport(load.settings(List.of(policy), LoadOptions.steps(from, to, steps), stepSeconds), load.out, spec.commandLine().getOut());
    }

    static int runAndReport(PaperExperiment.Settings settings, Path out, PrintWriter o) throws Exception {
        var rows = PaperExperiment.run(new Settings().load(), settings, out, Main.lines(o));
        Report.plot(rows, out);
        Report.markdown(rows, settings, out);
        o.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("p99.png") + ", " + out.resolve("report.md") + " and one .hgrm per step");
        return 0;
    }
}
