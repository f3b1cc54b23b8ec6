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

/**
 * The experiment's PNGs (steady-state p99 vs offered load, and p99 vs mean cores, one line per workload and policy)
 * and its Markdown report, including the comparison of policies at equal mean cores.
 */
public final class Report {
    private Report() {}

    public static Path plot(List<PaperExperiment.Row> rows, Path out) throws IOException { return plot(rows, out, "real threads"); }

    /** Writes p99.png and p99_vs_cores.png from the main (first park-after) steady rows; returns p99.png. */
    public static Path plot(List<PaperExperiment.Row> rows, Path out, String mode) throws IOException {
        Map<String, List<double[]>> byLoad = new LinkedHashMap<>(), byCores = new LinkedHashMap<>();
        boolean several = workloads(rows).size() > 1;
        for (PaperExperiment.Row r : mainSteady(rows)) {
            double p99 = r.p99();
            if (!Double.isFinite(p99)) continue;
            String key = several ? r.workload() + "/" + r.policy() : r.policy();
            byLoad.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {r.offered(), p99});
            byCores.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {r.meanCores(), p99});
        }
        plotCores(byCores, out, mode);
        return plotSeries(byLoad, out, mode);
    }

    /**
     * The same plots from a {@code results.csv} (main steady rows; an infinite p99 is left out), e.g. to redraw a past
     * run; reads the columns by name, so a results.csv from before the workload column or the flows-moved columns also works.
     */
    public static Path plotCsv(Path csv, Path out, String mode) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String legacy = "policy,phase,offered_pps,achieved_pps,p50_us,p90_us,p99_us,p999_us,p9999_us,drops,mean_cores,flow_migrations,grants";
        // before the flows-moved columns (e.g. docs/experiment/sim-issue12): the same columns, two fewer at the end
        String beforeMoves = PaperExperiment.CSV_HEADER.substring(0, PaperExperiment.CSV_HEADER.indexOf(",flows_moved_per_realloc"));
        if (lines.isEmpty() || !(lines.getFirst().equals(PaperExperiment.CSV_HEADER) || lines.getFirst().equals(legacy)
            || lines.getFirst().equals(beforeMoves))) {
            throw new IllegalArgumentException(csv + " is not a results.csv of experiment/loadgen (header differs)");
        }
        List<String> cols = List.of(lines.getFirst().split(","));
        int wl = cols.indexOf("workload"), pol = cols.indexOf("policy"), ph = cols.indexOf("phase"), off = cols.indexOf("offered_pps"),
            p99 = cols.indexOf("p99_us"), cores = cols.indexOf("mean_cores"), pa = cols.indexOf("park_after_us");
        Map<String, List<double[]>> byLoad = new LinkedHashMap<>(), byCores = new LinkedHashMap<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        String mainPark = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (wl >= 0) names.add(f[wl]);
            if (pa >= 0 && mainPark == null) mainPark = f[pa];
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length < cols.size() || !f[ph].equals("steady") || f[p99].equals("inf") || (pa >= 0 && !f[pa].equals(mainPark))) continue;
            String key = names.size() > 1 ? f[wl] + "/" + f[pol] : f[pol];
            double y = Double.parseDouble(f[p99]);
            byLoad.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[off]), y});
            byCores.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[cores]), y});
        }
        plotCores(byCores, out, mode);
        return plotSeries(byLoad, out, mode);
    }

    /** Log scales when the loads span more than a factor of 50, so both ends stay readable; the legend sits outside the data. */
    private static Path plotSeries(Map<String, List<double[]>> series, Path out, String mode) throws IOException {
        double minX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).min().orElse(1);
        double maxX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
        return save(chart("p99 latency vs offered load (steady state, " + mode + ")", "offered load (packets/s)", series, maxX / minX > 50, maxX / minX > 50),
            out, "p99");
    }

    /** p99 against the mean cores held, one point per (policy, load): a policy left of another at the same height used fewer cores for it. */
    private static Path plotCores(Map<String, List<double[]>> series, Path out, String mode) throws IOException {
        double minY = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).min().orElse(1);
        double maxY = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).max().orElse(1);
        return save(chart("p99 latency vs mean cores held (steady state, one point per load, " + mode + ")", "mean cores held", series, false,
            maxY / Math.max(1e-9, minY) > 50), out, "p99_vs_cores");
    }

    private static XYChart chart(String title, String xTitle, Map<String, List<double[]>> series, boolean logX, boolean logY) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1100).height(620).title(title).xAxisTitle(xTitle).yAxisTitle("p99 latency (us)").build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (double[] p : e.getValue()) {
                x.add(p[0]);
                y.add(p[1]);
            }
            if (!x.isEmpty()) chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static Path save(XYChart chart, Path out, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, out.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        return out.resolve(name + ".png");
    }

    public static Path markdown(List<PaperExperiment.Row> rows, PaperExperiment.Settings s, Path out) throws IOException {
        return markdown(rows, s, out, "real threads", "Machine: " + Runtime.getRuntime().availableProcessors()
            + " CPUs seen by the JVM. The IO thread, the core-actors, the media driver and the JIT share them, so this measures the real stack scaled to this machine; it is not the paper's 10-core testbed and nothing here is extrapolated.",
            List.of());
    }

    public static Path markdown(List<PaperExperiment.Row> rows, PaperExperiment.Settings s, Path out, String mode, String preface,
                                List<PaperExperiment.AppRow> apps) throws IOException {
        StringBuilder md = new StringBuilder("# Calisto-J paper experiment (" + mode + ")\n\n");
        md.append(preface).append("\n\n");
        md.append(String.format("Settings: policies %s; offered loads %s packets/s; %.1f s per step, the first %.0f%% reported as warm-up; workloads: %s; "
                + "service time %s, mean %d ns; park-after %s us (the first is the main run, the others sweep it for the equal-cores comparison); "
                + "flow-state cache %d KiB per core (simulator); core pool %s (guarantee 1).%n%n",
            s.policies(), s.rates(), s.stepSeconds(), s.warmup() * 100, String.join("; ", s.workloads().stream().map(Workload::describe).toList()),
            s.service().name().toLowerCase(), s.serviceNanos(), s.parkAfterNanos().stream().map(n -> String.format("%.0f", n / 1e3)).toList(),
            s.cacheBytes() >> 10, s.pool()));
        md.append("![p99](p99.png)\n\n![p99 vs mean cores](p99_vs_cores.png)\n\n")
            .append("| workload | policy | phase | offered | achieved | p50 us | p99 us | p99.9 us | drops | mean cores | core-seconds | flow migrations | grants/s | cache hit rate |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        long main = mainParkAfter(rows);
        for (PaperExperiment.Row r : rows) {
            if (r.parkAfterNanos() != main) continue;
            md.append(String.format("| %s | %s | %s | %d | %.0f | %s | %s | %s | %d | %.2f | %.3f | %d | %.0f | %s |%n", r.workload(), r.policy(), r.phase(), r.offered(),
                r.achieved(), Percentiles.format(Percentiles.micros(r.latency(), r.drops(), 50)), Percentiles.format(r.p99()),
                Percentiles.format(Percentiles.micros(r.latency(), r.drops(), 99.9)), r.drops(), r.meanCores(), r.coreSeconds(), r.migrations(), r.grants(),
                Double.isNaN(r.hitRate()) ? "" : String.format("%.3f", r.hitRate())));
        }
        md.append("\n## At equal mean cores\n\n").append(equalCores(rows)).append('\n');
        if (!apps.isEmpty()) md.append("\n## Several apps\n\n").append(apps(apps)).append('\n');
        List<PaperExperiment.Row> first = mainSteadyAndWarmupOf(rows, workloads(rows).getFirst());
        md.append("\n## Against the paper\n\n").append(comparison(first)).append('\n');
        md.append("\n## Paper vs code vs this project\n\n").append(modes(first)).append('\n');
        Path costs = out.resolve("costs.csv");
        if (Files.exists(costs)) md.append("\n## Costs measured in this run\n\n").append(costs(costs)).append('\n');
        Path file = out.resolve("report.md");
        Files.writeString(file, md.toString());
        return file;
    }

    /** Within this fraction of the target's mean cores, a single point counts as at equal cores. */
    static final double EQUAL_CORES_TOLERANCE = 0.05;

    /** A policy's p99 at a given mean-cores budget, and how it was had. */
    record AtCores(double p99, String how) {}

    /**
     * Per workload and load: modulo's mean cores (main park-after) is the budget; every other policy's p99 at that
     * budget is read off its own p99-vs-cores curve at that load, whose points are the park-after sweep: linear
     * interpolation between the two points that bracket the budget, else the nearest point if within 5% of it, else
     * not available (the sweep did not reach that many or that few cores).
     */
    static String equalCores(List<PaperExperiment.Row> rows) {
        long main = mainParkAfter(rows);
        int sweep = (int) rows.stream().mapToLong(PaperExperiment.Row::parkAfterNanos).distinct().count();
        StringBuilder sb = new StringBuilder(String.format("Each policy's p99 at modulo's mean cores (modulo at the main park-after, %.0f us), read off the "
            + "policy's own p99-vs-cores curve at that load; the curve's points are the %d park-after values of this run (interpolated between the two "
            + "points that bracket modulo's cores, or the nearest point within ±%.0f%%, else n/a). Ratio < 1: the policy has the lower p99 for the same cores.%n%n",
            main / 1e3, sweep, EQUAL_CORES_TOLERANCE * 100));
        for (String w : workloads(rows)) {
            Map<String, List<PaperExperiment.Row>> byPolicy = new LinkedHashMap<>();
            for (PaperExperiment.Row r : rows) if (r.workload().equals(w) && r.phase().equals("steady")) byPolicy.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
            List<PaperExperiment.Row> modulo = byPolicy.get("modulo");
            sb.append("### Workload ").append(w).append("\n\n");
            if (modulo == null) {
                sb.append("(needs the modulo policy in the run)\n\n");
                continue;
            }
            List<String> others = byPolicy.keySet().stream().filter(p -> !p.equals("modulo")).toList();
            sb.append("| offered pps | modulo cores | modulo p99 us |");
            for (String p : others) sb.append(' ').append(p).append(" p99 us (ratio) |");
            sb.append(" best at equal cores |\n|---|---|---|").append("---|".repeat(others.size() + 1)).append('\n');
            StringBuilder how = new StringBuilder();
            for (PaperExperiment.Row m : modulo) {
                if (m.parkAfterNanos() != main) continue;
                double target = m.meanCores(), mp99 = m.p99();
                sb.append(String.format("| %d | %.2f | %s |", m.offered(), target, Percentiles.format(mp99)));
                String best = "modulo";
                double bestP99 = mp99;
                for (String p : others) {
                    List<PaperExperiment.Row> pts = byPolicy.get(p).stream().filter(r -> r.offered() == m.offered()).toList();
                    AtCores at = atCores(pts, target);
                    if (at == null) {
                        sb.append(String.format(" n/a (%s) |", coreRange(pts)));
                        continue;
                    }
                    sb.append(String.format(" %s (%.2f) |", Percentiles.format(at.p99()), at.p99() / mp99));
                    how.append(String.format("- %s, %d pps, %s: %s%n", w, m.offered(), p, at.how()));
                    if (at.p99() < bestP99) {
                        bestP99 = at.p99();
                        best = p;
                    }
                }
                sb.append(' ').append(best).append(" |\n");
            }
            sb.append("\n<details><summary>How each figure was read off (").append(w).append(")</summary>\n\n").append(how).append("\n</details>\n\n");
        }
        return sb.toString();
    }

    /** {@code pts}: one policy's steady rows at one load (one per park-after). Null when the budget is out of their reach. */
    static AtCores atCores(List<PaperExperiment.Row> pts, double target) {
        List<PaperExperiment.Row> finite = new ArrayList<>(pts.stream().filter(r -> Double.isFinite(r.p99())).toList());
        if (finite.isEmpty()) return null;
        finite.sort(java.util.Comparator.comparingDouble(PaperExperiment.Row::meanCores).thenComparingLong(PaperExperiment.Row::parkAfterNanos));
        PaperExperiment.Row nearest = finite.getFirst();
        for (PaperExperiment.Row r : finite) if (Math.abs(r.meanCores() - target) < Math.abs(nearest.meanCores() - target)) nearest = r;
        if (Math.abs(nearest.meanCores() - target) <= 1e-9) {
            return new AtCores(nearest.p99(), String.format("park-after %.0f us holds %.2f cores (exact)", nearest.parkAfterNanos() / 1e3, nearest.meanCores()));
        }
        for (int i = 0; i + 1 < finite.size(); i++) {
            PaperExperiment.Row lo = finite.get(i), hi = finite.get(i + 1);
            if (lo.meanCores() <= target && target <= hi.meanCores() && hi.meanCores() > lo.meanCores()) {
                double f = (target - lo.meanCores()) / (hi.meanCores() - lo.meanCores());
                return new AtCores(lo.p99() + f * (hi.p99() - lo.p99()), String.format("interpolated between park-after %.0f us (%.2f cores, p99 %s us) and %.0f us (%.2f cores, p99 %s us)",
                    lo.parkAfterNanos() / 1e3, lo.meanCores(), Percentiles.format(lo.p99()), hi.parkAfterNanos() / 1e3, hi.meanCores(), Percentiles.format(hi.p99())));
            }
        }
        if (Math.abs(nearest.meanCores() - target) <= EQUAL_CORES_TOLERANCE * target) {
            return new AtCores(nearest.p99(), String.format("nearest point, park-after %.0f us at %.2f cores (within %.0f%%)", nearest.parkAfterNanos() / 1e3,
                nearest.meanCores(), EQUAL_CORES_TOLERANCE * 100));
        }
        return null;
    }

    private static String coreRange(List<PaperExperiment.Row> pts) {
        double lo = pts.stream().mapToDouble(PaperExperiment.Row::meanCores).min().orElse(Double.NaN);
        double hi = pts.stream().mapToDouble(PaperExperiment.Row::meanCores).max().orElse(Double.NaN);
        return String.format("its sweep held %.2f-%.2f cores", lo, hi);
    }

    /** The several-apps run: each app's p99 and cores, and how many of a's cores b's load took back. */
    static String apps(List<PaperExperiment.AppRow> rows) {
        StringBuilder sb = new StringBuilder(String.format("Two apps share the 10 cores, the production CoreScheduler granting and preempting between them: "
            + "`a` (guarantee 3) at %d pps bursts above its guarantee; `b` (guarantee 4) at 0 to %d pps takes cores back when congested "
            + "(written to multiapp.csv). `preempted`: cores taken from that app for the other.%n%n", PaperExperiment.A_RATE, PaperExperiment.B_RATES.getLast()));
        sb.append("| policy | b pps | a p99 us | a mean cores | a preempted | b p99 us | b mean cores | b preempted | a drops | b drops |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            PaperExperiment.AppRow a = rows.get(i), b = rows.get(i + 1);
            sb.append(String.format("| %s | %d | %s | %.2f | %d | %s | %.2f | %d | %d | %d |%n", a.policy(), a.otherRate(), Percentiles.format(a.p99()), a.meanCores(),
                a.preempted(), b.rate() == 0 ? "-" : Percentiles.format(b.p99()), b.meanCores(), b.preempted(), a.drops(), b.drops()));
        }
        return sb.toString();
    }

    private static long mainParkAfter(List<PaperExperiment.Row> rows) { return rows.isEmpty() ? 0 : rows.getFirst().parkAfterNanos(); }

    private static List<String> workloads(List<PaperExperiment.Row> rows) {
        List<String> names = new ArrayList<>(rows.stream().map(PaperExperiment.Row::workload).distinct().toList());
        if (names.isEmpty()) names.add("");
        return names;
    }

    private static List<PaperExperiment.Row> mainSteady(List<PaperExperiment.Row> rows) {
        long main = mainParkAfter(rows);
        return rows.stream().filter(r -> r.phase().equals("steady") && r.parkAfterNanos() == main).toList();
    }

    private static List<PaperExperiment.Row> mainSteadyAndWarmupOf(List<PaperExperiment.Row> rows, String workload) {
        long main = mainParkAfter(rows);
        return rows.stream().filter(r -> r.workload().equals(workload) && r.parkAfterNanos() == main).toList();
    }

    /** The {@code all} row of a real run's costs.csv in words, and how to feed it to the simulator. */
    static String costs(Path file) throws IOException {
        String[] f = Files.readAllLines(file).getLast().split(",");
        return String.format("Flow state access per request: %s ns on average with the state resident on the serving core (%s requests), "
            + "%s ns when the request had to build it there (%s requests: the flow was new to that core, as after a migration), "
            + "so a migration costs %s ns here. Grant reaction (grant → first packet on the new core, steady phases): p50 %s us, "
            + "p99 %s us over %s grants. `./calisto experiment paper --mode sim --costs %s` runs the simulator with these two costs.%n",
            f[3], f[2], f[5], f[4], f[6], f[8], f[9], f[7], file)
            + (f.length < 17 ? "" : String.format("For the simulator's cache model: hot (resident, touched within the last 256 KiB of its core's requests' state) "
                + "median %s ns over %s requests, built or cold (untouched for 4 MiB) median %s ns over %s requests, at %s B per flow.%n", f[12], f[10], f[15], f[13], f[16]));
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
