package io.calisto.examples.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DnsResponderTest {
    static final Zone ZONE = Zone.parse(List.of(
        "; test zone",
        "$ORIGIN example.com.",
        "$TTL 300",
        "@            A     192.0.2.1",
        "www      60  IN A  192.0.2.10   ; two A records",
        "www      60  A     192.0.2.11",
        "             AAAA  2001:db8::10",
        "v6only       AAAA  2001:db8::6",
        "a.deep       A     192.0.2.99",
        "Mail.EXAMPLE.com. IN 120 A 192.0.2.25"), "test-zone");

    final DnsResponder dns = new DnsResponder(ZONE);
    final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);

    /** A query as dig sends it: ID, flags (RD), one question, optionally an OPT record (EDNS version {@code edns}). */
    static byte[] query(int id, int flags, String name, int type, int qclass, int edns) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        short16(b, id);
        short16(b, flags);
        short16(b, 1);
        short16(b, 0);
        short16(b, 0);
        short16(b, edns >= 0 ? 1 : 0);
        for (String l : name.split("\\.")) {
            b.write(l.length());
            b.writeBytes(l.getBytes());
        }
        b.write(0);
        short16(b, type);
        short16(b, qclass);
        if (edns >= 0) b.writeBytes(new byte[] {0, 0, 41, 0x04, (byte) 0xd0, 0, (byte) edns, 0, 0, 0, 0});
        return b.toByteArray();
    }

    static void short16(ByteArrayOutputStream b, int v) {
        b.write(v >>> 8);
        b.write(v);
    }

    int respond(byte[] q) {
        return dns.respond(new UnsafeBuffer(q), 0, q.length, out, 0, 1500);
    }

    int u16(int off) { return out.getShort(off, ByteOrder.BIG_ENDIAN) & 0xffff; }

    /** The answers' addresses (A: dotted, AAAA: 16 hex bytes), checking every record's shape on the way. */
    List<String> answers(int questionEnd, int count) {
        List<String> got = new ArrayList<>();
        int p = questionEnd;
        for (int i = 0; i < count; i++) {
            assertEquals(0xc00c, u16(p), "owner points at the question's name");
            int type = u16(p + 2), rdlen = u16(p + 10);
            assertEquals(1, u16(p + 4), "class IN");
            byte[] rd = new byte[rdlen];
            out.getBytes(p + 12, rd);
            got.add(type == 1 ? (rd[0] & 0xff) + "." + (rd[1] & 0xff) + "." + (rd[2] & 0xff) + "." + (rd[3] & 0xff) + "/" + out.getInt(p + 6, ByteOrder.BIG_ENDIAN)
                : HexFormat.of().formatHex(rd) + "/" + out.getInt(p + 6, ByteOrder.BIG_ENDIAN));
            p += 12 + rdlen;
        }
        return got;
    }

    @Test
    void answersTheQueryDigSent() {
        byte[] frame = UdpFramesTest.DIG_QUERY;
        byte[] q = Arrays.copyOfRange(frame, 42, frame.length);
        int n = respond(q);
        int questionEnd = 12 + 17 + 4;
        assertEquals(0xe516, u16(0), "ID");
        assertEquals(0x8500, u16(2), "QR, AA, RD copied, NOERROR");
        assertEquals(DnsResponder.NOERROR, dns.lastRcode());
        assertEquals(List.of(1, 2, 0, 1), List.of(u16(4), u16(6), u16(8), u16(10)), "one question, two answers, an OPT");
        byte[] question = new byte[17 + 4];
        out.getBytes(12, question);
        assertArrayEquals(Arrays.copyOfRange(q, 12, 12 + 21), question, "the question echoed as sent (case kept)");
        assertEquals(List.of("192.0.2.10/60", "192.0.2.11/60"), answers(questionEnd, 2));
        int opt = questionEnd + 2 * 16;
        assertEquals(0, out.getByte(opt));
        assertEquals(41, u16(opt + 1));
        assertEquals(DnsResponder.MAX_UDP, u16(opt + 3));
        assertEquals(opt + 11, n);
    }

    @Test
    void aaaaAnyAndCaseInsensitiveNames() {
        int n = respond(query(7, 0x0100, "WWW.example.COM", 28, 1, -1));
        assertEquals(0x8500, u16(2));
        assertEquals(1, u16(6));
        assertEquals(0, u16(10), "no OPT without one in the query");
        assertEquals(List.of("20010db8000000000000000000000010/300"), answers(12 + 17 + 4, 1));
        assertEquals(12 + 21 + 28, n);

        respond(query(8, 0, "mail.example.com", 1, 1, 0));
        assertEquals(0x8400, u16(2), "RD not set in the query: not in the reply");
        assertEquals(List.of("192.0.2.25/120"), answers(12 + 18 + 4, 1));

        respond(query(9, 0, "www.example.com", 255, 1, 0));
        assertEquals(List.of("192.0.2.10/60", "192.0.2.11/60", "20010db8000000000000000000000010/300"), answers(12 + 17 + 4, 3));

        respond(query(10, 0, "example.com", 1, 1, 0));
        assertEquals(List.of("192.0.2.1/300"), answers(12 + 13 + 4, 1), "the apex");
    }

    @Test
    void noDataNxDomainAndRefused() {
        respond(query(11, 0x0100, "v6only.example.com", 1, 1, 0));
        assertEquals(0x8500, u16(2), "NODATA: NOERROR, authoritative");
        assertEquals(0, u16(6));

        respond(query(12, 0x0100, "deep.example.com", 1, 1, 0));
        assertEquals(0x8500, u16(2), "an empty non-terminal is NODATA, not NXDOMAIN");
        assertEquals(0, u16(6));

        respond(query(13, 0x0100, "www.example.com", 15, 1, 0));
        assertEquals(0x8500, u16(2), "MX of a name we have: NODATA");

        int n = respond(query(14, 0x0100, "nope.example.com", 1, 1, 0));
        assertEquals(0x8503, u16(2), "NXDOMAIN, authoritative");
        assertEquals(DnsResponder.NXDOMAIN, dns.lastRcode());
        assertEquals(List.of(1, 0, 0, 1), List.of(u16(4), u16(6), u16(8), u16(10)));
        assertEquals(12 + 18 + 4 + 11, n);

        respond(query(15, 0x0100, "www.example.org", 1, 1, 0));
        assertEquals(0x8105, u16(2), "outside the zone: REFUSED, AA clear");
        assertEquals(15, u16(0));
        assertEquals(1, u16(4), "question echoed");

        respond(query(16, 0x0100, "notexample.com", 1, 1, 0));
        assertEquals(DnsResponder.REFUSED, dns.lastRcode(), "a suffix that is not at a label boundary is outside");

        respond(query(17, 0x0100, "www.example.com", 1, 3, 0));
        assertEquals(DnsResponder.REFUSED, dns.lastRcode(), "class CH");

        respond(query(18, 0, "example.com", 252, 1, 0));
        assertEquals(DnsResponder.NOTIMP, dns.lastRcode(), "AXFR over UDP");
    }

    @Test
    void notImpFormErrBadVersAndDrops() {
        byte[] notify = query(20, 4 << 11, "example.com", 6, 1, -1);
        respond(notify);
        assertEquals(0x8000 | 4 << 11 | DnsResponder.NOTIMP, u16(2), "opcode NOTIFY: NOTIMP, opcode echoed");
        assertEquals(1, u16(4));

        byte[] two = query(21, 0, "www.example.com", 1, 1, -1);
        two[5] = 2;
        int n = respond(two);
        assertEquals(0x8001, u16(2), "QDCOUNT 2: FORMERR");
        assertEquals(List.of(21, 0, 0, 0, 0), List.of(u16(0), u16(4), u16(6), u16(8), u16(10)), "header only");
        assertEquals(12, n);

        byte[] cut = Arrays.copyOf(query(22, 0, "www.example.com", 1, 1, -1), 20);
        respond(cut);
        assertEquals(DnsResponder.FORMERR, dns.lastRcode(), "name cut short");

        byte[] compressed = query(23, 0, "www.example.com", 1, 1, -1);
        compressed[12] = (byte) 0xc0;
        respond(compressed);
        assertEquals(DnsResponder.FORMERR, dns.lastRcode(), "compression in the question");

        byte[] badOpt = query(24, 0, "www.example.com", 1, 1, 0);
        respond(Arrays.copyOf(badOpt, badOpt.length - 3));
        assertEquals(DnsResponder.FORMERR, dns.lastRcode(), "OPT record cut short");

        respond(query(25, 0, "www.example.com", 1, 1, 1));
        assertEquals(DnsResponder.BADVERS, dns.lastRcode());
        assertEquals(0x8000, u16(2), "BADVERS: header RCODE 0 ...");
        assertEquals(1, out.getByte(12 + 21 + 5), "... extended RCODE 1 in the OPT");
        assertEquals(0, u16(6));

        byte[] response = query(26, 0x8000, "www.example.com", 1, 1, -1);
        assertEquals(DnsResponder.DROP, respond(response), "a response is never answered");
        assertEquals(DnsResponder.DROP, respond(new byte[11]));
        assertEquals(DnsResponder.DROP, dns.lastRcode());
    }

    @Test
    void truncatesWhatDoesNotFit() {
        List<String> lines = new ArrayList<>(List.of("$ORIGIN big.test."));
        for (int i = 0; i < 40; i++) lines.add("many AAAA 2001:db8::" + Integer.toHexString(i + 1));
        DnsResponder big = new DnsResponder(Zone.parse(lines, "big"));
        byte[] q = query(30, 0, "many.big.test", 28, 1, -1);
        int n = big.respond(new UnsafeBuffer(q), 0, q.length, out, 0, 1500);
        assertTrue((u16(2) & 0x0200) != 0, "TC: 40 AAAA records (1120 bytes) exceed 512 without EDNS");
        assertEquals(0, u16(6));
        assertEquals(q.length, n);
        q = query(31, 0, "many.big.test", 28, 1, 0);
        n = big.respond(new UnsafeBuffer(q), 0, q.length, out, 0, 1500);
        assertEquals(0, u16(2) & 0x0200, "with EDNS (1232) they fit");
        assertEquals(40, u16(6));
        assertEquals(12 + 15 + 4 + 40 * 28 + 11, n);
    }
}
