package io.calisto.control.experiment;

import org.HdrHistogram.Histogram;

/** Percentiles where every dropped request counts as infinite latency (reported as {@code inf}), not as missing. */
public final class Percentiles {
    private Percentiles() {}

    /** Latency in microseconds at {@code percentile}, or +Infinity when the rank falls among the drops. */
    public static double micros(Histogram h, long drops, double percentile) {
        long total = h.getTotalCount() + drops;
        if (total == 0) return Double.NaN;
        double rank = percentile / 100.0 * total;
        if (rank > h.getTotalCount()) return Double.POSITIVE_INFINITY;
        double within = Math.min(100.0, rank / h.getTotalCount() * 100.0);
        return h.getValueAtPercentile(within) / 1e3;
    }

    public static String format(double micros) {
        if (Double.isNaN(micros)) return "";
        return Double.isInfinite(micros) ? "inf" : String.format("%.1f", micros);
    }
}
