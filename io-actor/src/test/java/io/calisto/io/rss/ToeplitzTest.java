package io.calisto.io.rss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calisto.io.parse.Frames;
import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Microsoft's RSS verification suite (the table in "Verifying the RSS Hash Calculation"). */
class ToeplitzTest {
    final Toeplitz t = new Toeplitz(Toeplitz.MICROSOFT_KEY);

    static int v4(String a) throws Exception { return ByteBuffer.wrap(InetAddress.getByName(a).getAddress()).getInt(); }

    static long[] v6(String a) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(InetAddress.getByName(a).getAddress());
        return new long[] {b.getLong(), b.getLong()};
    }

    @ParameterizedTest
    @CsvSource({
        "66.9.149.187, 2794, 161.142.100.80, 1766, 0x323e8fc2, 0x51ccc178",
        "199.92.111.2, 14230, 65.69.140.83, 4739, 0xd718262a, 0xc626b0ea",
        "24.19.198.95, 12898, 12.22.207.184, 38024, 0xd2d0a5de, 0x5c2b394a",
        "38.27.205.30, 48228, 209.142.163.6, 2217, 0x82989176, 0xafc7327f",
        "153.39.163.191, 44251, 202.188.127.2, 1303, 0x5d1809c5, 0x10e828a2",
    })
    void ipv4Vectors(String src, int sport, String dst, int dport, String ipOnly, String withPorts) throws Exception {
        assertEquals(Integer.parseUnsignedInt(ipOnly.substring(2), 16), t.hashIpv4(v4(src), v4(dst), sport, dport, false));
        assertEquals(Integer.parseUnsignedInt(withPorts.substring(2), 16), t.hashIpv4(v4(src), v4(dst), sport, dport, true));
    }

    @ParameterizedTest
    @CsvSource({
        "3ffe:2501:200:1fff::7, 2794, 3ffe:2501:200:3::1, 1766, 0x2cc18cd5, 0x40207d3d",
        "3ffe:501:8::260:97ff:fe40:efab, 14230, ff02::1, 4739, 0x0f0c461c, 0xdde51bbf",
        "3ffe:1900:4545:3:200:f8ff:fe21:67cf, 44251, fe80::200:f8ff:fe21:67cf, 38024, 0x4b61e985, 0x02d1feef",
    })
    void ipv6Vectors(String src, int sport, String dst, int dport, String ipOnly, String withPorts) throws Exception {
        long[] s = v6(src), d = v6(dst);
        assertEquals(Integer.parseUnsignedInt(ipOnly.substring(2), 16), t.hashIpv6(s[0], s[1], d[0], d[1], sport, dport, false));
        assertEquals(Integer.parseUnsignedInt(withPorts.substring(2), 16), t.hashIpv6(s[0], s[1], d[0], d[1], sport, dport, true));
    }

    @Test
    void keysAreValidated() {
        assertEquals(40, Toeplitz.parseKey("").length);
        assertEquals("calisto.io.rss-key must be 80 hex digits (40 bytes), was 4 characters",
            assertThrows(IllegalArgumentException.class, () -> Toeplitz.parseKey("abcd")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Toeplitz.parseKey("zz".repeat(40)));
        assertEquals("RSS key must be at least 40 bytes, was 8", assertThrows(IllegalArgumentException.class, () -> new Toeplitz(new byte[8])).getMessage());
    }

    @Test
    void hashOfAParsedPacketUsesTheFourTupleOrTheTwoTuple() throws Exception {
        ParsedPacket p = new ParsedPacket();
        // first IPv4 row, as a UDP packet in a VLAN and as ICMP (no ports: the 2-tuple)
        assertNull(PacketParser.parse(Frames.eth(0x8100).type(0x0800).ipv4(5, 28, 0, 17, v4("66.9.149.187"), v4("161.142.100.80"))
            .udp(2794, 1766, 0).buffer(), 14 + 4 + 28, p));
        assertEquals(0x51ccc178, t.hash(p));
        assertNull(PacketParser.parse(Frames.eth().type(0x0800).ipv4(5, 28, 0, 1, v4("66.9.149.187"), v4("161.142.100.80"))
            .bytes(8).buffer(), 14 + 28, p));
        assertEquals(0x323e8fc2, t.hash(p));
        // first IPv6 row, as TCP behind a hop-by-hop header and as a later fragment (no ports)
        long[] s = v6("3ffe:2501:200:1fff::7"), d = v6("3ffe:2501:200:3::1");
        assertNull(PacketParser.parse(Frames.eth().type(0x86dd).ipv6(8 + 20, 0, s[0], s[1], d[0], d[1]).ext(6, 0, 8).tcp(2794, 1766, 5)
            .buffer(), 14 + 40 + 28, p));
        assertEquals(0x40207d3d, t.hash(p));
        assertNull(PacketParser.parse(Frames.eth().type(0x86dd).ipv6(8 + 8, 44, s[0], s[1], d[0], d[1]).fragment6(17, 3).udp(2794, 1766, 0)
            .buffer(), 14 + 40 + 16, p));
        assertEquals(0x2cc18cd5, t.hash(p));
    }

    @Test
    void onlyTheFirstFortyKeyBytesMatterForTheseInputs() throws Exception {
        // a 52-byte key (Intel's length) that starts with Microsoft's gives the same hashes: the 36-byte input uses 36 + 4
        byte[] longKey = java.util.Arrays.copyOf(Toeplitz.MICROSOFT_KEY, 52);
        java.util.Arrays.fill(longKey, 40, 52, (byte) 0x5a);
        Toeplitz t52 = new Toeplitz(longKey);
        long[] s = v6("3ffe:501:8::260:97ff:fe40:efab"), d = v6("ff02::1");
        assertEquals(0xdde51bbf, t52.hashIpv6(s[0], s[1], d[0], d[1], 14230, 4739, true));
        assertEquals(0xc626b0ea, t52.hashIpv4(v4("199.92.111.2"), v4("65.69.140.83"), 14230, 4739, true));
        // a different key gives a different hash (the key is not ignored)
        byte[] other = Toeplitz.MICROSOFT_KEY.clone();
        other[0] ^= 1;
        assertNotEquals(0xc626b0ea, new Toeplitz(other).hashIpv4(v4("199.92.111.2"), v4("65.69.140.83"), 14230, 4739, true));
    }

    @Test
    void keysParseFromHexAndBadKeysSayWhatIsWrong() {
        assertArrayEquals(Toeplitz.MICROSOFT_KEY, Toeplitz.parseKey(""));
        assertArrayEquals(Toeplitz.MICROSOFT_KEY, Toeplitz.parseKey("  6D5A56DA255B0EC24167253D43A38FB0D0CA2BCBAE7B30B477CB2DA38030F20C6A42B73BBEAC01FA "));
        assertNotSame(Toeplitz.MICROSOFT_KEY, Toeplitz.parseKey(""), "callers may not mutate the shared default key through parseKey");
        assertEquals("calisto.io.rss-key is not hexadecimal: '" + "zz".repeat(40) + "'",
            assertThrows(IllegalArgumentException.class, () -> Toeplitz.parseKey("zz".repeat(40))).getMessage());
        assertEquals("calisto.io.rss-key must be 80 hex digits (40 bytes), was 82 characters",
            assertThrows(IllegalArgumentException.class, () -> Toeplitz.parseKey("ab".repeat(41))).getMessage());
        assertEquals("RSS key must be at least 40 bytes, was 0", assertThrows(IllegalArgumentException.class, () -> new Toeplitz(null)).getMessage());
        assertEquals("RSS key must be at least 40 bytes, was 39", assertThrows(IllegalArgumentException.class, () -> new Toeplitz(new byte[39])).getMessage());
    }
}
