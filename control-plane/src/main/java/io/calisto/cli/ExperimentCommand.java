package io.calisto.cli;

import io.calisto.control.experiment.PaperExperiment;
import io.calisto.control.experiment.Report;
import io.calisto.io.dispatch.DispatchPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto experiment paper}: the paper's modulo-vs-affinity comparison, CSV + .hgrm + PNG + Markdown. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Reproduce the paper's comparison (real threads).")
public final class ExperimentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "paper")
    String name;

    @Option(names = "--mode", defaultValue = "real", description = "real (whole stack on this machine's threads). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--quick", description = "3 loads x 2 s per policy (about a minute) instead of 5k..14k pps x 10 s.")
    boolean quick;

    @Option(names = "--out", defaultValue = "experiment-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--flows", defaultValue = "700000", description = "Flows (default: ${DEFAULT-VALUE}, the paper's).")
    int flows;

    @Override
    public Integer call() throws Exception {
        if (!name.equals("paper")) throw new UserError("unknown experiment '" + name + "' (paper)");
        if (!mode.equals("real")) throw new UserError("--mode " + mode + " is not available: only real is built so far (the simulator is not)");
        if (flows < 1) throw new UserError("--flows must be >= 1, was " + flows);
        List<Integer> rates = quick ? List.of(5_000, 10_000, 14_000) : List.of(5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000, 13_000, 14_000);
        var settings = new PaperExperiment.Settings(DispatchPolicy.NAMES, rates, quick ? 2.0 : 10.0, 0.2, flows, 64, 10_000,
            List.of(0, 1, 2, 3));
        var o = spec.commandLine().getOut();
        var rows = PaperExperiment.run(new Settings().load(), settings, out, line -> {
            o.println(line);
            o.flush();
        });
        Report.plot(rows, out);
        Report.markdown(rows, settings, out);
        o.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("p99.png") + ", " + out.resolve("report.md") + " and one .hgrm per step");
        return 0;
    }
}
