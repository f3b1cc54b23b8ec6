package io.calisto.io.parse;

import io.calisto.aeron.DropReason;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Ethernet II / 802.1Q / 802.1ad / IPv4 / IPv6 / UDP / TCP parser for the IO core. Never throws on bad input:
 * a frame it cannot use yields the {@link DropReason} to count. No allocation.
 */
public final class PacketParser {
    private static final int ETH_HEADER = 14;
    private static final int TYPE_IPV4 = 0x0800, TYPE_IPV6 = 0x86dd, TYPE_VLAN = 0x8100, TYPE_QINQ = 0x88a8;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private PacketParser() {}

    /** Parses {@code frame[0..length)} into {@code out}; returns null when the packet is usable, else why not. */
    public static DropReason parse(DirectBuffer frame, int length, ParsedPacket out) {
        out.clear();
        if (length < ETH_HEADER) return DropReason.TRUNCATED;
        out.dstMac = mac(frame, 0);
        out.srcMac = mac(frame, 6);
        int at = 12;
        int type = frame.getShort(at, BE) & 0xffff;
        for (int tags = 0; (type == TYPE_VLAN || type == TYPE_QINQ) && tags < 2; tags++) {
            if (at + 6 > length) return DropReason.TRUNCATED;
            if (out.vlan < 0) out.vlan = frame.getShort(at + 2, BE) & 0x0fff;
            at += 4;
            type = frame.getShort(at, BE) & 0xffff;
        }
        int l3 = at + 2;
        out.l3Offset = l3;
        return switch (type) {
            case TYPE_IPV4 -> ipv4(frame, length, l3, out);
            case TYPE_IPV6 -> ipv6(frame, length, l3, out);
            default -> DropReason.NOT_IP;
        };
    }

    private static DropReason ipv4(DirectBuffer f, int length, int l3, ParsedPacket out) {
        if (l3 + 20 > length) return DropReason.TRUNCATED;
        int vihl = f.getByte(l3) & 0xff;
        if ((vihl >>> 4) != 4) return DropReason.MALFORMED;
        int ihl = (vihl & 0x0f) * 4;
        if (ihl < 20) return DropReason.MALFORMED;
        int total = f.getShort(l3 + 2, BE) & 0xffff;
        if (total < ihl) return DropReason.MALFORMED;
        if (l3 + total > length) return DropReason.TRUNCATED;
        out.ipVersion = 4;
        out.protocol = f.getByte(l3 + 9) & 0xff;
        out.srcIpLo = Integer.toUnsignedLong(f.getInt(l3 + 12, BE));
        out.dstIpLo = Integer.toUnsignedLong(f.getInt(l3 + 16, BE));
        // non-first fragments carry no L4 header: RSS falls back to the 2-tuple, as a NIC does
        boolean laterFragment = (f.getShort(l3 + 6, BE) & 0x1fff) != 0;
        if (laterFragment) return null;
        return l4(f, l3 + total, l3 + ihl, out);
    }

    private static DropReason ipv6(DirectBuffer f, int length, int l3, ParsedPacket out) {
        if (l3 + 40 > length) return DropReason.TRUNCATED;
        if (((f.getByte(l3) & 0xff) >>> 4) != 6) return DropReason.MALFORMED;
        int payload = f.getShort(l3 + 4, BE) & 0xffff;
        int end = l3 + 40 + payload;
        if (end > length) return DropReason.TRUNCATED;
        out.ipVersion = 6;
        out.srcIpHi = f.getLong(l3 + 8, BE);
        out.srcIpLo = f.getLong(l3 + 16, BE);
        out.dstIpHi = f.getLong(l3 + 24, BE);
        out.dstIpLo = f.getLong(l3 + 32, BE);
        int next = f.getByte(l3 + 6) & 0xff;
        int at = l3 + 40;
        for (int hops = 0; hops < 8; hops++) {
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
                    if (at + 8 > end) return DropReason.TRUNCATED;
                    next = f.getByte(at) & 0xff;
                    at += ((f.getByte(at + 1) & 0xff) + 1) * 8;
                }
                case 51 -> { // AH: (len + 2) * 4 bytes
                    if (at + 8 > end) return DropReason.TRUNCATED;
                    next = f.getByte(at) & 0xff;
                    at += ((f.getByte(at + 1) & 0xff) + 2) * 4;
                }
                case 44 -> { // fragment header, 8 bytes; only the first fragment has ports
                    if (at + 8 > end) return DropReason.TRUNCATED;
                    next = f.getByte(at) & 0xff;
                    boolean later = (f.getShort(at + 2, BE) & 0xfff8) != 0;
                    at += 8;
                    if (later) {
                        out.protocol = next;
                        return null;
                    }
                }
                default -> {
                    if (at > end) return DropReason.TRUNCATED;
                    out.protocol = next;
                    return l4(f, end, at, out);
                }
            }
        }
        return DropReason.MALFORMED; // an extension-header chain this long is not a real packet
    }

    private static DropReason l4(DirectBuffer f, int end, int l4, ParsedPacket out) {
        out.l4Offset = l4;
        int proto = out.protocol;
        if (proto == ParsedPacket.PROTO_UDP) {
            if (l4 + 8 > end) return DropReason.TRUNCATED;
        } else if (proto == ParsedPacket.PROTO_TCP) {
            if (l4 + 20 > end) return DropReason.TRUNCATED;
            int dataOffset = (f.getByte(l4 + 12) & 0xff) >>> 4;
            if (dataOffset < 5) return DropReason.MALFORMED;
            // options the IP length cannot hold: the header was cut, like any other short header
            if (l4 + dataOffset * 4 > end) return DropReason.TRUNCATED;
        } else {
            return null; // ICMP and friends: usable, hashed on addresses only
        }
        out.srcPort = f.getShort(l4, BE) & 0xffff;
        out.dstPort = f.getShort(l4 + 2, BE) & 0xffff;
        out.hasPorts = true;
        return null;
    }

    private static long mac(DirectBuffer f, int at) {
        return ((long) (f.getShort(at, BE) & 0xffff) << 32) | Integer.toUnsignedLong(f.getInt(at + 2, BE));
    }
}
