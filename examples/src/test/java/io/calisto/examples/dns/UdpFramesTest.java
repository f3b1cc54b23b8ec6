package io.calisto.examples.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class UdpFramesTest {
    /**
     * A real frame: `dig @10.77.0.1 www.Example.com A` sent by Linux from 10.77.0.2 over a veth with tx checksum
     * offload off (so the kernel filled both checksums in), captured with tshark. IPv4 checksum 0x1fb5, UDP 0x5d0a.
     */
    static final byte[] DIG_QUERY = HexFormat.of().parseHex(
        "5606142611c142c279bc3dd408004500"
            + "00544648000040111fb50a4d00020a4d"
            + "0001d98a003500405d0ae51601200001"
            + "00000000000103777777074578616d70"
            + "6c6503636f6d000001000100002904d0"
            + "00000000000c000a0008f3d393c8758b"
            + "8254");
    static final int IP = 14, UDP = 34;

    @Test
    void checksumsOfAKnownPacket() {
        UnsafeBuffer f = new UnsafeBuffer(DIG_QUERY);
        assertEquals(98, DIG_QUERY.length);
        assertEquals(0x1fb5, UdpFrames.ipv4HeaderChecksum(f, IP));
        assertEquals(0x5d0a, UdpFrames.udpChecksum(f, IP, true, UDP, 0x40));
    }

    @Test
    void ipv4ReplySwapsAddressesAndPortsAndCarriesValidChecksums() {
        UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
        byte[] payload = "an answer of odd length".getBytes(); // 23 bytes: the checksum pads the last byte
        int len = UdpFrames.reply(new UnsafeBuffer(DIG_QUERY), 0, DIG_QUERY.length, out, (q, qOff, qLen, r, rOff, rCap) -> {
            assertEquals(0x40 - 8, qLen);
            r.putBytes(rOff, payload);
            return payload.length;
        });
        assertEquals(14 + 20 + 8 + payload.length, len);
        byte[] f = new byte[len];
        out.getBytes(0, f);
        assertArrayEquals(slice(DIG_QUERY, 6, 6), slice(f, 0, 6), "destination MAC = the query's source");
        assertArrayEquals(slice(DIG_QUERY, 0, 6), slice(f, 6, 6));
        assertArrayEquals(slice(DIG_QUERY, IP + 16, 4), slice(f, IP + 12, 4), "source IP = the query's destination");
        assertArrayEquals(slice(DIG_QUERY, IP + 12, 4), slice(f, IP + 16, 4));
        assertEquals(53, out.getShort(UDP, ByteOrder.BIG_ENDIAN) & 0xffff);
        assertEquals(0xd98a, out.getShort(UDP + 2, ByteOrder.BIG_ENDIAN) & 0xffff);
        assertEquals(20 + 8 + payload.length, out.getShort(IP + 2, ByteOrder.BIG_ENDIAN) & 0xffff);
        assertEquals(8 + payload.length, out.getShort(UDP + 4, ByteOrder.BIG_ENDIAN) & 0xffff);
        // a receiver's check: the ones'-complement sum over the header (checksum included) is 0xffff
        assertEquals(0xffff, fold(UdpFrames.sum(out, IP, 20)));
        long udp = UdpFrames.sum(out, IP + 12, 8) + 17 + 8 + payload.length + UdpFrames.sum(out, UDP, 8 + payload.length);
        assertEquals(0xffff, fold(udp));
    }

    @Test
    void ipv6ReplyWithAVlanTag() {
        byte[] q = HexFormat.of().parseHex("020000000001" + "020000000002" + "8100" + "0064" + "86dd"
            + "60000000" + "0014" + "11" + "40" + "20010db8000000000000000000000002" + "20010db8000000000000000000000001"
            + "c350" + "0035" + "0014" + "0000" + "000102030405060708090a0b");
        UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
        int len = UdpFrames.reply(new UnsafeBuffer(q), 0, q.length, out, (b, off, n, r, rOff, cap) -> {
            r.putBytes(rOff, b, off, n);
            return n;
        });
        int ip = 18, udp = ip + 40;
        assertEquals(q.length, len);
        assertEquals(0x8100, out.getShort(12, ByteOrder.BIG_ENDIAN) & 0xffff, "the VLAN tag is kept");
        assertArrayEquals(slice(q, ip + 24, 16), slice(bytes(out, len), ip + 8, 16));
        assertArrayEquals(slice(q, ip + 8, 16), slice(bytes(out, len), ip + 24, 16));
        assertEquals(50000, out.getShort(udp + 2, ByteOrder.BIG_ENDIAN) & 0xffff);
        long sum = UdpFrames.sum(out, ip + 8, 32) + 17 + 20 + UdpFrames.sum(out, udp, 20);
        assertEquals(0xffff, fold(sum));
    }

    @Test
    void framesItDoesNotAnswer() {
        UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
        UdpFrames.Service never = (q, qOff, qLen, r, rOff, rCap) -> { throw new AssertionError("no payload expected"); };
        byte[] fragment = DIG_QUERY.clone();
        fragment[IP + 6] = 0x20; // MF
        byte[] tcp = DIG_QUERY.clone();
        tcp[IP + 9] = 6;
        byte[] arp = DIG_QUERY.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        for (byte[] f : new byte[][] {fragment, tcp, arp, slice(DIG_QUERY, 0, 40)}) {
            assertEquals(-1, UdpFrames.reply(new UnsafeBuffer(f), 0, f.length, out, never));
        }
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    static byte[] slice(byte[] b, int off, int len) { return java.util.Arrays.copyOfRange(b, off, off + len); }

    static byte[] bytes(UnsafeBuffer b, int len) {
        byte[] out = new byte[len];
        b.getBytes(0, out);
        return out;
    }
}
