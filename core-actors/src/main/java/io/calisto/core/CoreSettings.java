package io.calisto.core;

import com.typesafe.config.Config;
import io.calisto.aeron.ConfigDurations;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.ffm.RealtimePriority;
import java.time.Duration;

/**
 * {@code calisto.core}: how a core-actor polls, when it parks and at which real-time priority its thread runs. Read by {@link AppRuntime} from the app's own actor
 * system, and by the dataplane before anything starts, so a bad value is one line naming its key either way.
 */
public record CoreSettings(int pollBatch, String idleStrategy, int parkAfterPolls, long parkAfterNanos, int realtimePriority) {

    /** Reads and checks {@code calisto.core.*} of {@code config} (a whole config, reference.conf merged in). */
    public static CoreSettings from(Config config) {
        int batch = config.getInt("calisto.core.poll-batch");
        if (batch < 1) throw new IllegalArgumentException("calisto.core.poll-batch must be >= 1, was " + batch);
        String idle = config.getString("calisto.core.idle-strategy");
        IdleStrategies.of("calisto.core.idle-strategy", idle);
        int polls = config.getInt("calisto.core.park-after-polls");
        if (polls < 1) throw new IllegalArgumentException("calisto.core.park-after-polls must be >= 1, was " + polls);
        Duration park = ConfigDurations.withUnit(config, "calisto.core.park-after");
        if (park.isNegative()) throw new IllegalArgumentException("calisto.core.park-after must be >= 0, was " + config.getValue("calisto.core.park-after").unwrapped());
        int priority = config.getInt("calisto.core.realtime-priority");
        // out of range, or one that this process may not have, fails here in one line, not later on each core-actor's thread
        if (priority != 0) RealtimePriority.check(priority, "calisto.core.realtime-priority");
        return new CoreSettings(batch, idle, polls, park.toNanos(), priority);
    }
}
