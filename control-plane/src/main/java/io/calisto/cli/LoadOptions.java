package io.calisto.cli;

import io.calisto.control.experiment.PaperExperiment;
import io.calisto.control.experiment.ServiceTime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Load options shared by {@code loadgen} and {@code experiment}. */
final class LoadOptions {
    @Option(names = "--flows", defaultValue = "700000", description = "Flows (default: ${DEFAULT-VALUE}, the paper's).")
    int flows;

    @Option(names = "--popularity", defaultValue = "uniform", description = "uniform | zipf (exponent calisto.synthetic.zipf-exponent = 1.0). Default: ${DEFAULT-VALUE}.")
    String popularity;

    @Option(names = "--service", defaultValue = "constant", description = "Service time: constant | exponential | bimodal. Default: ${DEFAULT-VALUE}.")
    String service;

    @Option(names = "--service-mean", defaultValue = "10000", description = "Mean service time, ns (default: ${DEFAULT-VALUE}).")
    long serviceMean;

    @Option(names = "--bytes-per-flow", defaultValue = "64", description = "Per-flow state the server touches (default: ${DEFAULT-VALUE}).")
    int bytesPerFlow;

    @Option(names = "--warmup", defaultValue = "0.2", description = "Fraction of each step reported as warm-up (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--pool-cores", description = "Real mode: pool cores the app may hold, guarantee 1 (default: the CPUs left after the IO core, at least 2, so there is a core to grant).")
    Integer poolCores;

    /** CPUs minus the IO core's, at least 2: one guaranteed core and one to grant. */
    static int defaultPool() { return Math.max(2, Runtime.getRuntime().availableProcessors() - 1); }

    @Option(names = "--out", defaultValue = "experiment-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    /** Creates {@code --out} before anything runs: a directory that cannot be had is one line (exit 2), not a stack trace at the end. */
    private void createOut() {
        try {
            java.nio.file.Files.createDirectories(out);
        } catch (java.io.IOException | SecurityException e) {
            throw new UserError("cannot create --out " + out + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        if (!java.nio.file.Files.isWritable(out)) throw new UserError("--out " + out + " is not a writable directory");
    }

    PaperExperiment.Settings settings(List<String> policies, List<Integer> rates, double stepSeconds) {
        if (flows < 1) throw new UserError("--flows must be >= 1, was " + flows);
        if (!popularity.equals("uniform") && !popularity.equals("zipf")) throw new UserError("--popularity must be uniform or zipf, was '" + popularity + "'");
        if (serviceMean < 0) throw new UserError("--service-mean must be >= 0, was " + serviceMean);
        if (bytesPerFlow < 1 || bytesPerFlow > 4096) throw new UserError("--bytes-per-flow must be in 1..4096, was " + bytesPerFlow);
        if (warmup < 0 || warmup >= 1) throw new UserError("--warmup must be in [0, 1), was " + warmup);
        createOut();
        int pool = poolCores == null ? defaultPool() : poolCores;
        if (pool < 1 || pool > 64) throw new UserError("--pool-cores must be in 1..64, was " + pool);
        List<Integer> cores = new ArrayList<>();
        for (int c = 0; c < pool; c++) cores.add(c);
        return new PaperExperiment.Settings(policies, rates, stepSeconds, warmup, flows, popularity, bytesPerFlow,
            ServiceTime.kind(service), serviceMean, List.copyOf(cores));
    }

    static List<Integer> steps(int from, int to, int steps) {
        if (from < 1 || to < from || steps < 1) throw new UserError("load steps need 1 <= --from <= --to and --steps >= 1, were " + from + ", " + to + ", " + steps);
        List<Integer> rates = new ArrayList<>();
        for (int i = 0; i < steps; i++) rates.add(steps == 1 ? from : from + (int) Math.round((to - from) * (double) i / (steps - 1)));
        return rates;
    }
}
