package io.calisto.io.rss;

import io.calisto.io.parse.ParsedPacket;
import java.util.HexFormat;

/**
 * Software Toeplitz RSS hash, bit-exact with what a NIC computes, for vdevs and captures that carry no hash.
 * Table-driven: for each input byte position a 256-entry table of the key windows it selects, so hashing is one
 * lookup and one XOR per input byte.
 */
public final class Toeplitz {
    /** The standard 40-byte key from Microsoft's RSS specification (also DPDK's and most NICs' default). */
    public static final byte[] MICROSOFT_KEY = HexFormat.of().parseHex(
        "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");
    /** Longest input: IPv6 source + destination + ports. */
    private static final int MAX_INPUT = 36;

    private final int[][] table = new int[MAX_INPUT][256];

    public Toeplitz(byte[] key) {
        if (key == null || key.length < MAX_INPUT + 4) {
            throw new IllegalArgumentException("RSS key must be at least " + (MAX_INPUT + 4) + " bytes, was " + (key == null ? 0 : key.length));
        }
        for (int i = 0; i < MAX_INPUT; i++) {
            for (int b = 0; b < 256; b++) {
                int h = 0;
                for (int bit = 0; bit < 8; bit++) {
                    if ((b & (0x80 >>> bit)) != 0) h ^= window(key, i * 8 + bit);
                }
                table[i][b] = h;
            }
        }
    }

    /** The 32 key bits starting at bit {@code pos}. */
    private static int window(byte[] key, int pos) {
        long v = 0;
        for (int i = 0; i < 5; i++) v = (v << 8) | (key[pos / 8 + i] & 0xff);
        return (int) (v >>> (8 - pos % 8));
    }

    /** Parses an 80-hex-digit key; empty means {@link #MICROSOFT_KEY}. */
    public static byte[] parseKey(String hex) {
        String h = hex.strip();
        if (h.isEmpty()) return MICROSOFT_KEY.clone();
        if (h.length() != 80) throw new IllegalArgumentException("calisto.io.rss-key must be 80 hex digits (40 bytes), was " + h.length() + " characters");
        try {
            return HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calisto.io.rss-key is not hexadecimal: '" + h + "'");
        }
    }

    /** 4-tuple (addresses + ports) when the packet has ports, else 2-tuple, over IPv4 or IPv6. */
    public int hash(ParsedPacket p) {
        return p.ipVersion == 4
            ? hashIpv4((int) p.srcIpLo, (int) p.dstIpLo, p.srcPort, p.dstPort, p.hasPorts)
            : hashIpv6(p.srcIpHi, p.srcIpLo, p.dstIpHi, p.dstIpLo, p.srcPort, p.dstPort, p.hasPorts);
    }

    public int hashIpv4(int src, int dst, int sport, int dport, boolean ports) {
        int h = word(0, src) ^ word(4, dst);
        return ports ? h ^ ports(8, sport, dport) : h;
    }

    public int hashIpv6(long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport, boolean ports) {
        int h = quad(0, srcHi) ^ quad(8, srcLo) ^ quad(16, dstHi) ^ quad(24, dstLo);
        return ports ? h ^ ports(32, sport, dport) : h;
    }

    private int ports(int at, int sport, int dport) { return word(at, (sport << 16) | (dport & 0xffff)); }

    private int quad(int at, long v) { return word(at, (int) (v >>> 32)) ^ word(at + 4, (int) v); }

    private int word(int at, int v) {
        int[][] t = table;
        return t[at][v >>> 24] ^ t[at + 1][(v >>> 16) & 0xff] ^ t[at + 2][(v >>> 8) & 0xff] ^ t[at + 3][v & 0xff];
    }
}
