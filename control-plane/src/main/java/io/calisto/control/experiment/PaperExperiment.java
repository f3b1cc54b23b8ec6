package io.calisto.control.experiment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.experiment.sim.CostModel;
import io.calisto.control.experiment.sim.Simulator;
import io.calisto.io.port.FlowPopularity;
import io.calisto.control.DataplaneSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    /**
     * {@code core_seconds}: mean cores x the phase's seconds (the CPU the app held); {@code p99_per_core}: p99 divided
     * by mean cores; {@code park_after_us}: the core-actors' park-after (the first of {@code --park-after} is the
     * main run, the others sweep it to compare policies at equal cores); {@code cache_hit_rate}: the simulator's
     * flow-state hits (empty for real runs); {@code flows_moved_per_realloc}: the simulator's fraction of the app's
     * flows whose placement changed per core granted or taken (steady rows; empty for real runs and without one);
     * {@code core_share_per_realloc}: 1 / active cores averaged over the same reallocations (the target's bound).
     */
    public static final String CSV_HEADER = "workload,policy,phase,offered_pps,achieved_pps,p50_us,p90_us,p99_us,p999_us,p9999_us,drops,mean_cores,"
        + "flow_migrations,grants,core_seconds,p99_per_core,park_after_us,cache_hit_rate,flows_moved_per_realloc,core_share_per_realloc";

    /**
     * {@code parkAfterNanos}: the first is the main setting, any others a sweep (each a full grid);
     * {@code cacheBytes}: the simulator's flow-state cache per core.
     */
    public record Settings(List<String> policies, List<Integer> rates, double stepSeconds, double warmup, List<Workload> workloads,
                           ServiceTime.Kind service, long serviceNanos, List<Integer> pool, List<Long> parkAfterNanos, long cacheBytes) {
        public Settings {
            if (workloads.isEmpty() || parkAfterNanos.isEmpty()) throw new IllegalArgumentException("an experiment needs a workload and a park-after");
            workloads = List.copyOf(workloads);
            parkAfterNanos = List.copyOf(parkAfterNanos);
        }

        /** The main park-after; rows with another one are the sweep. */
        public long parkAfter() { return parkAfterNanos.getFirst(); }
    }

    /** {@code grants}: core grants to the app per second of the phase (every path: check, arrival, cores_add_core). */
    public record Row(String workload, String policy, String phase, int offered, double achieved, Histogram latency, long drops, double meanCores,
                      long migrations, double grants, double seconds, long parkAfterNanos, double hitRate, double movedPerRealloc,
                      double sharePerRealloc) {
        public Row(String workload, String policy, String phase, int offered, double achieved, Histogram latency, long drops, double meanCores,
                   long migrations, double grants, double seconds, long parkAfterNanos, double hitRate) {
            this(workload, policy, phase, offered, achieved, latency, drops, meanCores, migrations, grants, seconds, parkAfterNanos, hitRate, Double.NaN, Double.NaN);
        }

        public double p99() { return Percentiles.micros(latency, drops, 99); }

        public double coreSeconds() { return meanCores * seconds; }

        public String csv() {
            double p99 = p99();
            return String.join(",", workload, policy, phase, Integer.toString(offered), String.format("%.0f", achieved),
                Percentiles.format(Percentiles.micros(latency, drops, 50)), Percentiles.format(Percentiles.micros(latency, drops, 90)),
                Percentiles.format(p99), Percentiles.format(Percentiles.micros(latency, drops, 99.9)),
                Percentiles.format(Percentiles.micros(latency, drops, 99.99)), Long.toString(drops), String.format("%.2f", meanCores),
                Long.toString(migrations), String.format("%.0f", grants), String.format("%.3f", coreSeconds()),
                meanCores > 0 ? Percentiles.format(p99 / meanCores) : "", String.format("%.0f", parkAfterNanos / 1e3),
                Double.isNaN(hitRate) ? "" : String.format("%.4f", hitRate), Double.isNaN(movedPerRealloc) ? "" : String.format("%.4f", movedPerRealloc),
                Double.isNaN(sharePerRealloc) ? "" : String.format("%.4f", sharePerRealloc));
        }
    }

    private PaperExperiment() {}

    /** Real mode keeps each core's flow state in memory: past this per core the run would not fit in the heap. */
    static final long MAX_STATE_BYTES_PER_CORE = 512L << 20;

    public static List<Row> run(Config base, Settings s, Path out, Consumer<String> progress) throws Exception {
        for (Workload w : s.workloads()) {
            if ((long) w.flows() * w.bytesPerFlow() > MAX_STATE_BYTES_PER_CORE) {
                throw new IllegalArgumentException(String.format("real mode keeps %d flows x %d B = %d MiB of state per core; at most %d MiB (fewer --flows)",
                    w.flows(), w.bytesPerFlow(), (long) w.flows() * w.bytesPerFlow() >> 20, MAX_STATE_BYTES_PER_CORE >> 20));
            }
        }
        // every step's configuration differs from the first only in workload, park-after, policy and rate: check it before anything runs
        DataplaneSettings.from(stepConfig(base, s, s.workloads().getFirst(), s.parkAfterNanos().getFirst(), s.policies().getFirst(), s.rates().getFirst()));
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        List<MeasuredCosts> costs = new ArrayList<>();
        int total = s.workloads().size() * s.parkAfterNanos().size() * s.policies().size() * s.rates().size(), done = 0;
        // one discarded step first: otherwise the first policy's first step also pays the JVM's JIT warm-up (tens
        // of ms of p99 here), which the per-step warm-up rows (cold flow table) are not meant to measure
        progress.accept(bar(0, total) + " JVM warm-up step (discarded)");
        step(base, new Settings(s.policies(), s.rates(), Math.min(2.0, s.stepSeconds()), s.warmup(), s.workloads(), s.service(), s.serviceNanos(),
            s.pool(), s.parkAfterNanos(), s.cacheBytes()), s.workloads().getFirst(), s.parkAfter(), s.policies().getFirst(), s.rates().getFirst());
        for (Workload w : s.workloads()) {
            for (long parkAfter : s.parkAfterNanos()) {
                for (String policy : s.policies()) {
                    for (int rate : s.rates()) {
                        progress.accept(bar(++done, total) + String.format(" %s%s at %d pps for %.1f s%s", s.workloads().size() > 1 ? w.name() + " " : "",
                            policy, rate, s.stepSeconds(), parkAfter == s.parkAfter() ? "" : String.format(" (park-after %.0f us)", parkAfter / 1e3)));
                        StepResult step = step(base, s, w, parkAfter, policy, rate);
                        costs.add(step.costs());
                        for (Row r : step.rows()) {
                            rows.add(r);
                            try (PrintStream hgrm = new PrintStream(out.resolve(hgrmName(s, r)).toFile())) {
                                r.latency().outputPercentileDistribution(hgrm, 1000.0);
                            }
                        }
                    }
                }
            }
        }
        writeCsv(rows, out);
        MeasuredCosts.write(costs, out.resolve("costs.csv"));
        return rows;
    }

    /** {@code policy-rate-phase.hgrm}, prefixed by the workload when there are several and suffixed by a swept park-after. */
    static String hgrmName(Settings s, Row r) {
        return (s.workloads().size() > 1 ? r.workload() + "-" : "") + r.policy() + "-" + r.offered() + "-" + r.phase()
            + (r.parkAfterNanos() == s.parkAfter() ? "" : "-pa" + r.parkAfterNanos() / 1000 + "us") + ".hgrm";
    }

    static void writeCsv(List<Row> rows, Path out) throws java.io.IOException {
        Files.write(out.resolve("results.csv"), (CSV_HEADER + "\n" + String.join("\n", rows.stream().map(Row::csv).toList()) + "\n").getBytes());
    }

    record StepResult(List<Row> rows, MeasuredCosts costs) {}

    /** The simulator's cores (+ the IO core), as in the paper's testbed. */
    public static final int SIM_CORES = 10;

    /**
     * The same grid on the simulator: 10 app cores (+ the IO core), the production policy and scheduler classes on
     * virtual time, with {@code costs} (by default {@link CostModel#MEASURED_HERE}) and a flow-state cache of
     * {@code cacheBytes} per core. Runs on up to two threads; deterministic (each run has its own seed-42 generator,
     * rows come out in grid order).
     */
    public static List<Row> simulate(Settings s, CostModel costs, Path out, Consumer<String> progress) throws Exception {
        Files.createDirectories(out);
        record Job(Workload w, FlowPopularity popularity, String policy, long parkAfter, int rate) {}
        List<Job> jobs = new ArrayList<>();
        for (Workload w : s.workloads()) {
            FlowPopularity popularity = w.flowPopularity(); // immutable: shared by the runs
            for (String policy : s.policies()) {
                for (long parkAfter : s.parkAfterNanos()) for (int rate : s.rates()) jobs.add(new Job(w, popularity, policy, parkAfter, rate));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        List<Row> rows = new ArrayList<>();
        try {
            List<Future<Simulator.Result>> results = new ArrayList<>();
            for (Job j : jobs) {
                results.add(pool.submit(() -> Simulator.run(Simulator.Config.single(j.policy(), j.rate(), j.w().flows(), j.popularity(),
                    j.w().bytesPerFlow(), s.service(), s.serviceNanos(), SIM_CORES, 1, 5_000, j.parkAfter(), s.cacheBytes(), s.stepSeconds(),
                    s.warmup(), 42, costs))));
            }
            double warmSecs = s.stepSeconds() * s.warmup(), steadySecs = s.stepSeconds() - warmSecs;
            for (int i = 0; i < jobs.size(); i++) {
                Job j = jobs.get(i);
                Simulator.Result r = results.get(i).get();
                double achieved = r.packets() / s.stepSeconds();
                rows.add(new Row(j.w().name(), j.policy(), "warmup", j.rate(), achieved, r.warmup(), r.warmupDrops(), r.meanCores(), 0,
                    r.warmupGrants() / warmSecs, warmSecs, j.parkAfter(), Double.NaN));
                rows.add(new Row(j.w().name(), j.policy(), "steady", j.rate(), achieved, r.latency(), r.drops(), r.meanCores(), r.migrations(),
                    (r.grants() - r.warmupGrants()) / steadySecs, steadySecs, j.parkAfter(), r.hitRate(), r.flowsMovedPerRealloc(),
                    r.shareBoundPerRealloc()));
                boolean lastOfGroup = i + 1 == jobs.size() || !jobs.get(i + 1).policy().equals(j.policy()) || jobs.get(i + 1).w() != j.w();
                if (lastOfGroup) {
                    progress.accept(bar(i + 1, jobs.size()) + String.format(" sim %s %s: %d loads x %d park-after values, %.1f virtual s each",
                        j.w().name(), j.policy(), s.rates().size(), s.parkAfterNanos().size(), s.stepSeconds()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        writeCsv(rows, out);
        return rows;
    }

    /** One app of the several-apps run: its p99 and cores while the other app's load varies. */
    public record AppRow(String policy, int otherRate, String app, int guaranteed, int rate, Histogram latency, long drops, double meanCores,
                         long grants, long preempted, double hitRate) {
        public static final String CSV_HEADER = "policy,b_offered_pps,app,guaranteed,offered_pps,p50_us,p99_us,drops,mean_cores,grants,cores_preempted,cache_hit_rate";

        public double p99() { return Percentiles.micros(latency, drops, 99); }

        public String csv() {
            return String.join(",", policy, Integer.toString(otherRate), app, Integer.toString(guaranteed), Integer.toString(rate),
                Percentiles.format(Percentiles.micros(latency, drops, 50)), Percentiles.format(p99()), Long.toString(drops),
                String.format("%.2f", meanCores), Long.toString(grants), Long.toString(preempted), Double.isNaN(hitRate) ? "" : String.format("%.4f", hitRate));
        }
    }

    /** The several-apps scenario: app a (guarantee 3) at A_RATE pps bursts above its guarantee; app b (guarantee 4) at each of B_RATES takes its cores back. */
    public static final int A_RATE = 400_000;
    public static final List<Integer> B_RATES = List.of(0, 150_000, 300_000, 450_000);

    /**
     * Two apps on the simulator's 10 cores under each policy, the production CoreScheduler deciding grants and
     * preemptions between them: {@code a} (guarantee 3, burstable 10) at {@link #A_RATE} and {@code b} (guarantee 4,
     * burstable 10) at each of {@link #B_RATES}, both on the first workload. Writes {@code multiapp.csv}.
     */
    public static List<AppRow> simulateApps(Settings s, CostModel costs, Path out, Consumer<String> progress) throws Exception {
        Workload w = s.workloads().getFirst();
        FlowPopularity popularity = w.flowPopularity();
        List<AppRow> rows = new ArrayList<>();
        for (String policy : s.policies()) {
            for (int b : B_RATES) {
                var apps = List.of(new Simulator.AppLoad("a", policy, A_RATE, w.flows(), popularity, w.bytesPerFlow(), 3, SIM_CORES),
                    new Simulator.AppLoad("b", policy, b, w.flows(), popularity, w.bytesPerFlow(), 4, SIM_CORES));
                Simulator.Result r = Simulator.run(new Simulator.Config(apps, s.service(), s.serviceNanos(), SIM_CORES, 5_000, s.parkAfter(),
                    s.cacheBytes(), s.stepSeconds(), s.warmup(), 42, costs));
                for (int i = 0; i < apps.size(); i++) {
                    Simulator.AppResult a = r.app(i);
                    rows.add(new AppRow(policy, b, a.name(), apps.get(i).guaranteed(), (int) apps.get(i).ratePps(), a.latency(), a.drops(), a.meanCores(),
                        a.grants(), a.preempted(), a.hitRate()));
                }
            }
            progress.accept(String.format("sim several apps, %s: a at %d pps, b at %s pps", policy, A_RATE, B_RATES));
        }
        Files.write(out.resolve("multiapp.csv"), (AppRow.CSV_HEADER + "\n" + String.join("\n", rows.stream().map(AppRow::csv).toList()) + "\n").getBytes());
        return rows;
    }

    /** A text progress bar, one line per step so it reads the same on a terminal and in a CI log. */
    static String bar(int done, int total) {
        int width = 20, filled = (int) Math.round(width * done / (double) total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total;
    }

    /** A step's configuration: the base with the step's workload, park-after, policy, rate and pool. */
    static Config stepConfig(Config base, Settings s, Workload w, long parkAfter, String policy, int rate) {
        Map<String, Object> keys = new java.util.HashMap<>(Map.of(
            "calisto.dispatch.policy", policy,
            "calisto.synthetic.rate", rate,
            "calisto.synthetic.flows", w.flows(),
            "calisto.synthetic.arrival", "poisson",
            "calisto.synthetic.popularity", w.popularity(),
            "calisto.cores.pool", s.pool(),
            "calisto.io.idle-strategy", "backoff",
            "calisto.aeron.term-length", "4m",
            "calisto.core.park-after", parkAfter + "ns"));
        if (w.popularity().equals("zipf")) keys.put("calisto.synthetic.zipf-exponent", w.zipfExponent());
        return ConfigFactory.parseMap(keys).withFallback(base).resolve();
    }

    static StepResult step(Config base, Settings s, Workload w, long parkAfter, String policy, int rate) throws Exception {
        Config c = stepConfig(base, s, w, parkAfter, policy, rate);
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "experiment", c);
        try (Dataplane dp = Dataplane.start(c)) {
            StateCost stateCost = new StateCost();
            AppHandle app = dp.register(apps, FlowStateApp.spec(w.flows(), w.bytesPerFlow(), s.service(), s.serviceNanos(), stateCost), 1, s.pool().size());
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
                new Row(w.name(), policy, "warmup", rate, Math.max(0, rxAtWarmEnd) / warmSecs, warm, dropsAtWarmEnd, meanCores, migAtWarmEnd,
                    grantsAtWarmEnd / warmSecs, warmSecs, parkAfter, Double.NaN),
                new Row(w.name(), policy, "steady", rate, (rx - Math.max(0, rxAtWarmEnd)) / steadySecs, steady, drops - dropsAtWarmEnd, meanCores,
                    migrations - migAtWarmEnd, (grants - grantsAtWarmEnd) / steadySecs, steadySecs, parkAfter, Double.NaN)),
                new MeasuredCosts(policy, rate, stateCost.resident(), stateCost.built(), grant, stateCost.hot(), stateCost.cold(), w.bytesPerFlow()));
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

}
