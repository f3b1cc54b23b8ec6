package io.calisto.control.soak;

/**
 * The longest stretches, seen from the soak thread's 5 ms loop, in which the IO thread received nothing (the port
 * produces a packet every few microseconds, so a long one is the IO thread not running) and in which the soak thread
 * itself did not run. Printed per policy: a good app's back-pressure drop that coincides with them points at the
 * process being starved, not at another app. Soak thread only.
 */
final class Stalls {
    private final long t0;
    private long lastRx, rxChangedAt, lastLoop;
    private long ioGap, ioGapAt, loopGap, loopGapAt;

    Stalls(long t0) {
        this.t0 = t0;
        this.rxChangedAt = t0;
        this.lastLoop = t0;
    }

    /**
     * One pass of the soak loop at {@code now}, the IO core's received count being {@code rx}. An IO stall is counted
     * only over samples this thread took in time (at most {@link #LATE} apart): when it did not run itself, it cannot
     * tell whether the IO thread did.
     */
    void sample(long now, long rx) {
        long sinceLoop = now - lastLoop;
        if (sinceLoop > loopGap) {
            loopGap = sinceLoop;
            loopGapAt = lastLoop - t0;
        }
        lastLoop = now;
        if (sinceLoop > LATE) {
            lastRx = rx; // a new stretch starts here
            rxChangedAt = now;
            return;
        }
        if (rx != lastRx) {
            lastRx = rx;
            rxChangedAt = now;
        } else if (now - rxChangedAt > ioGap) {
            ioGap = now - rxChangedAt;
            ioGapAt = rxChangedAt - t0;
        }
    }

    /** A loop pass later than this after the previous one: the soak thread itself was held up. */
    static final long LATE = 20_000_000;

    String line() {
        return String.format("longest stalls: the IO thread received nothing for %d ms (from %.2f s); the soak thread's 5 ms loop did not run for %d ms (from %.2f s)",
            ioGap / 1_000_000, ioGapAt / 1e9, loopGap / 1_000_000, loopGapAt / 1e9);
    }
}
