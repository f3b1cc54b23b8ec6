package io.calisto.aeron;

import com.typesafe.config.Config;
import java.time.Duration;

/** Durations read from HOCON with a unit required: HOCON reads a bare number as milliseconds ({@code 10} = 10 ms). */
public final class ConfigDurations {
    private ConfigDurations() {}

    /** {@code key} as a duration; a bare number other than 0 is an IllegalArgumentException naming the key. */
    public static Duration withUnit(Config c, String key) {
        String raw = String.valueOf(c.getValue(key).unwrapped()).strip();
        if (raw.matches("[-+]?[0-9.]+") && !raw.matches("[-+]?0*\\.?0*")) {
            throw new IllegalArgumentException(key + " needs a unit (e.g. 10s, 500ms), was '" + raw + "'");
        }
        return c.getDuration(key); // not a duration at all: Typesafe's ConfigException, which names the key too
    }
}
