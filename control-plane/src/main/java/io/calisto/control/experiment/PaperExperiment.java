package io.calisto.control.experiment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.DataplaneSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The paper's comparison on real threads: for each policy and each offered load, a fresh dataplane (cold flow
 * tables, as in the paper) serves open-loop Poisson traffic from many flows to the flow-state app; per step the
 * latency percentiles (drops = infinite), achieved rate, mean cores held and flow migrations. Warm-up (the first
 * {@code warmup} fraction of each step) is reported in its own rows, not hidden: the paper's 5k-pps effect is warm-up.
 */
public final class PaperExperiment {
    public static final String CSV_HEADER = "policy,phase,offered_pps,achieved_pps,p50_us,p90_us,p99_us,p999_us,p9999_us,drops,mean_cores,flow_migrations,grants";

    public record Settings(List<String> policies, List<Integer> rates, double stepSeconds, double warmup, int flows,
                           String popularity, int bytesPerFlow, ServiceTime.Kind service, long serviceNanos, List<Integer> pool) {}

    /** {@code grants}: core grants to the app per second of the phase (every path: check, arrival, cores_add_core). */
    public record Row(String policy, String phase, int offered, double achieved, Histogram latency, long drops, double meanCores, long migrations,
                      double grants) {
        public String csv() {
            return String.join(",", policy, phase, Integer.toString(offered), String.format("%.0f", achieved),
                Percentiles.format(Percentiles.micros(latency, drops, 50)), Percentiles.format(Percentiles.micros(latency, drops, 90)),
                Percentiles.format(Percentiles.micros(latency, drops, 99)), Percentiles.format(Percentiles.micros(latency, drops, 99.9)),
                Percentiles.format(Percentiles.micros(latency, drops, 99.99)), Long.toString(drops), String.format("%.2f", meanCores),
                Long.toString(migrations), String.format("%.0f", grants));
        }
    }

    private PaperExperiment() {}

    public static List<Row> run(Config base, Settings s, Path out, Consumer<String> progress) throws Exception {
        // every step's configuration differs from the first only in policy and rate: check it before anything runs
        DataplaneSettings.from(stepConfig(base, s, s.policies().getFirst(), s.rates().getFirst()));
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        List<MeasuredCosts> costs = new ArrayList<>();
        int total = s.policies().size() * s.rates().size(), done = 0;
        // one discarded step first: otherwise the first policy's first step also pays the JVM's JIT warm-up (tens
        // of ms of p99 here), which the per-step warm-up rows (cold flow table) are not meant to measure
        progress.accept(bar(0, total) + " JVM warm-up step (discarded)");
        step(base, new Settings(s.policies(), s.rates(), Math.min(2.0, s.stepSeconds()), s.warmup(), s.flows(), s.popularity(),
            s.bytesPerFlow(), s.service(), s.serviceNanos(), s.pool()), s.policies().getFirst(), s.rates().getFirst());
        for (String policy : s.policies()) {
            for (int rate : s.rates()) {
                progress.accept(bar(++done, total) + String.format(" %s at %d pps for %.1f s", policy, rate, s.stepSeconds()));
                StepResult step = step(base, s, policy, rate);
                costs.add(step.costs());
                for (Row r : step.rows()) {
                    rows.add(r);
                    try (PrintStream hgrm = new PrintStream(out.resolve(policy + "-" + rate + "-" + r.phase() + ".hgrm").toFile())) {
                        r.latency().outputPercentileDistribution(hgrm, 1000.0);
                    }
                }
            }
        }
        Files.write(out.resolve("results.csv"), (CSV_HEADER + "\n" + String.join("\n", rows.stream().map(Row::csv).toList()) + "\n").getBytes());
        MeasuredCosts.write(costs, out.resolve("costs.csv"));
        return rows;
    }

    record StepResult(List<Row> rows, MeasuredCosts costs) {}

