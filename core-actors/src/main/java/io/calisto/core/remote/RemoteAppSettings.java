package io.calisto.core.remote;

import com.typesafe.config.Config;
import io.calisto.aeron.ConfigDurations;
import java.time.Duration;

/**
 * What a {@link RemoteApp} reads from its actor system's config, checked once at connect: how long a stop may take
 * ({@code calisto.app.close-timeout}), and its Aeron client's {@code calisto.aeron.driver-timeout} and
 * {@code calisto.aeron.close-linger} (aeron-config's reference.conf; the same keys the dataplane's client reads).
 */
record RemoteAppSettings(Duration closeTimeout, long driverTimeoutMs, long closeLingerNanos) {

    static RemoteAppSettings from(Config config) {
        Duration close = ConfigDurations.withUnit(config, "calisto.app.close-timeout");
        if (close.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("calisto.app.close-timeout must be at least 1ms, was " + config.getString("calisto.app.close-timeout"));
        }
        Duration driver = ConfigDurations.withUnit(config, "calisto.aeron.driver-timeout");
        if (driver.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("calisto.aeron.driver-timeout must be at least 1ms, was " + config.getString("calisto.aeron.driver-timeout"));
        }
        Duration linger = ConfigDurations.withUnit(config, "calisto.aeron.close-linger");
        if (linger.isNegative()) throw new IllegalArgumentException("calisto.aeron.close-linger must not be negative, was " + config.getString("calisto.aeron.close-linger"));
        return new RemoteAppSettings(close, driver.toMillis(), linger.toNanos());
    }
}
