package io.calisto.io.ffm;

import com.typesafe.config.Config;
import java.util.List;

/** {@code calisto.dpdk}: EAL arguments, which port, ring and pool sizes. Validated with the key in each message. */
public record DpdkConfig(List<String> ealArgs, String port, int rxRing, int txRing, int mempoolSize, int mempoolCache, byte[] rssKey,
                         String netns) {

    public static DpdkConfig from(Config dpdk, byte[] rssKey) {
        List<String> eal = dpdk.getStringList("eal-args");
        Eal.checkArgs(eal); // before rte_eal_init: -h would print EAL's usage and exit 0
        String port = dpdk.getString("port").strip();
        if (port.isEmpty()) throw new IllegalArgumentException("calisto.dpdk.port must name a device (e.g. net_null0) or a port id");
        int rx = ring(dpdk, "rx-ring"), tx = ring(dpdk, "tx-ring");
        int pool = dpdk.getInt("mempool-size");
        if (pool < 1023) throw new IllegalArgumentException("calisto.dpdk.mempool-size must be >= 1023, was " + pool);
        int cache = dpdk.getInt("mempool-cache");
        if (cache < 0 || cache > 512) throw new IllegalArgumentException("calisto.dpdk.mempool-cache must be in 0..512, was " + cache);
        return new DpdkConfig(List.copyOf(eal), port, rx, tx, pool, cache, rssKey, dpdk.getString("netns"));
    }

    private static int ring(Config c, String key) {
        int v = c.getInt(key);
        if (v < 64 || v > 32768 || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException("calisto.dpdk." + key + " must be a power of two in 64..32768, was " + v);
        }
        return v;
    }
}
