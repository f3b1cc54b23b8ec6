package io.calisto.aeron;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Idle strategy by config name, so a 2-core laptop and a pinned 32-core server use the same code. */
public final class IdleStrategies {
    private IdleStrategies() {}

    public static IdleStrategy of(String key, String name) {
        return switch (name) {
            case "busy-spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            // spin, then yield, then park 1..100 µs: low latency under load, little CPU when idle
            case "backoff" -> new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            case "sleep" -> new SleepingMillisIdleStrategy(1);
            default -> throw new IllegalArgumentException(key + " must be one of busy-spin, yield, backoff, sleep; was '" + name + "'");
        };
    }
}
