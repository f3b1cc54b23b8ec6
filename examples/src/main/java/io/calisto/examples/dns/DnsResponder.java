package io.calisto.examples.dns;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The DNS part of the example: reads one query message (RFC 1035 wire format) and writes the authoritative answer
 * from a {@link Zone}, by hand over the buffers, without allocating. One instance per core (it keeps scratch state).
 *
 * <p>Answer rules, in this order:
 * <ul>
 *   <li>fewer than 12 bytes, or the QR bit set (a response, never answered: no loops): dropped, no reply;</li>
 *   <li>an OPCODE other than QUERY: NOTIMP (the question echoed if it parses);</li>
 *   <li>QDCOUNT not 1, a question name that is cut short, uses compression or is longer than 255 bytes, records after
 *       the question that run past the message, or two OPT records: FORMERR with the header only;</li>
 *   <li>an OPT record (EDNS) of a version other than 0: BADVERS (extended RCODE 16);</li>
 *   <li>a class other than IN (or ANY): REFUSED;</li>
 *   <li>a name outside the zone: REFUSED, AA clear (not our zone);</li>
 *   <li>QTYPE IXFR, AXFR, MAILB, MAILA (251-254): NOTIMP;</li>
 *   <li>a name in the zone's origin that the zone does not have: NXDOMAIN, AA set;</li>
 *   <li>a name it has: NOERROR, AA set, the A or AAAA records (both for ANY); none of the asked type: an empty
 *       answer (NODATA).</li>
 * </ul>
 * The question is echoed as sent (case kept); answers point back at it. No authority section (the zone holds no SOA).
 * A query with an OPT record gets one back (UDP payload {@value #MAX_UDP}); replies are limited to 512 bytes
 * without EDNS, else to the smaller of the client's payload size and {@value #MAX_UDP}; answers that do not fit are
 * left out and TC set.
 */
public final class DnsResponder implements UdpFrames.Service {
    public static final int NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5, BADVERS = 16;
    /** What {@link #respond} returns for a message that gets no reply. */
    public static final int DROP = -1;
    /** Our EDNS UDP payload size, and the largest reply we write (fits a 1500-byte MTU with any headers). */
    public static final int MAX_UDP = 1232;
    static final int HEADER = 12, TYPE_OPT = 41, TYPE_ANY = 255, CLASS_IN = 1, CLASS_ANY = 255;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final Zone zone;
    private final byte[] name = new byte[256];
    private final int[] labelStarts = new int[128];
    private int labels;
    private int lastRcode = DROP;

    public DnsResponder(Zone zone) { this.zone = zone; }

    /** The RCODE of the last reply (extended: BADVERS is 16), or {@link #DROP} when the last message got none. */
    public int lastRcode() { return lastRcode; }

    /**
     * Answers the query at {@code q[qOff..qOff+qLen)} into {@code r} from {@code rOff}, at most {@code rCap} bytes;
     * returns the reply's length, or {@link #DROP}.
     */
    @Override
    public int respond(DirectBuffer q, int qOff, int qLen, MutableDirectBuffer r, int rOff, int rCap) {
        lastRcode = DROP;
        if (qLen < HEADER || rCap < HEADER) return DROP;
        int flags = u16(q, qOff + 2);
        if ((flags & 0x8000) != 0) return DROP;
        int opcode = (flags >>> 11) & 0xf;
        int end = qOff + qLen;
        int qd = u16(q, qOff + 4);
        int nameLen = qd == 1 ? readName(q, qOff + HEADER, end) : -1;
        boolean question = nameLen > 0 && qOff + HEADER + nameLen + 4 <= end;
        int questionLen = question ? nameLen + 4 : 0;
        if (opcode != 0) return reply(q, qOff, r, rOff, rCap, opcode, NOTIMP, false, questionLen, -1, -1, false, 0);
        if (!question) return reply(q, qOff, r, rOff, rCap, opcode, FORMERR, false, 0, -1, -1, false, 0);

        // records after the question (a client's EDNS OPT in the additional section): walk them all
        int an = u16(q, qOff + 6), ns = u16(q, qOff + 8), ar = u16(q, qOff + 10);
        int p = qOff + HEADER + questionLen;
        boolean opt = false;
        int optSize = 0, optVersion = 0;
        for (int i = 0; i < an + ns + ar; i++) {
            int owner = p;
            p = skipName(q, p, end);
            if (p < 0 || p + 10 > end) return reply(q, qOff, r, rOff, rCap, opcode, FORMERR, false, 0, -1, -1, false, 0);
            int type = u16(q, p), rdlen = u16(q, p + 8);
            if (i >= an + ns && type == TYPE_OPT) {
                if (opt || p - owner != 1) return reply(q, qOff, r, rOff, rCap, opcode, FORMERR, false, 0, -1, -1, false, 0);
                opt = true;
                optSize = u16(q, p + 2);
                optVersion = q.getByte(p + 5) & 0xff;
            }
            p += 10 + rdlen;
            if (p > end) return reply(q, qOff, r, rOff, rCap, opcode, FORMERR, false, 0, -1, -1, false, 0);
        }
        int limit = opt ? Math.max(512, Math.min(optSize, MAX_UDP)) : 512;
        limit = Math.min(limit, rCap);
        if (opt && optVersion != 0) return reply(q, qOff, r, rOff, limit, opcode, BADVERS, false, questionLen, -1, -1, true, 0);

        int qtype = u16(q, qOff + HEADER + nameLen), qclass = u16(q, qOff + HEADER + nameLen + 2);
        if (qclass != CLASS_IN && qclass != CLASS_ANY) return reply(q, qOff, r, rOff, limit, opcode, REFUSED, false, questionLen, -1, -1, opt, 0);
        if (!zone.contains(name, nameLen, labelStarts, labels)) {
            return reply(q, qOff, r, rOff, limit, opcode, REFUSED, false, questionLen, -1, -1, opt, 0);
        }
        if (qtype >= 251 && qtype <= 254) return reply(q, qOff, r, rOff, limit, opcode, NOTIMP, false, questionLen, -1, -1, opt, 0);
        int slot = zone.find(name, nameLen);
        if (slot < 0) return reply(q, qOff, r, rOff, limit, opcode, NXDOMAIN, true, questionLen, -1, -1, opt, 0);
        int first = qtype == Zone.TYPE_A || qtype == TYPE_ANY ? Zone.TYPE_A : qtype == Zone.TYPE_AAAA ? Zone.TYPE_AAAA : -1;
        int second = qtype == TYPE_ANY ? Zone.TYPE_AAAA : -1;
        return reply(q, qOff, r, rOff, limit, opcode, NOERROR, true, questionLen, first, second, opt, slot);
    }

    private int reply(DirectBuffer q, int qOff, MutableDirectBuffer r, int rOff, int limit, int opcode, int rcode, boolean aa,
                      int questionLen, int type1, int type2, boolean opt, int slot) {
        if (limit < HEADER + questionLen + (opt ? 11 : 0)) {
            questionLen = 0; // cannot happen with limit >= 512 and a question <= 259 bytes; kept safe
            opt = false;
        }
        int p = rOff + HEADER;
        if (questionLen > 0) {
            r.putBytes(p, q, qOff + HEADER, questionLen);
            p += questionLen;
        }
        int room = limit - (p - rOff) - (opt ? 11 : 0);
        int count = 0;
        boolean tc = false;
        int need = size(type1, slot) + size(type2, slot);
        if (need > room) {
            tc = true;
        } else {
            p = put(r, p, type1, slot);
            p = put(r, p, type2, slot);
            count = (type1 > 0 ? zone.count(slot, type1) : 0) + (type2 > 0 ? zone.count(slot, type2) : 0);
        }
        if (opt) {
            r.putByte(p, (byte) 0);                               // owner: the root
            r.putShort(p + 1, (short) TYPE_OPT, BE);
            r.putShort(p + 3, (short) MAX_UDP, BE);               // our UDP payload size
            r.putInt(p + 5, (rcode >>> 4) << 24, BE);              // extended RCODE, version 0, no DO
            r.putShort(p + 9, (short) 0, BE);
            p += 11;
        }
        int flags = 0x8000 | opcode << 11 | (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (u16(q, qOff + 2) & 0x0100) | (rcode & 0xf);
        r.putShort(rOff, (short) u16(q, qOff), BE);               // ID
        r.putShort(rOff + 2, (short) flags, BE);
        r.putShort(rOff + 4, (short) (questionLen > 0 ? 1 : 0), BE);
        r.putShort(rOff + 6, (short) count, BE);
        r.putShort(rOff + 8, (short) 0, BE);
        r.putShort(rOff + 10, (short) (opt ? 1 : 0), BE);
        lastRcode = rcode;
        return p - rOff;
    }

    private int size(int type, int slot) { return type > 0 ? zone.answers(slot, type).length : 0; }

    private int put(MutableDirectBuffer r, int p, int type, int slot) {
        if (type <= 0) return p;
        byte[] rrs = zone.answers(slot, type);
        r.putBytes(p, rrs);
        return p + rrs.length;
    }

    /**
     * Reads the question's name at {@code p} into {@link #name} (lowercase wire format) and its label offsets;
     * returns its length, or -1 when it is malformed (cut short, compressed, too long).
     */
    private int readName(DirectBuffer q, int p, int end) {
        int n = 0;
        labels = 0;
        while (p < end) {
            int len = q.getByte(p) & 0xff;
            if (len == 0) {
                name[n++] = 0;
                return n;
            }
            if ((len & 0xc0) != 0 || n + 1 + len + 1 > 255 || p + 1 + len > end) return -1;
            labelStarts[labels++] = n;
            name[n++] = (byte) len;
            for (int i = 1; i <= len; i++) {
                byte b = q.getByte(p + i);
                name[n++] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            }
            p += 1 + len;
        }
        return -1;
    }

    /** The offset after a (possibly compressed) name at {@code p}, or -1. */
    private static int skipName(DirectBuffer q, int p, int end) {
        for (int steps = 0; p < end && steps < 128; steps++) {
            int len = q.getByte(p) & 0xff;
            if (len == 0) return p + 1;
            if ((len & 0xc0) == 0xc0) return p + 2 <= end ? p + 2 : -1;
            if ((len & 0xc0) != 0) return -1;
            p += 1 + len;
        }
        return -1;
    }

    private static int u16(DirectBuffer b, int off) { return b.getShort(off, BE) & 0xffff; }
}
