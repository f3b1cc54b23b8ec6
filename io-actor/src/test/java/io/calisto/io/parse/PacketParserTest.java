package io.calisto.io.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.aeron.DropReason;
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
}
