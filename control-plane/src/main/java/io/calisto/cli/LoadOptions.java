package io.calisto.cli;

import io.calisto.control.experiment.PaperExperiment;
import io.calisto.control.experiment.ServiceTime;
import io.calisto.control.experiment.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Load options shared by {@code loadgen} and {@code experiment}. */
final class LoadOptions {
    @Option(names = "--flows", description = "Flows (default: 700000, the paper's; replaces the presets' when given).")
    Integer flows;

    @Option(names = "--popularity", description = "uniform | zipf: one workload of this popularity instead of the presets (default: uniform; "
        + "experiment --mode sim: the presets of --workloads).")
    String popularity;

    @Option(names = "--zipf-exponent", defaultValue = "1.1", description = "Zipf exponent s (flow k has weight 1/k^s) of zipf popularity (default: ${DEFAULT-VALUE}).")
    double zipfExponent;

    @Option(names = "--workloads", split = ",", description = "Presets to run, each its own rows (results.csv's workload column): uniform (700k flows, "
        + "64 B of state, the paper's) and zipf (700k flows, Zipf --zipf-exponent, 4096 B). Default: uniform,zipf for experiment --mode sim, else one "
        + "workload from --popularity. --flows and --bytes-per-flow replace a preset's when given.")
    List<String> workloads;

    @Option(names = "--park-after", split = ",", description = "Core-actor park-after (idle time before a core yields), e.g. 200us; several: the first is "
        + "the main run, the others sweep it so report.md can compare policies at equal mean cores. Default: 200us; experiment --mode sim: "
        + "200us,25us,50us,100us,800us.")
    List<String> parkAfter;

    @Option(names = "--cache-bytes", defaultValue = "2097152", description = "Simulator: each core's flow-state cache (LRU), bytes (default: ${DEFAULT-VALUE}, a 2 MiB L2).")
    long cacheBytes;

    @Option(names = "--service", defaultValue = "constant", description = "Service time: constant | exponential | bimodal. Default: ${DEFAULT-VALUE}.")
    String service;

    @Option(names = "--service-mean", defaultValue = "10000", description = "Mean service time, ns (default: ${DEFAULT-VALUE}).")
    long serviceMean;

    @Option(names = "--bytes-per-flow", description = "Per-flow state the server touches, bytes (default: 64; the zipf preset's 4096; replaces the presets' when given).")
    Integer bytesPerFlow;

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
        return settings(policies, rates, stepSeconds, false);
    }

    /** {@code sim}: the presets and the park-after sweep by default. */
    PaperExperiment.Settings settings(List<String> policies, List<Integer> rates, double stepSeconds, boolean sim) {
        if (flows != null && flows < 1) throw new UserError("--flows must be >= 1, was " + flows);
        if (popularity != null && !popularity.equals("uniform") && !popularity.equals("zipf")) {
            throw new UserError("--popularity must be uniform or zipf, was '" + popularity + "'");
        }
        if (!(zipfExponent > 0)) throw new UserError("--zipf-exponent must be > 0, was " + zipfExponent);
        if (serviceMean < 0) throw new UserError("--service-mean must be >= 0, was " + serviceMean);
        if (bytesPerFlow != null && (bytesPerFlow < 1 || bytesPerFlow > 4096)) throw new UserError("--bytes-per-flow must be in 1..4096, was " + bytesPerFlow);
        if (warmup < 0 || warmup >= 1) throw new UserError("--warmup must be in [0, 1), was " + warmup);
        if (cacheBytes < 64) throw new UserError("--cache-bytes must be >= 64, was " + cacheBytes);
        if (workloads != null && popularity != null) throw new UserError("give --workloads or --popularity, not both");
        List<Workload> runs = new ArrayList<>();
        List<String> names = workloads != null ? workloads : sim && popularity == null ? List.of("uniform", "zipf") : null;
        if (names == null) {
            String pop = popularity == null ? "uniform" : popularity;
            runs.add(new Workload(pop, flows == null ? 700_000 : flows, pop, zipfExponent, bytesPerFlow == null ? 64 : bytesPerFlow));
        } else {
            for (String n : names) {
                Workload preset = switch (n) {
                    case "uniform" -> Workload.UNIFORM;
                    case "zipf" -> new Workload("zipf", Workload.ZIPF.flows(), "zipf", zipfExponent, Workload.ZIPF.bytesPerFlow());
                    default -> throw new UserError("--workloads takes uniform and zipf, was '" + n + "'");
                };
                runs.add(new Workload(preset.name(), flows == null ? preset.flows() : flows, preset.popularity(), preset.zipfExponent(),
                    bytesPerFlow == null ? preset.bytesPerFlow() : bytesPerFlow));
            }
        }
        List<Long> parks = new ArrayList<>();
        for (String p : parkAfter != null ? parkAfter : sim ? List.of("200us", "25us", "50us", "100us", "800us") : List.of("200us")) {
            long nanos = Settings.duration("--park-after", p).toNanos();
            if (parks.contains(nanos)) throw new UserError("--park-after lists " + p + " twice");
            parks.add(nanos);
        }
        createOut();
        int pool = poolCores == null ? defaultPool() : poolCores;
        if (pool < 1 || pool > 64) throw new UserError("--pool-cores must be in 1..64, was " + pool);
        List<Integer> cores = new ArrayList<>();
        for (int c = 0; c < pool; c++) cores.add(c);
        return new PaperExperiment.Settings(policies, rates, stepSeconds, warmup, runs, ServiceTime.kind(service), serviceMean, List.copyOf(cores),
            parks, cacheBytes);
    }

    static List<Integer> steps(int from, int to, int steps) {
        if (from < 1 || to < from || steps < 1) throw new UserError("load steps need 1 <= --from <= --to and --steps >= 1, were " + from + ", " + to + ", " + steps);
        List<Integer> rates = new ArrayList<>();
        for (int i = 0; i < steps; i++) rates.add(steps == 1 ? from : from + (int) Math.round((to - from) * (double) i / (steps - 1)));
        return rates;
    }
}
