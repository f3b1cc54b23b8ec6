package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** The settings that turn Pekko remoting on for {@code serve} and {@code ctl}: Artery TCP on one address. */
final class Remoting {
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
}
