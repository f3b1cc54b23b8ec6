package io.calisto.io.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.aeron.DropReason;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacketParserTest {
    static final int SRC = 0x0a000002, DST = 0x0a000001;
    final ParsedPacket p = new ParsedPacket();

    DropReason parse(Frames f) { return PacketParser.parse(f.buffer(), f.length(), p); }

    DropReason parse(Frames f, int length) { return PacketParser.parse(f.buffer(), length, p); }

    @Test
    void ipv4Udp() {
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 20 + 8 + 10, 0, 17, SRC, DST).udp(5000, 7, 10)));
        assertEquals(4, p.ipVersion);
        assertEquals(17, p.protocol);
        assertEquals(SRC, p.srcIpv4());
        assertEquals(DST, p.dstIpv4());
        assertTrue(p.hasPorts);
        assertEquals(5000, p.srcPort);
        assertEquals(7, p.dstPort);
        assertEquals(0x020000000001L, p.dstMac);
        assertEquals(-1, p.vlan);
        assertEquals(14, p.l3Offset);
        assertEquals(34, p.l4Offset);
    }

    @Test
    void ipv4OptionsVlanAndQinQ() {
        assertNull(parse(Frames.eth(0x8100).type(0x0800).ipv4(7, 28 + 20, 0, 6, SRC, DST).tcp(80, 443, 5)));
        assertEquals(42, p.vlan);
        assertEquals(18, p.l3Offset);
        assertEquals(18 + 28, p.l4Offset);
        assertEquals(443, p.dstPort);
        assertNull(parse(Frames.eth(0x88a8, 0x8100).type(0x0800).ipv4(5, 28, 0, 17, SRC, DST).udp(1, 2, 0)));
        assertEquals(22, p.l3Offset);
        assertEquals(2, p.dstPort);
    }

    @Test
    void laterIpv4FragmentsAndIcmpHaveNoPorts() {
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 20 + 8, 0x2000 | 10, 17, SRC, DST).bytes(8)));
        assertFalse(p.hasPorts);
        assertEquals(4, p.ipVersion);
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 20 + 8, 0, 1, SRC, DST).bytes(8)));
        assertFalse(p.hasPorts);
        assertEquals(1, p.protocol);
    }

    @Test
    void ipv6WithExtensionHeaders() {
        // hop-by-hop (8 bytes) -> destination options (16 bytes) -> UDP
        assertNull(parse(Frames.eth().type(0x86dd).ipv6(8 + 16 + 8, 0, 1, 2, 3, 4).ext(60, 0, 8).ext(17, 1, 16).udp(9, 10, 0)));
        assertEquals(6, p.ipVersion);
        assertEquals(17, p.protocol);
        assertEquals(1, p.srcIpHi);
        assertEquals(4, p.dstIpLo);
        assertEquals(10, p.dstPort);
        assertEquals(14 + 40 + 24, p.l4Offset);
        // first fragment has ports, a later one does not
        assertNull(parse(Frames.eth().type(0x86dd).ipv6(8 + 20, 44, 1, 2, 3, 4).fragment6(6, 0).tcp(1, 2, 5)));
        assertTrue(p.hasPorts);
        assertNull(parse(Frames.eth().type(0x86dd).ipv6(8 + 20, 44, 1, 2, 3, 4).fragment6(6, 100).bytes(20)));
        assertFalse(p.hasPorts);
        assertEquals(6, p.protocol);
    }

    @Test
    void everyDropReason() {
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth(), 10));
        assertEquals(DropReason.NOT_IP, parse(Frames.eth().type(0x0806).bytes(28)));
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).bytes(10)));
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).ipv4(4, 40, 0, 17, SRC, DST).bytes(20)), "IHL < 5");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).ipv4(5, 12, 0, 17, SRC, DST).bytes(8)), "total < header");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(5, 400, 0, 17, SRC, DST).udp(1, 2, 0)), "total > frame");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(5, 24, 0, 17, SRC, DST).bytes(4)), "UDP header cut");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).ipv4(5, 40, 0, 6, SRC, DST).tcp(1, 2, 3)), "TCP offset < 5");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x86dd).bytes(1).ipv6(0, 59, 0, 0, 0, 0)), "version 0 in an IPv6 frame");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(100, 17, 0, 0, 0, 0).udp(1, 2, 0)), "payload > frame");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(8, 0, 0, 0, 0, 0).ext(17, 3, 8)), "ext header runs past the payload");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth(0x8100).bytes(1), 17), "VLAN tag cut");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).bytes(1).ipv4(5, 28, 0, 17, SRC, DST), 50), "version 0 in an IPv4 frame");
    }

    // ---- every header combination: tags x network layer x transport ----

    /** A network-layer variant: writes the IP header (and extension headers) for a transport of {@code l4Bytes}. */
    interface L3 {
        /** Writes the headers; returns the bytes they took (IP header + extension headers). */
        int write(Frames f, int proto, int l4Bytes);
    }

    static final long S_HI = 0x20010db800000000L, S_LO = 7, D_HI = 0x20010db800000001L, D_LO = 1;

    static final Map<String, L3> L3S = new LinkedHashMap<>();
    static {
        L3S.put("ipv4", (f, proto, l4) -> { f.type(0x0800).ipv4(5, 20 + l4, 0, proto, SRC, DST); return 20; });
        L3S.put("ipv4+options", (f, proto, l4) -> { f.type(0x0800).ipv4(15, 60 + l4, 0, proto, SRC, DST); return 60; });
        L3S.put("ipv4 first fragment (MF)", (f, proto, l4) -> { f.type(0x0800).ipv4(5, 20 + l4, 0x2000, proto, SRC, DST); return 20; });
        L3S.put("ipv6", (f, proto, l4) -> { f.type(0x86dd).ipv6(l4, proto, S_HI, S_LO, D_HI, D_LO); return 40; });
        L3S.put("ipv6+hop-by-hop", (f, proto, l4) -> { f.type(0x86dd).ipv6(8 + l4, 0, S_HI, S_LO, D_HI, D_LO).ext(proto, 0, 8); return 48; });
        L3S.put("ipv6+routing", (f, proto, l4) -> { f.type(0x86dd).ipv6(24 + l4, 43, S_HI, S_LO, D_HI, D_LO).ext(proto, 2, 24); return 64; });
        L3S.put("ipv6+first fragment", (f, proto, l4) -> { f.type(0x86dd).ipv6(8 + l4, 44, S_HI, S_LO, D_HI, D_LO).fragment6(proto, 0); return 48; });
        L3S.put("ipv6+AH", (f, proto, l4) -> { f.type(0x86dd).ipv6(12 + l4, 51, S_HI, S_LO, D_HI, D_LO).ext(proto, 1, 12); return 52; });
        L3S.put("ipv6+destination options", (f, proto, l4) -> { f.type(0x86dd).ipv6(16 + l4, 60, S_HI, S_LO, D_HI, D_LO).ext(proto, 1, 16); return 56; });
        L3S.put("ipv6+hbh+routing+fragment+AH+dstopts", (f, proto, l4) -> {
            f.type(0x86dd).ipv6(8 + 8 + 8 + 12 + 8 + l4, 0, S_HI, S_LO, D_HI, D_LO)
                .ext(43, 0, 8).ext(44, 0, 8).fragment6(51, 0).ext(60, 1, 12).ext(proto, 0, 8);
            return 40 + 44;
        });
    }

    @Test
    void everyHeaderCombinationParsesToTheRightFields() {
        int[][] tagSets = {{}, {0x8100}, {0x88a8}, {0x88a8, 0x8100}};
        int checked = 0;
        for (int[] tags : tagSets) {
            for (Map.Entry<String, L3> l3 : L3S.entrySet()) {
                for (String l4 : new String[] {"udp", "tcp", "icmp"}) {
                    boolean v6 = l3.getKey().startsWith("ipv6");
                    int proto = switch (l4) {
                        case "udp" -> 17;
                        case "tcp" -> 6;
                        default -> v6 ? 58 : 1;
                    };
                    int l4Bytes = l4.equals("udp") ? 8 + 6 : l4.equals("tcp") ? 20 : 8;
                    Frames f = Frames.eth(tags);
                    int ipBytes = l3.getValue().write(f, proto, l4Bytes);
                    switch (l4) {
                        case "udp" -> f.udp(40000, 53, 6);
                        case "tcp" -> f.tcp(40001, 443, 5);
                        default -> f.bytes(8);
                    }
                    String what = Arrays.toString(tags) + " " + l3.getKey() + " " + l4;
                    assertNull(parse(f), what);
                    int l3Offset = 14 + 4 * tags.length;
                    assertEquals(tags.length == 0 ? -1 : 42, p.vlan, what);
                    assertEquals(l3Offset, p.l3Offset, what);
                    assertEquals(l3Offset + ipBytes, p.l4Offset, what);
                    assertEquals(v6 ? 6 : 4, p.ipVersion, what);
                    assertEquals(proto, p.protocol, what);
                    if (v6) {
                        assertEquals(S_HI, p.srcIpHi, what);
                        assertEquals(S_LO, p.srcIpLo, what);
                        assertEquals(D_HI, p.dstIpHi, what);
                        assertEquals(D_LO, p.dstIpLo, what);
                    } else {
                        assertEquals(SRC, p.srcIpv4(), what);
                        assertEquals(DST, p.dstIpv4(), what);
                        assertEquals(0, p.srcIpHi, what);
                    }
                    assertEquals(!l4.equals("icmp"), p.hasPorts, what);
                    assertEquals(l4.equals("udp") ? 40000 : l4.equals("tcp") ? 40001 : 0, p.srcPort, what);
                    assertEquals(l4.equals("udp") ? 53 : l4.equals("tcp") ? 443 : 0, p.dstPort, what);
                    assertEquals(0x020000000002L, p.srcMac, what);
                    checked++;
                }
            }
        }
        assertEquals(4 * 10 * 3, checked);
    }

    @Test
    void ethernetPaddingBeyondTheIpLengthIsIgnored() {
        // a minimum-size frame: IPv4/UDP of 28 bytes padded to 60; the UDP header must fit the IP length, not the frame
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 28, 0, 17, SRC, DST).udp(1, 2, 0).bytes(18)));
        assertEquals(60, Frames.eth().type(0x0800).ipv4(5, 28, 0, 17, SRC, DST).udp(1, 2, 0).bytes(18).length());
        assertEquals(2, p.dstPort);
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(5, 24, 0, 17, SRC, DST).udp(1, 2, 0).bytes(18)),
            "UDP header past the IP total length, inside the padding");
    }

    @Test
    void moreDropReasons() {
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth(), 0), "empty frame");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800), 14), "ethertype and nothing else");
        assertEquals(DropReason.NOT_IP, parse(Frames.eth(0x8100).type(0x0806).bytes(28)), "ARP in a VLAN");
        assertEquals(DropReason.NOT_IP, parse(Frames.eth(0x88a8, 0x8100).type(0x88cc).bytes(28)), "LLDP under QinQ");
        assertEquals(DropReason.NOT_IP, parse(Frames.eth(0x88a8, 0x8100, 0x8100).type(0x0800).ipv4(5, 28, 0, 17, SRC, DST).udp(1, 2, 0)),
            "a third tag is not unwrapped");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth(0x88a8, 0x8100).bytes(1), 21), "inner VLAN tag cut");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x86dd).ipv4(5, 20, 0, 17, SRC, DST).bytes(20)), "IPv4 header under the IPv6 ethertype");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).ipv6(8, 17, 1, 2, 3, 4).udp(1, 2, 0)), "IPv6 header under the IPv4 ethertype");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(0, 59, 1, 2, 3, 4), 14 + 39), "IPv6 header cut");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(5, 30, 0, 6, SRC, DST).tcp(1, 2, 5), 14 + 30), "TCP header cut");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(5, 40, 0, 6, SRC, DST).tcp(1, 2, 15)), "TCP options past the IP length");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x86dd).ipv6(20, 6, 1, 2, 3, 4).tcp(1, 2, 4)), "IPv6 TCP offset < 5");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(4, 17, 1, 2, 3, 4).bytes(4)), "IPv6 UDP header cut");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(4, 44, 1, 2, 3, 4).bytes(4)), "fragment header cut");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x86dd).ipv6(16, 51, 1, 2, 3, 4).ext(17, 4, 16)), "AH longer than the payload");
        Frames chain = Frames.eth().type(0x86dd).ipv6(9 * 8, 60, 1, 2, 3, 4);
        for (int i = 0; i < 9; i++) chain.ext(60, 0, 8);
        assertEquals(DropReason.MALFORMED, parse(chain), "an endless extension-header chain");
        assertEquals(DropReason.MALFORMED, parse(Frames.eth().type(0x0800).ipv4(5, 19, 0, 17, SRC, DST).bytes(8)), "total 19 < IHL 20");
        assertEquals(DropReason.TRUNCATED, parse(Frames.eth().type(0x0800).ipv4(15, 60, 0, 17, SRC, DST), 14 + 40), "options cut");
    }

    @Test
    void nonFirstFragmentsCarryNoPortsEvenWithPortLikeBytes() {
        // IPv4 later fragment (offset 185*8) whose payload happens to start like a UDP header
        assertNull(parse(Frames.eth(0x8100).type(0x0800).ipv4(5, 28, 185, 17, SRC, DST).udp(1234, 80, 0)));
        assertFalse(p.hasPorts);
        assertEquals(0, p.srcPort);
        assertEquals(17, p.protocol);
        // IPv6 later fragment after a hop-by-hop header
        assertNull(parse(Frames.eth().type(0x86dd).ipv6(8 + 8 + 8, 0, 1, 2, 3, 4).ext(44, 0, 8).fragment6(17, 1).udp(1234, 80, 0)));
        assertFalse(p.hasPorts);
        assertEquals(0, p.dstPort);
        assertEquals(17, p.protocol);
        // a parser reused after a packet with ports forgets them
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 28, 0, 17, SRC, DST).udp(9, 9, 0)));
        assertTrue(p.hasPorts);
        assertNull(parse(Frames.eth().type(0x0800).ipv4(5, 28, 0, 1, SRC, DST).bytes(8)));
        assertFalse(p.hasPorts);
        assertEquals(0, p.srcPort);
    }
}
