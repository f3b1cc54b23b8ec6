package io.calisto.io.port;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.calisto.aeron.MatchRule;

/** Settings of the in-process traffic generator ({@code calisto.synthetic}), validated with the key in each message. */
public record SyntheticConfig(int flows, long rate, boolean poisson, int packetBytes, double tcpFraction, double ipv6Fraction,
                              long maxPackets, long seed, long dstMac, byte[] dstIpv4, byte[] dstIpv6, int dstPort,
                              double zipfExponent, int dstPorts) {
    public static final int MIN_BYTES = 64;
    /** Ethernet 14 + IPv6 40 + TCP 20. */
    public static final int MIN_BYTES_IPV6_TCP = 74;

    /** The {@code calisto.synthetic} defaults of reference.conf with {@code overrides} (keys relative to that section). */
    public static SyntheticConfig withOverrides(java.util.Map<String, ?> overrides) {
        return from(com.typesafe.config.ConfigFactory.parseMap(overrides).atPath("calisto.synthetic")
            .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).getConfig("calisto.synthetic"));
    }

    public static SyntheticConfig from(Config c) {
        int flows = intOf(c, "flows");
        if (flows < 1 || flows > (1 << 24)) throw bad("flows", "must be in 1.." + (1 << 24), flows);
        long rate = longOf(c, "rate");
        if (rate < 0) throw bad("rate", "must be >= 0", rate);
        String arrival = stringOf(c, "arrival");
        if (!arrival.equals("poisson") && !arrival.equals("constant")) throw bad("arrival", "must be constant or poisson", "'" + arrival + "'");
        int bytes = intOf(c, "packet-bytes");
        if (bytes < MIN_BYTES || bytes > RxBatch.SLOT_BYTES) throw bad("packet-bytes", "must be in " + MIN_BYTES + ".." + RxBatch.SLOT_BYTES, bytes);
        double tcp = doubleOf(c, "tcp-fraction"), v6 = doubleOf(c, "ipv6-fraction");
        if (tcp < 0 || tcp > 1) throw bad("tcp-fraction", "must be in 0..1", tcp);
        if (v6 < 0 || v6 > 1) throw bad("ipv6-fraction", "must be in 0..1", v6);
        // an IPv6/TCP frame's headers alone take 74 bytes; a shorter frame would not parse
        if (tcp > 0 && v6 > 0 && bytes < MIN_BYTES_IPV6_TCP) {
            throw bad("packet-bytes", "must be >= " + MIN_BYTES_IPV6_TCP + " when both tcp-fraction and ipv6-fraction are > 0", bytes);
        }
        long max = longOf(c, "max-packets");
        if (max < 0) throw bad("max-packets", "must be >= 0", max);
        int port = intOf(c, "dst-port");
        if (port < 0 || port > 65535) throw bad("dst-port", "must be in 0..65535", port);
        int ports = intOf(c, "dst-ports");
        if (ports < 1 || port + ports - 1 > 65535) throw bad("dst-ports", "must be in 1.." + (65536 - port) + " (dst-port + dst-ports - 1 <= 65535)", ports);
        byte[] ip4 = address(c, "dst-ip", 4), ip6 = address(c, "dst-ipv6", 16);
        long mac;
        try {
            mac = MatchRule.parseMac(stringOf(c, "dst-mac"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calisto.synthetic.dst-mac: " + e.getMessage());
        }
        String popularity = stringOf(c, "popularity");
        double zipf = 0;
        if (popularity.equals("zipf")) {
            zipf = doubleOf(c, "zipf-exponent");
            if (zipf <= 0) throw bad("zipf-exponent", "must be > 0", zipf);
        } else if (!popularity.equals("uniform")) {
            throw bad("popularity", "must be uniform or zipf", "'" + popularity + "'");
        }
        return new SyntheticConfig(flows, rate, arrival.equals("poisson"), bytes, tcp, v6, max, longOf(c, "seed"), mac, ip4, ip6, port, zipf, ports);
    }

    private static byte[] address(Config c, String key, int length) {
        try {
            byte[] a = MatchRule.parseIp(stringOf(c, key));
            if (a.length != length) throw new IllegalArgumentException("must be an IPv" + (length == 4 ? 4 : 6) + " address");
            return a;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calisto.synthetic." + key + ": " + e.getMessage());
        }
    }

    // typed reads that name the full key when a value has the wrong type or is missing (the sub-config knows only "rate")
    private static int intOf(Config c, String key) { return read(c, key, "a whole number", Config::getInt); }

    private static long longOf(Config c, String key) { return read(c, key, "a whole number", Config::getLong); }

    private static double doubleOf(Config c, String key) { return read(c, key, "a number", Config::getDouble); }

    private static String stringOf(Config c, String key) { return read(c, key, "a string", Config::getString); }

    private static <T> T read(Config c, String key, String type, java.util.function.BiFunction<Config, String, T> get) {
        try {
            return get.apply(c, key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be " + type, c.getValue(key).render());
        } catch (ConfigException.Missing e) {
            throw missing(key);
        }
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException("calisto.synthetic." + key + " is missing");
    }

    private static IllegalArgumentException bad(String key, String rule, Object was) {
        return new IllegalArgumentException("calisto.synthetic." + key + " " + rule + ", was " + was);
    }
}
