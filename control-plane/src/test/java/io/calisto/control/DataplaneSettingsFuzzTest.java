package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.calisto.cli.Main;
import java.nio.charset.StandardCharsets;

/**
 * HOCON settings validation on arbitrary config text, read as the CLI reads a {@code --config} file (over system
 * properties over the modules' reference.conf, resolved, checked against the reference, then
 * {@link DataplaneSettings#from}). Contract: valid settings, or an {@link IllegalArgumentException} or
 * {@link ConfigException} (what the CLI prints as {@code calisto: <message>}, exit 2) whose message is one line; never
 * another throwable, which the CLI would print as a stack trace. Seeds and findings: {@code DataplaneSettingsFuzzTestInputs/};
 * README, "Fuzzing".
 */
class DataplaneSettingsFuzzTest {
    private static final Config REFERENCE = ConfigFactory.defaultReference();

    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "/io/calisto/control/settings.dict")
    void givesSettingsOrOneLineNamingTheCause(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.contains("include")) return; // an include reads other files or URLs: a feature of the user's own file, not fuzzed
        try {
            // Settings.load without its invalidateCaches (re-reading every reference.conf would make each run 100x slower)
            Config config = ConfigFactory.parseString(text).withFallback(ConfigFactory.systemProperties()).withFallback(REFERENCE).resolve();
            config.checkValid(REFERENCE, "calisto");
            assertNotNull(DataplaneSettings.from(config));
        } catch (IllegalArgumentException | ConfigException e) {
            String m = e.getMessage();
            assertFalse(m == null || m.isBlank(), "refused without a message");
            assertEquals(1, Main.userLine(m).lines().count(), "not one line as the CLI prints it: " + m);
        } catch (Throwable t) {
            fail("not a user error (the CLI would print a stack trace): " + t, t);
        }
    }
}