    /**
     * The same grid on the simulator: 10 app cores (+ the IO core), the production policy and scheduler classes on
     * virtual time, with {@code costs} (by default {@link io.calisto.control.experiment.sim.CostModel#MEASURED_HERE}).
     * Deterministic.
     */
    public static List<Row> simulate(Settings s, io.calisto.control.experiment.sim.CostModel costs, Path out, Consumer<String> progress) throws Exception {
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        var popularity = s.popularity().equals("zipf") ? io.calisto.io.port.FlowPopularity.zipf(s.flows(), 1.0)
            : io.calisto.io.port.FlowPopularity.uniform(s.flows());
        int total = s.policies().size() * s.rates().size(), done = 0;
        for (String policy : s.policies()) {
            for (int rate : s.rates()) {
                progress.accept(bar(++done, total) + String.format(" sim %s at %d pps for %.1f virtual s", policy, rate, s.stepSeconds()));
                var r = io.calisto.control.experiment.sim.Simulator.run(new io.calisto.control.experiment.sim.Simulator.Config(policy, rate,
                    s.flows(), popularity, s.service(), s.serviceNanos(), 10, 1, 5_000, 200_000, s.stepSeconds(), s.warmup(), 42, costs));
                double achieved = r.packets() / s.stepSeconds();
                double warmSecs = s.stepSeconds() * s.warmup(), steadySecs = s.stepSeconds() - warmSecs;
                rows.add(new Row(policy, "warmup", rate, achieved, r.warmup(), r.warmupDrops(), r.meanCores(), 0, r.warmupGrants() / warmSecs));
                rows.add(new Row(policy, "steady", rate, achieved, r.latency(), r.drops(), r.meanCores(), r.migrations(),
                    (r.grants() - r.warmupGrants()) / steadySecs));
            }
        }
        Files.write(out.resolve("results.csv"), (CSV_HEADER + "\n" + String.join("\n", rows.stream().map(Row::csv).toList()) + "\n").getBytes());
        return rows;
    }

    /** A text progress bar, one line per step so it reads the same on a terminal and in a CI log. */
    static String bar(int done, int total) {
        int width = 20, filled = (int) Math.round(width * done / (double) total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total;
    }

    /** A step's configuration: the base with the step's policy, rate, load and pool. */
    static Config stepConfig(Config base, Settings s, String policy, int rate) {
        return ConfigFactory.parseMap(Map.of(
            "calisto.dispatch.policy", policy,
            "calisto.synthetic.rate", rate,
            "calisto.synthetic.flows", s.flows(),
            "calisto.synthetic.arrival", "poisson",
            "calisto.synthetic.popularity", s.popularity(),
            "calisto.cores.pool", s.pool(),
            "calisto.io.idle-strategy", "backoff",
            "calisto.aeron.term-length", "4m")).withFallback(base).resolve();
    }

    static StepResult step(Config base, Settings s, String policy, int rate) throws Exception {
        Config c = stepConfig(base, s, policy, rate);
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "experiment", c);
        try (Dataplane dp = Dataplane.start(c)) {
            StateCost stateCost = new StateCost();
            AppHandle app = dp.register(apps, FlowStateApp.spec(s.flows(), s.bytesPerFlow(), s.service(), s.serviceNanos(), stateCost), 1, s.pool().size());
            dp.startRx();
            long start = System.nanoTime(), warmEnd = start + (long) (s.stepSeconds() * s.warmup() * 1e9), end = start + (long) (s.stepSeconds() * 1e9);
            Histogram warm = new Histogram(3), steady = new Histogram(3);
            long coreSamples = 0, coreSum = 0, rxAtWarmEnd = -1, dropsAtWarmEnd = 0, migAtWarmEnd = 0, grantsAtWarmEnd = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(10);
                coreSum += app.dispatch().heldCores().length;
                coreSamples++;
                Histogram interval = dp.kernel().latency().getIntervalHistogram();
                if (System.nanoTime() < warmEnd) {
                    warm.add(interval);
                } else {
                    if (rxAtWarmEnd < 0) {
                        app.runtime().grantReaction().getIntervalHistogram(); // grant samples: steady phase only
                        rxAtWarmEnd = dp.kernel().received();
                        dropsAtWarmEnd = dp.kernel().droppedTotal();
                        migAtWarmEnd = Math.max(0, app.dispatch().migratedFlows());
                        grantsAtWarmEnd = app.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.GRANTED);
                    }
                    steady.add(interval);
                }
            }
            long rx = dp.kernel().received();
            long grants = app.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.GRANTED);
            dp.drainAndStop(java.time.Duration.ofSeconds(10));
            steady.add(dp.kernel().latency().getIntervalHistogram());
            long drops = dp.kernel().droppedTotal() - dp.kernel().dropped(DropReason.NO_APP);
            long migrations = Math.max(0, app.dispatch().migratedFlows());
            double warmSecs = s.stepSeconds() * s.warmup(), steadySecs = s.stepSeconds() - warmSecs;
            double meanCores = coreSamples == 0 ? 0 : coreSum / (double) coreSamples;
            Histogram grant = app.runtime().grantReaction().getIntervalHistogram();
            return new StepResult(List.of(
                new Row(policy, "warmup", rate, Math.max(0, rxAtWarmEnd) / warmSecs, warm, dropsAtWarmEnd, meanCores, migAtWarmEnd,
                    grantsAtWarmEnd / warmSecs),
                new Row(policy, "steady", rate, (rx - Math.max(0, rxAtWarmEnd)) / steadySecs, steady, drops - dropsAtWarmEnd, meanCores,
                    migrations - migAtWarmEnd, (grants - grantsAtWarmEnd) / steadySecs)),
                new MeasuredCosts(policy, rate, stateCost.resident(), stateCost.built(), grant));
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

}
