package io.calisto.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calisto.core.serial.CalistoMessage;
import io.calisto.io.sched.SchedEvent;
import io.calisto.io.sched.SchedulerListener;

/**
 * A change of core ownership, published in order to subscribers ({@code --events jsonl} prints them).
 * {@code signal} is the congestion signal behind the decision (queued bytes, or packets that found no core).
 * They cross JVMs (a {@code calisto ctl events --follow} subscriber, an app's own subscription): Kryo ids in
 * control-plane's reference.conf.
 */
public sealed interface CoreEvent extends CalistoMessage {
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

    /** The event's name as {@code --events jsonl} and {@code ctl events} print it ({@code CoreGranted}, ...). */
    default String type() { return getClass().getSimpleName(); }

    /** {@code {"type":…,"app":…,"core":…,"reason":…,"t_ns":…,"signal":…}}, fields in that order. */
    default ObjectNode toJsonNode() {
        return Json.object().put("type", type()).put("app", app()).put("core", core()).put("reason", reason())
            .put("t_ns", tNanos()).put("signal", signal());
    }

    /** One line of JSON, written by Jackson (an app name with a quote in it stays valid JSON). */
    default String toJson() { return Json.write(toJsonNode()); }
}
