package io.calisto.aeron;

import java.net.InetAddress;

/**
 * Which packets belong to an application: destination MAC, IP and/or port (range), optionally the protocol.
 * Every field left unset matches anything. Text form (also used in config and across JVMs):
 * {@code "dst-mac=02:00:00:00:00:01,dst-ip=10.0.0.1,proto=udp,dst-port=7000-7999"}; {@code ""} or {@code "any"}
 * matches every IP packet.
 */
public record MatchRule(long dstMac, int ipVersion, long dstIpHi, long dstIpLo, int protocol, int portLo, int portHi) {
    public static final long ANY_MAC = -1;
    public static final MatchRule ANY = new MatchRule(ANY_MAC, 0, 0, 0, 0, -1, -1);

    /** Primitive match, allocation-free; addresses as in the parser (IPv4 in the low 32 bits of lo). */
    public boolean matches(long mac, int version, long ipHi, long ipLo, int proto, boolean hasPorts, int port) {
        if (dstMac != ANY_MAC && dstMac != mac) return false;
        if (ipVersion != 0) {
            if (ipVersion != version) return false;
            // IPv4 compares the low 32 bits only, whether or not the caller sign-extended them
            if (version == 4 ? (int) dstIpLo != (int) ipLo : dstIpHi != ipHi || dstIpLo != ipLo) return false;
        }
        if (protocol != 0 && protocol != proto) return false;
        return portLo < 0 || (hasPorts && port >= portLo && port <= portHi);
    }

    public static MatchRule parse(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equals("any")) return ANY;
        long mac = ANY_MAC;
        int version = 0;
        long hi = 0, lo = 0;
        int proto = 0, portLo = -1, portHi = -1;
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String part : t.split(",", -1)) {
            // an empty term (",", "a=1,", ",,") is a typo, not "anything": only "" or "any" match every packet
            if (part.isBlank()) throw new IllegalArgumentException("match rule '" + t + "' has an empty term (\"\" or any matches every packet)");
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("match rule term '" + part.trim() + "' is not key=value");
            String v = kv[1].trim();
            // a key given twice is a typo too (the last one won, and dst-ip=::1,dst-ip=10.0.0.1 kept the IPv6 high half:
            // MatchRuleFuzzTest found it)
            if (!given.add(kv[0].trim())) throw new IllegalArgumentException("match rule '" + t + "' gives " + kv[0].trim() + " twice");
            switch (kv[0].trim()) {
                case "dst-mac" -> mac = parseMac(v);
                case "dst-ip" -> {
                    byte[] a = parseIp(v);
                    version = a.length == 4 ? 4 : 6;
                    if (version == 4) {
                        lo = Integer.toUnsignedLong(((a[0] & 0xff) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff));
                    } else {
                        hi = toLong(a, 0);
                        lo = toLong(a, 8);
                    }
                }
                case "proto" -> proto = switch (v) {
                    case "udp" -> 17;
                    case "tcp" -> 6;
                    default -> throw new IllegalArgumentException("match rule proto must be udp or tcp, was '" + v + "'");
                };
                case "dst-port" -> {
                    String[] r = v.split("-", 2);
                    portLo = parsePort(r[0]);
                    portHi = r.length == 2 ? parsePort(r[1]) : portLo;
                    if (portHi < portLo) throw new IllegalArgumentException("match rule port range " + v + " is empty");
                }
                default -> throw new IllegalArgumentException("unknown match rule key '" + kv[0].trim() + "' (dst-mac, dst-ip, proto, dst-port)");
            }
        }
        return new MatchRule(mac, version, hi, lo, proto, portLo, portHi);
    }

    /** The text form {@link #parse} reads back (used to send a rule to another JVM). */
    public String format() {
        java.util.List<String> terms = new java.util.ArrayList<>();
        if (dstMac != ANY_MAC) terms.add(String.format("dst-mac=%02x:%02x:%02x:%02x:%02x:%02x", (dstMac >> 40) & 0xff, (dstMac >> 32) & 0xff,
            (dstMac >> 24) & 0xff, (dstMac >> 16) & 0xff, (dstMac >> 8) & 0xff, dstMac & 0xff));
        if (ipVersion == 4) {
            int a = (int) dstIpLo;
            terms.add("dst-ip=" + ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff));
        } else if (ipVersion == 6) {
            StringBuilder sb = new StringBuilder("dst-ip=");
            for (int i = 0; i < 8; i++) sb.append(i == 0 ? "" : ":").append(Long.toHexString(((i < 4 ? dstIpHi : dstIpLo) >>> (48 - 16 * (i % 4))) & 0xffff));
            terms.add(sb.toString());
        }
        if (protocol != 0) terms.add("proto=" + (protocol == 17 ? "udp" : "tcp"));
        if (portLo >= 0) terms.add("dst-port=" + portLo + (portHi != portLo ? "-" + portHi : ""));
        return terms.isEmpty() ? "any" : String.join(",", terms);
    }

    public static long parseMac(String v) {
        String[] o = v.split(":");
        if (o.length != 6) throw new IllegalArgumentException("bad MAC address '" + v + "'");
        long mac = 0;
        for (String s : o) {
            try {
                int b = Integer.parseInt(s, 16);
                if (s.length() != 2 || b < 0) throw new NumberFormatException();
                mac = (mac << 8) | b;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad MAC address '" + v + "'");
            }
        }
        return mac;
    }

    /**
     * Literal IPv4/IPv6 address only: never a DNS lookup. ({@code InetAddress.getByName} looked up what the pattern let
     * through but is no literal, such as {@code 1..2.3} or {@code 1.2.3.4.}: MatchRuleFuzzTest found it.)
     */
    public static byte[] parseIp(String v) {
        boolean literal = v.matches("[0-9.]+") ? v.split("\\.").length == 4 : v.contains(":") && v.matches("[0-9a-fA-F:.]+");
        if (!literal) throw new IllegalArgumentException("bad IP address '" + v + "'");
        try {
            return InetAddress.ofLiteral(v).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad IP address '" + v + "'");
        }
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p < 0 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + s + "' (0..65535)");
        }
    }

    private static long toLong(byte[] a, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) v = (v << 8) | (a[i] & 0xff);
        return v;
    }
}
