package io.calisto.control;

import io.calisto.io.sched.SchedEvent;
import io.calisto.io.sched.SchedulerListener;

/**
 * A change of core ownership, published in order to subscribers ({@code --events jsonl} prints them).
 * {@code signal} is the congestion signal behind the decision (queued bytes, or packets that found no core).
 */
public sealed interface CoreEvent {
    String app();

    int core();

    String reason();

    long tNanos();

    long signal();

    record CoreGranted(String app, int core, String reason, long tNanos, long signal) implements CoreEvent {}

    record CoreRevoked(String app, int core, String reason, long tNanos, long signal) implements CoreEvent {}

    record CoreYielded(String app, int core, String reason, long tNanos, long signal) implements CoreEvent {}

    record CorePreempted(String app, int core, String reason, long tNanos, long signal) implements CoreEvent {}

    static CoreEvent of(SchedEvent e, String app) {
        return switch (e.type()) {
            case SchedulerListener.GRANTED -> new CoreGranted(app, e.core(), e.reason(), e.tNanos(), e.signal());
            case SchedulerListener.YIELDED -> new CoreYielded(app, e.core(), e.reason(), e.tNanos(), e.signal());
            case SchedulerListener.PREEMPTED -> new CorePreempted(app, e.core(), e.reason(), e.tNanos(), e.signal());
            default -> new CoreRevoked(app, e.core(), e.reason(), e.tNanos(), e.signal());
        };
    }

    default String toJson() {
        return "{\"type\":\"" + getClass().getSimpleName() + "\",\"app\":\"" + app() + "\",\"core\":" + core()
            + ",\"reason\":\"" + reason() + "\",\"t_ns\":" + tNanos() + ",\"signal\":" + signal() + "}";
    }
}
