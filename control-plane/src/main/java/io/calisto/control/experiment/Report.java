package io.calisto.control.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The experiment's PNG (steady-state p99 vs offered load, one line per policy) and its Markdown report. */
public final class Report {
    private Report() {}

    public static Path plot(List<PaperExperiment.Row> rows, Path out) throws IOException { return plot(rows, out, "real threads"); }

    public static Path plot(List<PaperExperiment.Row> rows, Path out, String mode) throws IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Map.Entry<String, List<PaperExperiment.Row>> e : steadyByPolicy(rows).entrySet()) {
            for (PaperExperiment.Row r : e.getValue()) {
                double p99 = Percentiles.micros(r.latency(), r.drops(), 99);
                if (Double.isFinite(p99)) series.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {r.offered(), p99});
            }
        }
        return plotSeries(series, out, mode);
    }

    /** The same plot from a {@code results.csv} (steady rows; an infinite p99 is left out), e.g. to redraw a past run. */
    public static Path plotCsv(Path csv, Path out, String mode) throws IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.getFirst().equals(PaperExperiment.CSV_HEADER)) {
            throw new IllegalArgumentException(csv + " is not a results.csv of experiment/loadgen (header differs)");
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f.length < 7 || !f[1].equals("steady") || f[6].equals("inf")) continue;
            series.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[6])});
        }
        return plotSeries(series, out, mode);
    }

    /** Log scales when the loads span more than a factor of 50, so both ends stay readable; the legend sits outside the data. */
    private static Path plotSeries(Map<String, List<double[]>> series, Path out, String mode) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(960).height(560).title("p99 latency vs offered load (steady state, " + mode + ")")
            .xAxisTitle("offered load (packets/s)").yAxisTitle("p99 latency (us)").build();
        double minX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).min().orElse(1);
        double maxX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
        chart.getStyler().setXAxisLogarithmic(maxX / minX > 50);
        chart.getStyler().setYAxisLogarithmic(maxX / minX > 50);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (double[] p : e.getValue()) {
                x.add(p[0]);
                y.add(p[1]);
            }
            if (!x.isEmpty()) chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        Path png = out.resolve("p99.png");
        BitmapEncoder.saveBitmap(chart, out.resolve("p99").toString(), BitmapEncoder.BitmapFormat.PNG);
        return png;
    }

    public static Path markdown(List<PaperExperiment.Row> rows, PaperExperiment.Settings s, Path out) throws IOException {
        return markdown(rows, s, out, "real threads", "Machine: " + Runtime.getRuntime().availableProcessors()
            + " CPUs seen by the JVM. The IO thread, the core-actors, the media driver and the JIT share them, so this measures the real stack scaled to this machine; it is not the paper's 10-core testbed and nothing here is extrapolated.");
    }

    public static Path markdown(List<PaperExperiment.Row> rows, PaperExperiment.Settings s, Path out, String mode, String preface) throws IOException {
        StringBuilder md = new StringBuilder("# Calisto-J paper experiment (" + mode + ")\n\n");
        md.append(preface).append("\n\n");
        md.append(String.format("Settings: policies %s; offered loads %s packets/s; %.1f s per step, the first %.0f%% reported as warm-up; %d flows (%s); %d bytes of state per flow; service time %s, mean %d ns; core pool %s (guarantee 1).%n%n",
            s.policies(), s.rates(), s.stepSeconds(), s.warmup() * 100, s.flows(), s.popularity(), s.bytesPerFlow(),
            s.service().name().toLowerCase(), s.serviceNanos(), s.pool()));
        md.append("![p99](p99.png)\n\n| policy | phase | offered | achieved | p50 us | p99 us | p99.9 us | drops | mean cores | flow migrations | grants/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (PaperExperiment.Row r : rows) {
            md.append(String.format("| %s | %s | %d | %.0f | %s | %s | %s | %d | %.2f | %d | %.0f |%n", r.policy(), r.phase(), r.offered(), r.achieved(),
                Percentiles.format(Percentiles.micros(r.latency(), r.drops(), 50)), Percentiles.format(Percentiles.micros(r.latency(), r.drops(), 99)),
                Percentiles.format(Percentiles.micros(r.latency(), r.drops(), 99.9)), r.drops(), r.meanCores(), r.migrations(), r.grants()));
        }
        md.append("\n## Against the paper\n\n").append(comparison(rows)).append('\n');
        md.append("\n## Paper vs code vs this project\n\n").append(modes(rows)).append('\n');
        Path costs = out.resolve("costs.csv");
        if (Files.exists(costs)) md.append("\n## Costs measured in this run\n\n").append(costs(costs)).append('\n');
        Path file = out.resolve("report.md");
        Files.writeString(file, md.toString());
        return file;
    }

    /** The {@code all} row of a real run's costs.csv in words, and how to feed it to the simulator. */
    static String costs(Path file) throws IOException {
        String[] f = Files.readAllLines(file).getLast().split(",");
        return String.format("Flow state access per request: %s ns on average with the state resident on the serving core (%s requests), "
            + "%s ns when the request had to build it there (%s requests: the flow was new to that core, as after a migration), "
            + "so a migration costs %s ns here. Grant reaction (grant → first packet on the new core, steady phases): p50 %s us, "
            + "p99 %s us over %s grants. `./calisto experiment paper --mode sim --costs %s` runs the simulator with these two costs.%n",
            f[3], f[2], f[5], f[4], f[6], f[8], f[9], f[7], file);
    }

    /** One sentence per offered load: the steady p99 of affinity relative to modulo, next to the paper's claim. */
    static String comparison(List<PaperExperiment.Row> rows) {
        Map<String, List<PaperExperiment.Row>> by = steadyByPolicy(rows);
        List<PaperExperiment.Row> modulo = by.get("modulo"), affinity = by.get("affinity");
        StringBuilder sb = new StringBuilder("The paper reports Calisto (affinity) with higher p99 than Shenango (modulo) at 5k packets/s (table warm-up) and up to 10% lower p99 from 8k to 14k packets/s. Measured here (steady state):\n\n");
        if (modulo == null || affinity == null) return sb.append("(needs both the modulo and the affinity policy in the run)\n").toString();
        for (int i = 0; i < Math.min(modulo.size(), affinity.size()); i++) {
            double m = Percentiles.micros(modulo.get(i).latency(), modulo.get(i).drops(), 99);
            double a = Percentiles.micros(affinity.get(i).latency(), affinity.get(i).drops(), 99);
            String verdict = Double.isFinite(m) && Double.isFinite(a) ? String.format("affinity/modulo p99 = %.2f (%s)", a / m, a < m ? "affinity lower" : "affinity higher or equal") : "a p99 is infinite (drops)";
            sb.append(String.format("- %d pps: modulo %s us, affinity %s us: %s; migrations %d vs %d%n", modulo.get(i).offered(), Percentiles.format(m),
                Percentiles.format(a), verdict, modulo.get(i).migrations(), affinity.get(i).migrations()));
        }
        return sb.toString();
    }

    /** What each policy is, in one line, for the modes section. */
    static final Map<String, String> MODE_NOTES = Map.of(
        "modulo", "Shenango: hash % active cores",
        "affinity", "the paper's rule (Listing 3): global round-robin over the pool, cores_add_core for every packet",
        "affinity-held", "this project: round-robin over the cores the app holds, bound core taken back if idle",
        "affinity-rebind", "this project: round-robin over held cores, re-bound when the core leaves",
        "affinity-published", "the published code (rx.c): modulo while any core is held, the table only to pick the core to wake",
        "affinity-prefill", "paper §7: affinity-held with the table pre-populated from calisto.dispatch.prefill-file",
        "affinity-hybrid", "paper §7: modulo for a flow's first packet, sticky (table entry) from its second",
        "buckets", "RSS++-like: hash -> 4096 buckets -> core; a grant moves the fewest drained buckets, load rebalanced every 1 ms");

    /**
     * Per policy and load from 5k to 14k pps: steady p99 against modulo's, with the two mechanisms next to it (grants
     * per second: wake-ups; flow migrations: moves); then whether the paper's 5k penalty (p99 more than 5% above
     * modulo's at 5k, steady or warm-up) and its -10% at 8k-14k (p99 at most 0.9 x modulo's at every such load in the run) appear,
     * and under which policy.
     */
    static String modes(List<PaperExperiment.Row> rows) {
        Map<String, List<PaperExperiment.Row>> steady = steadyByPolicy(rows);
        List<PaperExperiment.Row> modulo = steady.get("modulo");
        if (modulo == null) return "(needs the modulo policy in the run)\n";
        Map<Integer, PaperExperiment.Row> mod = new LinkedHashMap<>(), modWarm = new LinkedHashMap<>();
        for (PaperExperiment.Row r : modulo) mod.put(r.offered(), r);
        for (PaperExperiment.Row r : rows) if (r.policy().equals("modulo") && r.phase().equals("warmup")) modWarm.put(r.offered(), r);
        StringBuilder sb = new StringBuilder("Steady p99 relative to modulo at the paper's loads (5k-14k pps), with grants per second "
            + "(wake-ups) and flows moved (migrations), policy vs modulo:\n\n| policy | what it is | pps | p99 us | modulo p99 us | ratio | grants/s | modulo grants/s | moved | modulo moved |\n|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> penalty = new ArrayList<>(), gain = new ArrayList<>();
        for (Map.Entry<String, List<PaperExperiment.Row>> e : steady.entrySet()) {
            if (e.getKey().equals("modulo")) continue;
            boolean any8to14 = false, all8to14 = true;
            for (PaperExperiment.Row r : e.getValue()) {
                PaperExperiment.Row m = mod.get(r.offered());
                if (m == null || r.offered() < 5_000 || r.offered() > 14_000) continue;
                double p = Percentiles.micros(r.latency(), r.drops(), 99), q = Percentiles.micros(m.latency(), m.drops(), 99);
                double ratio = p / q;
                sb.append(String.format("| %s | %s | %d | %s | %s | %.2f | %.0f | %.0f | %d | %d |%n", e.getKey(), MODE_NOTES.getOrDefault(e.getKey(), ""),
                    r.offered(), Percentiles.format(p), Percentiles.format(q), ratio, r.grants(), m.grants(), r.migrations(), m.migrations()));
                if (r.offered() == 5_000) {
                    PaperExperiment.Row w = warmupOf(rows, e.getKey(), 5_000), mw = modWarm.get(5_000);
                    double warmRatio = w == null || mw == null ? Double.NaN
                        : Percentiles.micros(w.latency(), w.drops(), 99) / Percentiles.micros(mw.latency(), mw.drops(), 99);
                    // more than 5% above modulo's, steady or during the warm-up (a cold table's inserts alone cost ns)
                    if (ratio > 1.05 || warmRatio > 1.05) penalty.add(String.format("%s (p99/modulo's: steady %.2f, warm-up %.2f)", e.getKey(), ratio, warmRatio));
                }
                if (r.offered() >= 8_000) {
                    any8to14 = true;
                    all8to14 &= ratio <= 0.9;
                }
            }
            if (any8to14 && all8to14) gain.add(e.getKey());
        }
        sb.append("\nThe paper's higher p99 at 5k pps (here: more than 5% above modulo's, steady or warm-up) appears under: ").append(penalty.isEmpty() ? "no policy" : String.join("; ", penalty)).append(".\n");
        sb.append("Its p99 at least 10% below modulo's at every load from 8k to 14k pps in this run appears under: ")
            .append(gain.isEmpty() ? "no policy" : String.join(", ", gain)).append(".\n");
        return sb.toString();
    }

    private static PaperExperiment.Row warmupOf(List<PaperExperiment.Row> rows, String policy, int offered) {
        for (PaperExperiment.Row r : rows) if (r.policy().equals(policy) && r.phase().equals("warmup") && r.offered() == offered) return r;
        return null;
    }

    private static Map<String, List<PaperExperiment.Row>> steadyByPolicy(List<PaperExperiment.Row> rows) {
        Map<String, List<PaperExperiment.Row>> by = new LinkedHashMap<>();
        for (PaperExperiment.Row r : rows) if (r.phase().equals("steady")) by.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        return by;
    }
}
