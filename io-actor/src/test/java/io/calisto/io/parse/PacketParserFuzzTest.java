package io.calisto.io.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.calisto.aeron.DropReason;
import io.calisto.io.rss.Toeplitz;
import java.util.Arrays;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The IO core's parse step on arbitrary frames. Contract: the parser reads nothing outside {@code frame[0..length)}
 * (the frame sits in a buffer of exactly its length, whose bounds checks throw on any read past it, and the same bytes
 * followed by garbage give the same answer), it never throws, and it either accepts the frame with consistent offsets
 * (hashable) or names one of its three drop reasons. Seeds and findings: {@code PacketParserFuzzTestInputs/}.
 * {@code ./mvnw verify} runs them; {@code JAZZER_FUZZ=1} fuzzes (README, "Fuzzing").
 */
class PacketParserFuzzTest {
    private static final Set<DropReason> PARSER_REASONS = Set.of(DropReason.NOT_IP, DropReason.TRUNCATED, DropReason.MALFORMED);
    private static final Toeplitz TOEPLITZ = new Toeplitz(Toeplitz.MICROSOFT_KEY);
    private final ParsedPacket exact = new ParsedPacket();
    private final ParsedPacket padded = new ParsedPacket();

    @FuzzTest(maxDuration = "10s")
    void parsesWithinTheFrameAndClassifiesEveryFrame(byte[] frame) {
        DropReason r = PacketParser.parse(new UnsafeBuffer(frame), frame.length, exact);

        byte[] more = Arrays.copyOf(frame, frame.length + 64);
        Arrays.fill(more, frame.length, more.length, (byte) 0xa5);
        DropReason again = PacketParser.parse(new UnsafeBuffer(more), frame.length, padded);
        assertEquals(r, again, "bytes after the frame changed the verdict");
        assertEquals(fields(exact), fields(padded), "bytes after the frame changed what was parsed");

        if (r != null) {
            assertTrue(PARSER_REASONS.contains(r), "not a parser drop reason: " + r);
            return;
        }
        assertTrue(exact.ipVersion == 4 || exact.ipVersion == 6, "accepted without an IP version");
        assertTrue(exact.l3Offset >= 14 && exact.l3Offset <= 22, "l3 offset " + exact.l3Offset);
        int l3Header = exact.ipVersion == 4 ? 20 : 40;
        assertTrue(exact.l3Offset + l3Header <= frame.length, "accepted an IP header past the frame");
        if (exact.hasPorts) {
            int l4Header = exact.protocol == ParsedPacket.PROTO_TCP ? 20 : 8;
            assertTrue(exact.protocol == ParsedPacket.PROTO_TCP || exact.protocol == ParsedPacket.PROTO_UDP, "ports of protocol " + exact.protocol);
            assertTrue(exact.l4Offset >= exact.l3Offset + l3Header && exact.l4Offset + l4Header <= frame.length, "l4 header outside the frame");
        }
        TOEPLITZ.hash(exact); // what the IO core does next; reads only parsed fields
    }

    private static String fields(ParsedPacket p) {
        return p.ipVersion + " " + p.dstMac + " " + p.srcMac + " " + p.vlan + " " + p.srcIpHi + " " + p.srcIpLo + " " + p.dstIpHi + " "
            + p.dstIpLo + " " + p.protocol + " " + p.hasPorts + " " + p.srcPort + " " + p.dstPort + " " + p.l3Offset + " " + p.l4Offset;
    }
}
