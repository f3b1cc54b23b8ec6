package io.calisto.aeron;

import java.util.Arrays;

/**
 * The ratios of a benchmark that alternates its two sides (A B A B ...) within one run: one ratio per round, each
 * from two windows next to each other in time, so a machine whose speed drifts (shared CPUs, turbo, another job)
 * shifts both sides of a round alike. The median is the figure; min and max are its spread. A round without a
 * ratio (NaN or infinite: its baseline window measured nothing, e.g. the thread got no CPU on a loaded machine) is
 * left out and {@code rounds} counts only the rounds that have one; when none has, every figure is NaN.
 */
public record RatioSpread(double median, double min, double max, int rounds) {

    public static RatioSpread of(double[] ratios) {
        if (ratios.length == 0) throw new IllegalArgumentException("no rounds");
        double[] s = Arrays.stream(ratios).filter(Double::isFinite).sorted().toArray();
        int n = s.length;
        if (n == 0) return new RatioSpread(Double.NaN, Double.NaN, Double.NaN, 0);
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new RatioSpread(median, s[0], s[n - 1], n);
    }

    /** Median of {@code values} (the same rule), e.g. a side's rate over its windows. */
    public static double median(double[] values) { return of(values).median(); }

    /** {@code ratio=M ratio_min=A ratio_max=B rounds=N}, to put in a RESULT line ({@code ratio=none ... rounds=0} when no round had one). */
    public String fields(String digits) {
        if (rounds == 0) return "ratio=none ratio_min=none ratio_max=none rounds=0";
        String f = "%." + digits + "f";
        return String.format("ratio=" + f + " ratio_min=" + f + " ratio_max=" + f + " rounds=%d", median, min, max, rounds);
    }
}
