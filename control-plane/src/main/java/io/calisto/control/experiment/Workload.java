package io.calisto.control.experiment;

import io.calisto.io.port.FlowPopularity;

/**
 * Which flows the traffic comes from and how much state each has: the name goes into results.csv's {@code workload}
 * column. {@link #UNIFORM} is the paper's (700k flows, uniform, 64 B of state: cold wherever it lives);
 * {@link #ZIPF} is skewed traffic whose hot flows' state stays warm on their core (Zipf 1.1, 4 KiB of state).
 */
public record Workload(String name, int flows, String popularity, double zipfExponent, int bytesPerFlow) {
    public static final Workload UNIFORM = new Workload("uniform", 700_000, "uniform", 0, 64);
    public static final Workload ZIPF = new Workload("zipf", 700_000, "zipf", 1.1, 4096);

    public Workload {
        if (flows < 1) throw new IllegalArgumentException("flows must be >= 1, was " + flows);
        if (!popularity.equals("uniform") && !popularity.equals("zipf")) throw new IllegalArgumentException("popularity must be uniform or zipf, was '" + popularity + "'");
        if (popularity.equals("zipf") && !(zipfExponent > 0)) throw new IllegalArgumentException("zipf exponent must be > 0, was " + zipfExponent);
        if (bytesPerFlow < 1) throw new IllegalArgumentException("bytes per flow must be >= 1, was " + bytesPerFlow);
    }

    public FlowPopularity flowPopularity() {
        return popularity.equals("zipf") ? FlowPopularity.zipf(flows, zipfExponent) : FlowPopularity.uniform(flows);
    }

    /** One line for the report: {@code 700000 flows (zipf 1.1), 4096 B of state per flow}. */
    public String describe() {
        return String.format("%s: %d flows (%s), %d B of state per flow", name, flows,
            popularity.equals("zipf") ? "zipf " + zipfExponent : popularity, bytesPerFlow);
    }
}
