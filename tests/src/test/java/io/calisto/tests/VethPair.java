package io.calisto.tests;

import java.util.List;

/**
 * A real network path without a NIC, for DPDK's net_af_packet: two network namespaces joined by a veth pair, the
 * client end at 10.77.0.2/24 with checksum offload off, the dataplane end (10.77.0.1, no IP of its own: the dataplane
 * answers) known to the client by a static neighbour entry, since the dataplane answers no ARP.
 */
final class VethPair {
    private VethPair() {}

    static void create(String dpNs, String clNs, String dpIf, String clIf) throws Exception {
        DpdkVethTest.sh("ip", "netns", "add", dpNs);
        DpdkVethTest.sh("ip", "netns", "add", clNs);
        DpdkVethTest.sh("ip", "link", "add", dpIf, "type", "veth", "peer", "name", clIf);
        DpdkVethTest.sh("ip", "link", "set", dpIf, "netns", dpNs);
        DpdkVethTest.sh("ip", "link", "set", clIf, "netns", clNs);
        DpdkVethTest.sh("ip", "-n", dpNs, "link", "set", dpIf, "up");
        DpdkVethTest.sh("ip", "-n", clNs, "addr", "add", "10.77.0.2/24", "dev", clIf);
        DpdkVethTest.sh("ip", "-n", clNs, "link", "set", clIf, "up");
        // veth leaves UDP checksums partial (offloaded); a frame sent back through af_packet would carry that partial
        // sum and the client's kernel would drop it. A real NIC fills checksums in; here the client computes them.
        DpdkVethTest.sh("ip", "netns", "exec", clNs, "ethtool", "-K", clIf, "tx", "off");
        String mac = DpdkVethTest.sh("ip", "-n", dpNs, "link", "show", dpIf).replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
        DpdkVethTest.sh("ip", "-n", clNs, "neigh", "add", "10.77.0.1", "lladdr", mac, "dev", clIf);
    }

    /** Deletes the namespaces (and with them the veth pair); ones never created are skipped. */
    static void delete(String dpNs, String clNs) {
        for (String ns : List.of(dpNs, clNs)) {
            try {
                DpdkVethTest.sh("ip", "netns", "del", ns);
            } catch (Exception notCreated) {
                // skipped or failed half-way
            }
        }
    }
}
