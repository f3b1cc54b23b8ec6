package io.calisto.control.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.experiment.sim.CostModel;
import io.calisto.io.dispatch.DispatchPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated experiment's grid, files and equal-cores report, on a grid small enough for a unit test. */
class SimulatedExperimentTest {
    @TempDir Path out;

    static PaperExperiment.Settings small() {
        return new PaperExperiment.Settings(DispatchPolicy.NAMES, List.of(5_000, 100_000), 0.05, 0.2,
            List.of(new Workload("uniform", 2_000, "uniform", 0, 64), new Workload("zipf", 2_000, "zipf", 1.1, 4096)), ServiceTime.Kind.CONSTANT,
            10_000, List.of(0, 1), List.of(200_000L, 25_000L, 800_000L), 2 << 20);
    }

    @Test
    void everyPolicyInNamesRunsOnEveryWorkloadAndParkAfterAndTheCsvRepeatsItself() throws Exception {
        PaperExperiment.Settings s = small();
        List<PaperExperiment.Row> rows = PaperExperiment.simulate(s, CostModel.MEASURED_HERE, out, line -> {});
        byte[] first = Files.readAllBytes(out.resolve("results.csv"));
        List<String> expected = new ArrayList<>();
        for (String w : List.of("uniform", "zipf")) {
            for (String p : DispatchPolicy.NAMES) {
                for (long pa : List.of(200L, 25L, 800L)) {
                    for (int rate : List.of(5_000, 100_000)) for (String phase : List.of("warmup", "steady")) expected.add(String.join(",", w, p, phase, "" + rate, "" + pa));
                }
            }
        }
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(PaperExperiment.CSV_HEADER, csv.getFirst());
        assertEquals(expected, csv.subList(1, csv.size()).stream().map(l -> {
            String[] f = l.split(",", -1);
            return String.join(",", f[0], f[1], f[2], f[3], f[16]);
        }).toList());
        for (PaperExperiment.Row r : rows) if (r.phase().equals("steady")) assertTrue(r.hitRate() >= 0 && r.hitRate() <= 1, r.csv());

        PaperExperiment.simulate(s, CostModel.MEASURED_HERE, out, line -> {});
        assertEquals(new String(first), Files.readString(out.resolve("results.csv")), "same settings, same CSV (two threads, grid order)");

        assertTrue(Files.size(Report.plot(rows, out, "simulated")) > 5_000);
        assertTrue(Files.size(out.resolve("p99_vs_cores.png")) > 5_000);
        var apps = PaperExperiment.simulateApps(s, CostModel.MEASURED_HERE, out, line -> {});
        assertEquals(DispatchPolicy.NAMES.size() * PaperExperiment.B_RATES.size() * 2, apps.size());
        assertEquals(apps.size() + 1, Files.readAllLines(out.resolve("multiapp.csv")).size());
        String md = Files.readString(Report.markdown(rows, s, out, "simulated", "test", apps));
        assertTrue(md.contains("### Workload uniform") && md.contains("### Workload zipf") && md.contains("## Several apps"), md);
    }

    private static PaperExperiment.Row row(String policy, double cores, double p99Micros, long parkAfter) {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        h.recordValue((long) (p99Micros * 1000));
        return new PaperExperiment.Row("w", policy, "steady", 100_000, 100_000, h, 0, cores, 0, 0, 1.0, parkAfter, Double.NaN);
    }

    @Test
    void aPolicysP99AtModulosCoresIsReadOffItsOwnSweep() {
        // the sweep held 4, 6 and 8 cores with p99 40, 30 and 10 us
        List<PaperExperiment.Row> sweep = List.of(row("x", 8, 10, 800_000), row("x", 4, 40, 25_000), row("x", 6, 30, 200_000));
        Report.AtCores at = Report.atCores(sweep, 7); // halfway between 6 (30 us) and 8 (10 us)
        assertEquals(20.0, at.p99(), 0.05);
        assertEquals("interpolated between park-after 200 us (6.00 cores, p99 30.0 us) and 800 us (8.00 cores, p99 10.0 us)", at.how());
        assertEquals(40.0, Report.atCores(sweep, 3.85).p99(), 0.05, "3.85 is within 5% of the 4-core point");
        assertEquals(null, Report.atCores(sweep, 3.5), "below its reach: not extrapolated");
        assertEquals(null, Report.atCores(sweep, 9), "above its reach");
        String md = Report.equalCores(List.of(row("modulo", 7, 25, 200_000), row("x", 8, 10, 800_000), row("x", 4, 40, 25_000), row("x", 6, 30, 200_000)));
        assertTrue(md.contains("| 100000 | 7.00 | 25.0 | 20.0 (0.80) | x |"), md);
    }
}
