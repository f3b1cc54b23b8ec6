package io.calisto.examples.dns;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Turns a UDP request frame (Ethernet, optional 802.1Q/802.1ad tags, IPv4 or IPv6, UDP) into the reply frame: MACs,
 * addresses and ports swapped, lengths set, the IPv4 header checksum and the UDP checksum computed (over the
 * pseudo-header, as the peer's kernel checks it; nothing offloads it on the way out of the dataplane). The payload
 * comes from a {@link Service} that writes it in place, so nothing is copied twice and nothing is allocated.
 *
 * <p>Not answered (returns -1): frames too short for their headers, other EtherTypes, IPv4 fragments, IPv4 with a
 * protocol other than UDP, IPv6 whose next header is not UDP (extension headers are not followed), lengths that
 * disagree with the frame. The reply's IPv4 header has no options (IHL 5), DF set, TTL 64; IPv6's hop limit is 64.
 * The request's own UDP checksum is not verified (the kernel of a real host would).
 */
public final class UdpFrames {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    static final int ETH = 14, IPV4 = 20, IPV6 = 40, UDP = 8, PROTO_UDP = 17;

    /** Writes the reply payload for the request payload {@code q[qOff..qOff+qLen)} at {@code r[rOff..]}. */
    @FunctionalInterface
    public interface Service {
        /** The reply's length (at most {@code rCap}), or a negative value for no reply. */
        int respond(DirectBuffer q, int qOff, int qLen, MutableDirectBuffer r, int rOff, int rCap);
    }

    private UdpFrames() {}

    /** Builds the reply to the frame {@code in[off..off+len)} into {@code out} from 0; returns its length or -1. */
    public static int reply(DirectBuffer in, int off, int len, MutableDirectBuffer out, Service service) {
        int end = off + len;
        if (len < ETH) return -1;
        int l3 = off + ETH;
        int type = u16(in, off + 12);
        while ((type == 0x8100 || type == 0x88a8) && l3 + 4 <= end) {
            type = u16(in, l3 + 2);
            l3 += 4;
        }
        int l2 = l3 - off;
        boolean v4;
        int udp, ipEnd;
        if (type == 0x0800) {
            if (l3 + IPV4 > end) return -1;
            int vihl = in.getByte(l3) & 0xff;
            int ihl = (vihl & 0x0f) * 4;
            int total = u16(in, l3 + 2);
            if (vihl >>> 4 != 4 || ihl < IPV4 || total < ihl + UDP || l3 + total > end) return -1;
            if ((u16(in, l3 + 6) & 0x3fff) != 0) return -1; // MF or a fragment offset: a fragment
            if ((in.getByte(l3 + 9) & 0xff) != PROTO_UDP) return -1;
            v4 = true;
            udp = l3 + ihl;
            ipEnd = l3 + total;
        } else if (type == 0x86dd) {
            if (l3 + IPV6 > end) return -1;
            int payload = u16(in, l3 + 4);
            if ((in.getByte(l3 + 6) & 0xff) != PROTO_UDP || payload < UDP || l3 + IPV6 + payload > end) return -1;
            v4 = false;
            udp = l3 + IPV6;
            ipEnd = udp + payload;
        } else {
            return -1;
        }
        int udpLen = u16(in, udp + 4);
        if (udpLen < UDP || udp + udpLen > ipEnd) return -1;

        int rl3 = l2, rudp = rl3 + (v4 ? IPV4 : IPV6), payloadAt = rudp + UDP;
        int n = service.respond(in, udp + UDP, udpLen - UDP, out, payloadAt, out.capacity() - payloadAt);
        if (n < 0) return -1;
        int rUdpLen = UDP + n;

        out.putBytes(0, in, off + 6, 6);              // destination: the request's source MAC
        out.putBytes(6, in, off, 6);                  // source: the MAC it was sent to
        out.putBytes(12, in, off + 12, l2 - 12);      // VLAN tags and EtherType as they were
        if (v4) {
            out.putByte(rl3, (byte) 0x45);
            out.putByte(rl3 + 1, in.getByte(l3 + 1)); // DSCP/ECN kept
            out.putShort(rl3 + 2, (short) (IPV4 + rUdpLen), BE);
            out.putShort(rl3 + 4, (short) 0, BE);     // identification: unused with DF
            out.putShort(rl3 + 6, (short) 0x4000, BE);
            out.putByte(rl3 + 8, (byte) 64);
            out.putByte(rl3 + 9, (byte) PROTO_UDP);
            out.putShort(rl3 + 10, (short) 0, BE);
            out.putBytes(rl3 + 12, in, l3 + 16, 4);
            out.putBytes(rl3 + 16, in, l3 + 12, 4);
            out.putShort(rl3 + 10, (short) ipv4HeaderChecksum(out, rl3), BE);
        } else {
            out.putInt(rl3, 0x60000000 | (in.getInt(l3, BE) & 0x0ff00000), BE); // traffic class kept, no flow label
            out.putShort(rl3 + 4, (short) rUdpLen, BE);
            out.putByte(rl3 + 6, (byte) PROTO_UDP);
            out.putByte(rl3 + 7, (byte) 64);
            out.putBytes(rl3 + 8, in, l3 + 24, 16);
            out.putBytes(rl3 + 24, in, l3 + 8, 16);
        }
        out.putShort(rudp, (short) u16(in, udp + 2), BE);
        out.putShort(rudp + 2, (short) u16(in, udp), BE);
        out.putShort(rudp + 4, (short) rUdpLen, BE);
        out.putShort(rudp + 6, (short) 0, BE);
        out.putShort(rudp + 6, (short) udpChecksum(out, rl3, v4, rudp, rUdpLen), BE);
        return payloadAt + n;
    }

    /** The IPv4 header checksum of the 20-byte header at {@code ip} (its checksum field must be 0 or be skipped). */
    public static int ipv4HeaderChecksum(DirectBuffer b, int ip) {
        int ihl = (b.getByte(ip) & 0x0f) * 4;
        long sum = sum(b, ip, ihl) - u16(b, ip + 10); // the checksum field itself counts as 0
        return ~fold(sum) & 0xffff;
    }

    /**
     * The UDP checksum of the datagram at {@code udp} ({@code udpLen} bytes, its checksum field counted as 0) with the
     * pseudo-header of the IPv4 or IPv6 header at {@code ip}; 0 is sent as 0xffff (RFC 768).
     */
    public static int udpChecksum(DirectBuffer b, int ip, boolean v4, int udp, int udpLen) {
        long sum = v4 ? sum(b, ip + 12, 8) : sum(b, ip + 8, 32);
        sum += PROTO_UDP + udpLen;
        sum += sum(b, udp, udpLen) - u16(b, udp + 6);
        int c = ~fold(sum) & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    /** Ones'-complement sum of big-endian 16-bit words, not folded; an odd last byte is padded with zero. */
    static long sum(DirectBuffer b, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) s += u16(b, off + i);
        if (i < len) s += (b.getByte(off + i) & 0xff) << 8;
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    private static int u16(DirectBuffer b, int off) { return b.getShort(off, BE) & 0xffff; }
}
