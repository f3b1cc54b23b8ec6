package io.calisto.control.experiment;

import java.util.SplittableRandom;

/**
 * Server-side service time per request (Shenango's synthetic app): constant, exponential, or bimodal (90% at half the
 * mean, 10% at 5.5x the mean: same mean, a heavy tail). One instance per core, its own seeded generator.
 */
public final class ServiceTime {
    public enum Kind { CONSTANT, EXPONENTIAL, BIMODAL }

    private final Kind kind;
    private final long meanNanos;
    private final SplittableRandom random;

    public ServiceTime(Kind kind, long meanNanos, long seed) {
        if (meanNanos < 0) throw new IllegalArgumentException("service mean must be >= 0 ns, was " + meanNanos);
        this.kind = kind;
        this.meanNanos = meanNanos;
        this.random = new SplittableRandom(seed);
    }

    public static Kind kind(String name) {
        return switch (name) {
            case "constant" -> Kind.CONSTANT;
            case "exponential" -> Kind.EXPONENTIAL;
            case "bimodal" -> Kind.BIMODAL;
            default -> throw new IllegalArgumentException("service distribution must be constant, exponential or bimodal, was '" + name + "'");
        };
    }

    public long next() {
        return switch (kind) {
            case CONSTANT -> meanNanos;
            case EXPONENTIAL -> (long) (-Math.log(1.0 - random.nextDouble()) * meanNanos);
            case BIMODAL -> random.nextDouble() < 0.9 ? meanNanos / 2 : meanNanos * 11 / 2;
        };
    }
}
