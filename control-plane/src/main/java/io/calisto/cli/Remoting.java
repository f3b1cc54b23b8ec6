package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.core.remote.ArteryTls;
import java.util.Map;

/**
 * The settings that turn Pekko remoting on for {@code serve} and {@code ctl}: Artery on one address, plain TCP, or
 * {@code tls-tcp} with mutual authentication when a TLS block ({@code calisto.serve.tls}, {@code calisto.ctl.tls}) is on.
 */
final class Remoting {
    static final String SERVE_TLS = "calisto.serve.tls";
    static final String CTL_TLS = "calisto.ctl.tls";

    private Remoting() {}

    static Config on(String host, int port, Config fallback) {
        return ConfigFactory.parseMap(Map.of(
            "pekko.actor.provider", "remote",
            "pekko.remote.artery.transport", "tcp",
            "pekko.remote.artery.canonical.hostname", host,
            "pekko.remote.artery.canonical.port", port,
            // no Pekko Cluster here: remote death watch (the dataplane watching a ctl subscriber or an app's system,
            // ctl --follow watching the dataplane) is off unless this is on
            "pekko.remote.use-unsafe-remote-features-outside-cluster", "on",
            "pekko.remote.warn-about-direct-use", "off")).withFallback(fallback);
    }

    /** As {@link #on(String, int, Config)}, over {@code tls-tcp} from the TLS block at {@code tlsPath} if that is not null. */
    static Config on(String host, int port, String tlsPath, Config fallback) {
        Config plain = on(host, port, fallback);
        return tlsPath == null ? plain : tls(fallback, tlsPath).withFallback(plain);
    }

    /** The Pekko TLS settings of the block at {@code path}, its stores checked; a wrong value is a UserError naming the key. */
    static Config tls(Config config, String path) {
        try {
            return ArteryTls.artery(config, path);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** ctl's TLS block: calisto.ctl.tls if on, else calisto.serve.tls if on (serve's own host), else none (null). */
    static String ctlTls(Config config) {
        if (ArteryTls.enabled(config, CTL_TLS)) return CTL_TLS;
        if (ArteryTls.enabled(config, SERVE_TLS)) return SERVE_TLS;
        return null;
    }
}
