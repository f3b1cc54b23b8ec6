package io.calisto.control.soak;

/**
 * An app's service time per packet: {@code high} for the first half of every period, {@code low} for the second,
 * shifted by {@code phase}. Apps get phases spread over the period, so while one app's load rises another's falls:
 * cores are granted, yielded and preempted many times a second.
 */
record PhasedLoad(long startNanos, long periodNanos, long phaseNanos, long highNanos, long lowNanos) {
    /** The {@code index}-th of {@code apps} loads, phase-shifted by index / apps of a period. */
    static PhasedLoad of(int index, int apps, long startNanos, long periodNanos, long highNanos, long lowNanos) {
        return new PhasedLoad(startNanos, periodNanos, periodNanos * index / apps, highNanos, lowNanos);
    }

    long serviceNanos(long now) {
        return Math.floorMod(now - startNanos + phaseNanos, periodNanos) < periodNanos / 2 ? highNanos : lowNanos;
    }

    /** Spins for {@code nanos}: a handler that computes, without blocking its core-actor's thread. */
    static void burn(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }
}
