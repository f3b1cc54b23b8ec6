package io.calisto.io.parse;

/**
 * What the parser extracts from one frame. One mutable instance is reused for every packet on the IO thread.
 * IPv4 addresses live in the low 32 bits of {@code srcIpLo/dstIpLo}; IPv6 addresses use hi:lo (network order,
 * big-endian halves).
 */
public final class ParsedPacket {
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    /** 4 or 6. */
    public int ipVersion;
    /** Destination MAC as the low 48 bits, first octet most significant. */
    public long dstMac;
    public long srcMac;
    /** Outer VLAN id, or -1 when untagged. */
    public int vlan;
    public long srcIpHi, srcIpLo, dstIpHi, dstIpLo;
    /** IP protocol / IPv6 upper-layer next header. */
    public int protocol;
    /** True when ports were read (TCP/UDP and not a non-first fragment). */
    public boolean hasPorts;
    public int srcPort, dstPort;
    /** Offsets from the frame start. */
    public int l3Offset, l4Offset;

    public void clear() {
        ipVersion = 0; dstMac = 0; srcMac = 0; vlan = -1;
        srcIpHi = srcIpLo = dstIpHi = dstIpLo = 0;
        protocol = 0; hasPorts = false; srcPort = dstPort = 0; l3Offset = l4Offset = 0;
    }

    public int srcIpv4() { return (int) srcIpLo; }

    public int dstIpv4() { return (int) dstIpLo; }
}
