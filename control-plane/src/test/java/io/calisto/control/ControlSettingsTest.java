package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code calisto.control}'s bounds on registrations: typed defaults, and each bad value one line naming its key. */
class ControlSettingsTest {
    private static Config with(String hocon) {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static String error(String hocon) {
        return assertThrows(IllegalArgumentException.class, () -> DataplaneSettings.from(with(hocon))).getMessage();
    }

    @Test
    void theDefaults() {
        DataplaneSettings.Control c = DataplaneSettings.from(with("")).control();
        assertEquals(new DataplaneSettings.Control(10_000, 32, Duration.ofSeconds(10)), c);
    }

    @Test
    void badValuesNameTheirKey() {
        assertEquals("calisto.control.max-apps must be in 1..256, was 0", error("calisto.control.max-apps = 0"));
        assertEquals("calisto.control.max-apps must be in 1..256, was 257", error("calisto.control.max-apps = 257"));
        assertEquals("calisto.control.pending-timeout must be positive, was 0s", error("calisto.control.pending-timeout = 0s"));
    }

    @Test
    void registrationsBeyondMaxAppsAreRefusedAndReleasingMakesRoom() {
        RegisteredApps apps = new RegisteredApps(2);
        assertEquals(0, apps.claim("a"));
        assertEquals(1, apps.claim("b"));
        assertEquals("no room for app c: 2 apps are registered or registering (calisto.control.max-apps)",
            assertThrows(IllegalArgumentException.class, () -> apps.claim("c")).getMessage());
        assertEquals("an app named a is already registered", assertThrows(IllegalArgumentException.class, () -> apps.claim("a")).getMessage());
        apps.free(0, "a");
        assertEquals(2, apps.claim("c"), "the id free the longest comes first (FIFO): 2..255 before 0");
        assertEquals(2, apps.idsHeld());
        assertEquals("app id 0 is not held", assertThrows(IllegalStateException.class, () -> apps.free(0, "a")).getMessage());
    }

    @Test
    void idsComeBackInTheOrderTheyWereFreed() {
        RegisteredApps apps = new RegisteredApps(256);
        for (int id = 0; id < 256; id++) assertEquals(id, apps.claim("app" + id));
        assertEquals("no room for app x: 256 apps are registered or registering (calisto.control.max-apps)",
            assertThrows(IllegalArgumentException.class, () -> apps.claim("x")).getMessage());
        apps.free(7, "app7");
        apps.free(3, "app3");
        assertEquals(7, apps.claim("x"));
        assertEquals(3, apps.claim("y"));
        assertEquals(256, apps.idsHeld());
    }
}
