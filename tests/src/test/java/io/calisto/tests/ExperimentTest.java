package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.experiment.MeasuredCosts;
import io.calisto.control.experiment.PaperExperiment;
import io.calisto.control.experiment.sim.CostModel;
import io.calisto.control.experiment.Percentiles;
import io.calisto.control.experiment.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
    @TempDir Path out;

    @Test
    void dropsCountAsInfiniteLatencyInPercentiles() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 98; i++) h.recordValue(i * 1000L); // 1..98 us
        assertEquals(50.0, Percentiles.micros(h, 2, 50), 0.1);
        assertEquals(98.0, Percentiles.micros(h, 2, 98), 0.1);
        assertEquals(Double.POSITIVE_INFINITY, Percentiles.micros(h, 2, 99));
        assertEquals("inf", Percentiles.format(Percentiles.micros(h, 2, 99.9)));
        assertEquals(98.0, Percentiles.micros(h, 0, 99), 0.1); // no drops: the 99th percentile of 1..98 us is 98 us
    }

    @Test
    void aSmallRunWritesCsvHistogramsPlotAndReport() throws Exception {
        var s = new PaperExperiment.Settings(List.of("modulo", "affinity"), List.of(3_000), 1.0, 0.3,
            List.of(new io.calisto.control.experiment.Workload("uniform", 2_000, "uniform", 0, 64)),
            io.calisto.control.experiment.ServiceTime.Kind.CONSTANT, 0, List.of(0, 1), List.of(200_000L), 2 << 20);
        var rows = PaperExperiment.run(EndToEndTest.config(Map.of()), s, out, line -> {});
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(PaperExperiment.CSV_HEADER, csv.getFirst());
        assertEquals(4, csv.size() - 1, "warm-up and steady rows for each policy");
        for (PaperExperiment.Row r : rows) {
            assertEquals(0, r.drops(), r.csv());
            assertTrue(r.latency().getTotalCount() > 0, r.csv());
        }
        PaperExperiment.Row steadyAffinity = rows.get(3);
        assertEquals("affinity", steadyAffinity.policy());
        assertEquals("steady", steadyAffinity.phase());
        assertEquals(3_000, steadyAffinity.achieved(), 3_000 * 0.25);
        assertEquals(0, steadyAffinity.migrations(), "paper-mode affinity keeps every flow on one core");
        assertTrue(Files.exists(out.resolve("modulo-3000-steady.hgrm")));
        assertTrue(Files.size(Report.plot(rows, out)) > 5_000, "a real PNG");
        String md = Files.readString(Report.markdown(rows, s, out));
        assertTrue(md.contains("## Against the paper") && md.contains("- 3000 pps: modulo"), md);
        assertTrue(md.contains("## Paper vs code vs this project") && md.contains("| grants/s |"), md);
        assertTrue(md.contains("## At equal mean cores") && md.contains("### Workload uniform"), md);
        assertTrue(Files.size(out.resolve("p99_vs_cores.png")) > 5_000, "a real PNG");
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            assertEquals(20, f.length, "workload, core_seconds, p99_per_core, park_after_us, cache_hit_rate, flows_moved_per_realloc, core_share_per_realloc: " + line);
            assertEquals("uniform", f[0]);
            double cores = Double.parseDouble(f[11]), seconds = f[2].equals("warmup") ? 0.3 : 0.7;
            // mean_cores is printed to 2 decimals (off by up to 0.005 x seconds), core_seconds to 3
            assertEquals(cores * seconds, Double.parseDouble(f[14]), 0.005 * seconds + 0.0005, "core_seconds = mean cores x the phase's seconds: " + line);
            // mean_cores is printed to 2 decimals: recomputed from it, p99 / cores agrees within 0.5%
            assertEquals(Double.parseDouble(f[7]) / cores, Double.parseDouble(f[15]), Double.parseDouble(f[15]) * 0.005, "p99_per_core = p99 / mean cores: " + line);
            assertEquals("200", f[16]);
            assertEquals("", f[17], "no cache model on real threads");
        }

        // every request's state access was timed exactly once, as resident or as built on its core
        List<String> costs = Files.readAllLines(out.resolve("costs.csv"));
        assertEquals(MeasuredCosts.HEADER, costs.getFirst());
        assertEquals(List.of("modulo", "affinity", "all"), costs.stream().skip(1).map(l -> l.split(",")[0]).toList());
        long requestsAll = 0;
        for (int i = 0; i < 2; i++) {
            String[] f = costs.get(1 + i).split(",");
            long replies = rows.get(2 * i).latency().getTotalCount() + rows.get(2 * i + 1).latency().getTotalCount();
            assertEquals(replies, Long.parseLong(f[2]) + Long.parseLong(f[4]), costs.get(1 + i));
            // hot and cold are disjoint parts of them: hot is resident only, cold holds every built request
            assertTrue(Long.parseLong(f[10]) + Long.parseLong(f[13]) <= replies, costs.get(1 + i));
            assertTrue(Long.parseLong(f[13]) >= Long.parseLong(f[4]), costs.get(1 + i));
            assertEquals("64", f[16]);
            requestsAll += replies;
        }
        String[] affinity = costs.get(2).split(","), all = costs.get(3).split(",");
        assertTrue(Long.parseLong(affinity[4]) <= 2_000, "paper-mode affinity builds each of the 2000 flows' state once at most: " + costs.get(2));
        assertEquals(requestsAll, Long.parseLong(all[2]) + Long.parseLong(all[4]));
        assertTrue(md.contains("## Costs measured in this run") && md.contains("--costs " + out.resolve("costs.csv")), md);
        assertTrue(md.contains("over " + all[13] + " requests, at 64 B per flow."), md);

        // replot redraws the PNG from the CSV alone
        Files.delete(out.resolve("p99.png"));
        CliTest.Result replot = CliTest.cli("experiment", "replot", "--out", out.toString());
        assertEquals(0, replot.code(), replot.err());
        assertTrue(Files.size(out.resolve("p99.png")) > 5_000, "a real PNG from results.csv");
        Files.write(out.resolve("results.csv"), List.of("not,a,results,file"));
        var bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> Report.plotCsv(out.resolve("results.csv"), out, "real threads"));
        assertEquals(out.resolve("results.csv") + " is not a results.csv of experiment/loadgen (header differs)", bad.getMessage());
    }

    @Test
    void theSimulatorTakesMigrationAndGrantCostsFromARealRunsCostsFile() throws Exception {
        Path file = out.resolve("costs.csv");
        Files.write(file, List.of(MeasuredCosts.HEADER, "modulo,5000,10,20.0,5,70.0,50,3,40.0,90.0,4,150.0,128,6,1500.0,1280,4096",
            "all,0,10,20.0,5,70.0,50,3,40.0,90.0,4,150.0,128,6,1500.0,1280,4096"));
        CostModel m = MeasuredCosts.costModel(file, CostModel.MEASURED_HERE);
        // hit = hot median, miss = cold median, per 64-byte line of the run's 4096 B states; grant = grant p50
        assertEquals(new CostModel(CostModel.MEASURED_HERE.dispatchNanos(), CostModel.MEASURED_HERE.newFlowNanos(), 0, 2.0, 0, 20.0, 40_000), m);
        assertEquals(128, m.stateNanos(true, 4096));
        assertEquals(20, m.stateNanos(false, 64));
        Files.write(file, List.of("policy,x"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> MeasuredCosts.costModel(file, CostModel.MEASURED_HERE));
        assertEquals(file + " is not a costs.csv written by experiment paper --mode real (header differs)", e.getMessage());
        CliTest.Result r = CliTest.cli("experiment", "paper", "--mode", "sim", "--quick", "--costs", out.resolve("missing.csv").toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals("calisto: cannot read costs file " + out.resolve("missing.csv") + " (NoSuchFileException)", r.err().strip());
    }

    @Test
    void workloadParkAfterAndStateSizeMistakesAreOneLine() {
        for (var c : List.of(
                List.of("calisto: --workloads takes uniform and zipf, was 'foo'", "--mode", "sim", "--workloads", "foo"),
                List.of("calisto: --park-after needs a unit (e.g. 10s, 500ms), was '10'", "--mode", "sim", "--park-after", "10"),
                List.of("calisto: --park-after lists 50us twice", "--mode", "sim", "--park-after", "50us,200us,50us"),
                List.of("calisto: give --workloads or --popularity, not both", "--workloads", "zipf", "--popularity", "zipf"),
                List.of("calisto: real mode keeps 700000 flows x 4096 B = 2734 MiB of state per core; at most 512 MiB (fewer --flows)", "--workloads", "zipf", "--quick"))) {
            List<String> args = new java.util.ArrayList<>(List.of("experiment", "paper", "--out", out.toString()));
            args.addAll(c.subList(1, c.size()));
            CliTest.Result r = CliTest.cli(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertEquals(c.getFirst(), r.err().strip());
        }
    }

    @Test
    void serviceTimeDistributionsKeepTheirMean() {
        var constant = new io.calisto.control.experiment.ServiceTime(io.calisto.control.experiment.ServiceTime.Kind.CONSTANT, 10_000, 1);
        assertEquals(10_000, constant.next());
        for (var kind : List.of(io.calisto.control.experiment.ServiceTime.Kind.EXPONENTIAL, io.calisto.control.experiment.ServiceTime.Kind.BIMODAL)) {
            var t = new io.calisto.control.experiment.ServiceTime(kind, 10_000, 7);
            long sum = 0, longOnes = 0;
            for (int i = 0; i < 200_000; i++) {
                long v = t.next();
                sum += v;
                if (v > 20_000) longOnes++;
            }
            assertEquals(10_000, sum / 200_000.0, 10_000 * 0.02, kind.toString());
            // exponential: P(X > 2 mean) = e^-2 = 13.5%; bimodal: the 10% at 5.5x the mean
            assertEquals(kind == io.calisto.control.experiment.ServiceTime.Kind.BIMODAL ? 0.10 : Math.exp(-2), longOnes / 200_000.0, 0.01, kind.toString());
        }
    }

    @Test
    void loadgenRunsEvenStepsAgainstOnePolicy() throws Exception {
        CliTest.Result r = CliTest.cli("loadgen", "--policy", "modulo", "--from", "2000", "--to", "4000", "--steps", "2", "--step-seconds", "1",
            "--flows", "1000", "--popularity", "zipf", "--service", "exponential", "--service-mean", "2000", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(List.of("zipf,modulo,warmup,2000", "zipf,modulo,steady,2000", "zipf,modulo,warmup,4000", "zipf,modulo,steady,4000"),
            csv.subList(1, csv.size()).stream().map(l -> String.join(",", java.util.Arrays.copyOf(l.split(","), 4))).toList());
        assertTrue(Files.readString(out.resolve("report.md")).contains("zipf: 1000 flows (zipf 1.1)"));
        assertEquals("calisto: service distribution must be constant, exponential or bimodal, was 'gamma'",
            CliTest.cli("loadgen", "--service", "gamma").err().strip());
        CliTest.Result bad = CliTest.cli("loadgen", "--steps", "0");
        assertEquals(2, bad.code());
        assertEquals("calisto: load steps need 1 <= --from <= --to and --steps >= 1, were 5000, 14000, 0", bad.err().strip());
    }
}
