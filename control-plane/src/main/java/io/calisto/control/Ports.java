package io.calisto.control;

import com.typesafe.config.Config;
import io.calisto.io.ffm.DpdkConfig;
import io.calisto.io.ffm.DpdkPort;
import io.calisto.io.port.PacketPort;
import io.calisto.io.rss.Toeplitz;
import io.calisto.io.port.PcapPort;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;

/** Builds the port named by {@code calisto.run.port}. */
public final class Ports {
    private Ports() {}

    public static PacketPort create(Config config) {
        String kind = config.getString("calisto.run.port");
        return switch (kind) {
            case "synthetic" -> new SyntheticPort(SyntheticConfig.from(config.getConfig("calisto.synthetic")));
            case "pcap" -> {
                Config pcap = config.getConfig("calisto.pcap");
                String out = pcap.getString("out");
                yield PcapPort.open(java.nio.file.Path.of(pcapIn(pcap)), out.isEmpty() ? null : java.nio.file.Path.of(out), pcapLoops(pcap));
            }
            case "dpdk" -> new DpdkPort(dpdk(config), config.getInt("calisto.io.burst"));
            default -> throw new IllegalArgumentException("calisto.run.port must be synthetic, pcap or dpdk, was '" + kind + "'");
        };
    }

    /**
     * Checks the settings of the port {@code calisto.run.port} names without opening it (no file opened, no EAL
     * init): {@link DataplaneSettings#from} calls it, so a bad port value stops the start before anything runs.
     */
    static void check(Config config) {
        switch (config.getString("calisto.run.port")) {
            case "synthetic" -> SyntheticConfig.from(config.getConfig("calisto.synthetic"));
            case "pcap" -> {
                pcapIn(config.getConfig("calisto.pcap"));
                pcapLoops(config.getConfig("calisto.pcap"));
            }
            case "dpdk" -> dpdk(config);
            default -> { } // DataplaneSettings names the key
        }
    }

    private static String pcapIn(Config pcap) {
        String in = pcap.getString("in");
        if (in.isEmpty()) throw new IllegalArgumentException("port pcap needs an input capture (--pcap FILE or calisto.pcap.in)");
        return in;
    }

    private static int pcapLoops(Config pcap) {
        int loops = pcap.getInt("loops");
        if (loops < 1) throw new IllegalArgumentException("calisto.pcap.loops must be >= 1, was " + loops);
        return loops;
    }

    private static DpdkConfig dpdk(Config config) {
        return DpdkConfig.from(config.getConfig("calisto.dpdk"), Toeplitz.parseKey(config.getString("calisto.io.rss-key")));
    }
}
