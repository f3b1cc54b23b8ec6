package io.calisto.io.port;

import java.util.SplittableRandom;

/**
 * Which flow the next packet belongs to: uniform, or Zipf with exponent s (flow k has weight 1/k^s). Zipf samples by
 * binary search over a precomputed CDF (one array of {@code flows} doubles, built once): no allocation per packet.
 */
public final class FlowPopularity {
    private final int flows;
    private final double[] cdf;

    private FlowPopularity(int flows, double[] cdf) {
        this.flows = flows;
        this.cdf = cdf;
    }

    public static FlowPopularity uniform(int flows) { return new FlowPopularity(flows, null); }

    public static FlowPopularity zipf(int flows, double exponent) {
        if (exponent <= 0) throw new IllegalArgumentException("calisto.synthetic.zipf-exponent must be > 0, was " + exponent);
        double[] cdf = new double[flows];
        double sum = 0;
        for (int k = 0; k < flows; k++) cdf[k] = sum += 1.0 / Math.pow(k + 1, exponent);
        for (int k = 0; k < flows; k++) cdf[k] /= sum;
        cdf[flows - 1] = 1.0;
        return new FlowPopularity(flows, cdf);
    }

    public int next(SplittableRandom random) {
        if (cdf == null) return random.nextInt(flows);
        double u = random.nextDouble();
        int lo = 0, hi = flows - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
