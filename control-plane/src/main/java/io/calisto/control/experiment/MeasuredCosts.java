package io.calisto.control.experiment;

import io.calisto.control.experiment.sim.CostModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The costs a real-thread run measures for the simulator's model, per step: the flow-state app's state access with
 * the state resident on the serving core vs built there (their mean difference is the migration cost), and the grant
 * reaction (grant → first packet on the new core, steady phase only). Written as {@code costs.csv}, whose last row
 * ({@code all}) merges every step; {@code experiment paper --mode sim --costs FILE} reads that row back.
 */
public record MeasuredCosts(String policy, int offered, Histogram resident, Histogram built, Histogram grant, Histogram hot, Histogram cold,
                            int bytesPerFlow) {
    /** Before the cache model: no hot/cold split (still read by {@code --costs}). */
    static final String HEADER_V1 = "policy,offered_pps,resident_requests,resident_mean_ns,built_requests,built_mean_ns,migration_ns,grant_samples,grant_p50_us,grant_p99_us";
    /**
     * {@code hot}: resident and recently touched (a cache hit); {@code cold}: built, or resident but long untouched (a
     * miss). Their medians are what the simulator takes: on time-shared CPUs a mean also holds the odd descheduling.
     */
    public static final String HEADER = HEADER_V1 + ",hot_requests,hot_mean_ns,hot_p50_ns,cold_requests,cold_mean_ns,cold_p50_ns,bytes_per_flow";

    /** Mean extra state-access time of a request whose flow's state had to be built on its core; 0 without samples. */
    public long migrationNanos() {
        if (resident.getTotalCount() == 0 || built.getTotalCount() == 0) return 0;
        return Math.max(0, Math.round(built.getMean() - resident.getMean()));
    }

    String csv() {
        return String.join(",", policy, Integer.toString(offered), Long.toString(resident.getTotalCount()), String.format("%.1f", mean(resident)),
            Long.toString(built.getTotalCount()), String.format("%.1f", mean(built)), Long.toString(migrationNanos()),
            Long.toString(grant.getTotalCount()), String.format("%.1f", grant.getValueAtPercentile(50) / 1e3),
            String.format("%.1f", grant.getValueAtPercentile(99) / 1e3), Long.toString(hot.getTotalCount()), String.format("%.1f", mean(hot)),
            Long.toString(p50(hot)), Long.toString(cold.getTotalCount()), String.format("%.1f", mean(cold)), Long.toString(p50(cold)), Integer.toString(bytesPerFlow));
    }

    private static double mean(Histogram h) { return h.getTotalCount() == 0 ? 0 : h.getMean(); }

    private static long p50(Histogram h) { return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50); }

    static MeasuredCosts total(List<MeasuredCosts> steps) {
        Histogram r = new Histogram(3), b = new Histogram(3), g = new Histogram(3), h = new Histogram(3), c = new Histogram(3);
        for (MeasuredCosts s : steps) {
            r.add(s.resident());
            b.add(s.built());
            g.add(s.grant());
            h.add(s.hot());
            c.add(s.cold());
        }
        return new MeasuredCosts("all", 0, r, b, g, h, c, steps.isEmpty() ? 0 : steps.getFirst().bytesPerFlow());
    }

    static void write(List<MeasuredCosts> steps, Path file) throws IOException {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (MeasuredCosts s : steps) lines.add(s.csv());
        lines.add(total(steps).csv());
        Files.write(file, lines);
    }

    /**
     * {@code base} with the grant cost and the cache model's hit and miss costs of a real run's {@code costs.csv}
     * ({@code all} row): hit = hot median, miss = cold median, each spread per 64-byte line of that run's state (an older
     * file without the hot/cold split: resident and built means). The dispatch and table costs stay (JMH). One-line
     * errors for a missing or malformed file.
     */
    public static CostModel costModel(Path file, CostModel base) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read costs file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        boolean v1 = !lines.isEmpty() && lines.getFirst().equals(HEADER_V1);
        if (lines.isEmpty() || !(v1 || lines.getFirst().equals(HEADER))) {
            throw new IllegalArgumentException(file + " is not a costs.csv written by experiment paper --mode real (header differs)");
        }
        String[] all = lines.getLast().split(",");
        if (all.length != lines.getFirst().split(",").length || !all[0].equals("all")) throw new IllegalArgumentException(file + " has no 'all' row as its last line");
        try {
            long grantSamples = Long.parseLong(all[7]);
            long grantNanos = grantSamples == 0 ? base.grantNanos() : Math.round(Double.parseDouble(all[8]) * 1e3);
            double hit = Double.parseDouble(v1 ? all[3] : all[12]), miss = Double.parseDouble(v1 ? all[5] : all[15]);
            int lineCount = CostModel.lines(v1 ? 64 : Integer.parseInt(all[16]));
            return new CostModel(base.dispatchNanos(), base.newFlowNanos(), 0, hit / lineCount, 0, miss / lineCount, grantNanos);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": the 'all' row holds a value that is not a number (" + e.getMessage() + ")");
        }
    }
}
