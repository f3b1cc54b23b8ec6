package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.io.dispatch.FlowTable;
import org.junit.jupiter.api.Test;

/** calisto.dispatch.flow-idle-timeout: the default, off, and one-line errors naming the key for everything else. */
class FlowIdleTimeoutConfigTest {
    static Config with(String hocon) {
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void defaultIsThirtySecondsAndOffNeverExpires() {
        assertEquals(30_000_000_000L, DataplaneSettings.flowIdleTimeoutNanos(with("")));
        assertEquals(FlowTable.NEVER, DataplaneSettings.flowIdleTimeoutNanos(with("calisto.dispatch.flow-idle-timeout = off")));
        assertEquals(FlowTable.NEVER, DataplaneSettings.flowIdleTimeoutNanos(with("calisto.dispatch.flow-idle-timeout = \"OFF\"")));
        assertEquals(500_000_000L, DataplaneSettings.flowIdleTimeoutNanos(with("calisto.dispatch.flow-idle-timeout = 500ms")));
    }

    @Test
    void zeroNegativeTooLongAndNonsenseAreRejectedNamingTheKey() {
        String key = "calisto.dispatch.flow-idle-timeout";
        assertEquals(key + " must be positive (or off: never expire), was '0'", error(key + " = 0"));
        assertEquals(key + " must be positive (or off: never expire), was '0s'", error(key + " = 0s"));
        assertEquals(key + " must be positive (or off: never expire), was '-5s'", error(key + " = -5s"));
        assertEquals(key + " must be at most 312h (or off: never expire), was '14d'", error(key + " = 14d"));
        assertEquals(key + " must be a duration (e.g. 30s) or off, was 'soon'", error(key + " = soon"));
    }

    static String error(String hocon) {
        return assertThrows(IllegalArgumentException.class, () -> DataplaneSettings.flowIdleTimeoutNanos(with(hocon))).getMessage();
    }
}
