package io.calisto.cli;

import io.calisto.control.experiment.MeasuredCosts;
import io.calisto.control.experiment.sim.CostModel;
import io.calisto.io.dispatch.DispatchPolicy;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto experiment paper}: the paper's modulo-vs-affinity comparison, CSV + .hgrm + PNG + Markdown. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Reproduce the paper's comparison on real threads or on the simulator (paper), or redraw a run's plot (replot).")
public final class ExperimentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "paper | replot (redraw --out DIR/p99.png and p99_vs_cores.png from DIR/results.csv; --mode names the title)")
    String name;

    @Option(names = "--mode", defaultValue = "real", description = "real (whole stack on this machine's threads) | sim (10 cores, virtual time, same policy and scheduler classes). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--quick", description = "real: 3 loads x 2 s per policy instead of 5k..14k pps x 10 s; sim: 5k, 10k, 14k, 100k, 300k, 500k, 700k, 900k pps x 0.5 virtual s instead of 1k..14k step 1k + the same 100k..900k + 1.4M x 2 s.")
    boolean quick;

    @Option(names = "--costs", description = "sim mode: take the grant, flow-state hit (hot) and miss (built or cold) costs from a real run's costs.csv (experiment paper --mode real writes one) instead of the built-in figures measured here (hit and miss spread per 64-byte line of that run's state).")
    java.nio.file.Path costs;

    @Mixin LoadOptions load;

    @Override
    public Integer call() throws Exception {
        if (!name.equals("paper") && !name.equals("replot")) throw new UserError("unknown experiment '" + name + "' (paper, replot)");
        if (!mode.equals("real") && !mode.equals("sim")) throw new UserError("--mode must be real or sim, was '" + mode + "'");
        if (name.equals("replot")) {
            // redraw DIR/p99.png from DIR/results.csv, e.g. a run from before the plot changed
            java.nio.file.Path csv = load.out.resolve("results.csv");
            if (!java.nio.file.Files.isReadable(csv)) throw new UserError("no results.csv in " + load.out + " (give the run's directory with --out)");
            var png = io.calisto.control.experiment.Report.plotCsv(csv, load.out, mode.equals("sim") ? "simulated, 10 cores" : "real threads");
            spec.commandLine().getOut().println("wrote " + png);
            return 0;
        }
        if (mode.equals("sim")) {
            // the paper's range, then far past it: the simulator has 10 cores
            List<Integer> rates = new java.util.ArrayList<>(quick ? List.of(5_000, 10_000, 14_000) : LoadOptions.steps(1_000, 14_000, 14));
            rates.addAll(List.of(100_000, 300_000, 500_000, 700_000, 900_000));
            if (!quick) rates.add(1_400_000);
            // every policy the dataplane knows, whatever NAMES holds when this runs
            var settings = load.settings(DispatchPolicy.NAMES, rates, quick ? 0.5 : 2.0, true);
            var o = spec.commandLine().getOut();
            var model = costs == null ? CostModel.MEASURED_HERE : MeasuredCosts.costModel(costs, CostModel.MEASURED_HERE);
            long began = System.nanoTime();
            var rows = io.calisto.control.experiment.PaperExperiment.simulate(settings, model, load.out, Main.lines(o));
            var apps = io.calisto.control.experiment.PaperExperiment.simulateApps(settings, model, load.out, Main.lines(o));
            io.calisto.control.experiment.Report.plot(rows, load.out, "simulated, 10 cores");
            io.calisto.control.experiment.Report.markdown(rows, settings, load.out, "simulated", "Discrete-event simulation on virtual time: "
                + "10 app cores and one IO core, the production DispatchPolicy, FlowTable and CoreScheduler classes, costs " + model
                + " (ns; dispatch and table-insert costs from JMH here; grant, flow-state hit and miss costs "
                + (costs == null ? "from the built-in figures measured on this machine (see README)" : "from the real run's " + costs) + ")."
                + " Seed 42: the same command gives the same CSV. The core pool in Settings below applies to real mode only."
                + String.format(" This run took %.0f s of wall time.", (System.nanoTime() - began) / 1e9), apps);
            o.println("wrote " + load.out.resolve("results.csv") + ", " + load.out.resolve("multiapp.csv") + ", " + load.out.resolve("p99.png") + ", "
                + load.out.resolve("p99_vs_cores.png") + ", " + load.out.resolve("report.md"));
            return 0;
        }
        List<Integer> rates = quick ? List.of(5_000, 10_000, 14_000) : LoadOptions.steps(5_000, 14_000, 10);
        return LoadgenCommand.runAndReport(load.settings(DispatchPolicy.NAMES, rates, quick ? 2.0 : 10.0), load.out, spec.commandLine().getOut());
    }
}
