package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Layers CLI options over an optional user HOCON file over the modules' reference.conf files. */
final class Settings {
    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private File file;

    Settings file(File f) {
        if (f != null && !f.isFile()) throw new UserError("config file not found: " + f);
        this.file = f;
        return this;
    }

    Settings set(String key, Object value) {
        if (value != null) overrides.put(key, value);
        return this;
    }

    Config load() {
        ConfigFactory.invalidateCaches();
        Config base = ConfigFactory.defaultReference();
        Config user = file == null ? ConfigFactory.empty() : ConfigFactory.parseFile(file);
        Config resolved = ConfigFactory.parseMap(overrides).withFallback(user).withFallback(ConfigFactory.systemProperties()).withFallback(base).resolve();
        resolved.checkValid(base, "calisto");
        return resolved;
    }

    /** HOCON duration syntax ({@code 10s}, {@code 500ms}, {@code 2m}) for options too. */
    static Duration duration(String option, String text) {
        // HOCON reads a bare number as milliseconds: "--duration 10" would be 10 ms, so a unit is required
        if (text.strip().matches("[-+]?[0-9.]+") && !text.strip().matches("[-+]?0*\\.?0*")) {
            throw new UserError(option + " needs a unit (e.g. 10s, 500ms), was '" + text + "'");
        }
        try {
            Duration d = ConfigFactory.parseString("d = \"" + text.replace("\"", "") + "\"").getDuration("d");
            if (d.isNegative() || d.isZero()) throw new UserError(option + " must be positive, was '" + text + "'");
            return d;
        } catch (com.typesafe.config.ConfigException e) {
            throw new UserError(option + " is not a duration (e.g. 10s, 500ms): '" + text + "'");
        }
    }
}
