package io.calisto.io.sched;

/**
 * Receives every scheduling decision, on the IO thread, in the order taken. {@code signal} is the congestion
 * signal that caused it (queued bytes behind the previous check, or packets that found no core), 0 when none.
 */
@FunctionalInterface
public interface SchedulerListener {
    int GRANTED = 0, REVOKED = 1, YIELDED = 2, PREEMPTED = 3;

    void onEvent(int type, int appId, int core, String reason, long nowNanos, long signal);

    static String typeName(int type) {
        return switch (type) {
            case GRANTED -> "CoreGranted";
            case REVOKED -> "CoreRevoked";
            case YIELDED -> "CoreYielded";
            case PREEMPTED -> "CorePreempted";
            default -> "Unknown";
        };
    }
}
