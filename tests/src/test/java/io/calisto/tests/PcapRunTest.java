package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.pcap.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calisto run --pcap} on captures a careless or hostile user hands it (issue 14, "Captures" and "Frames"). */
class PcapRunTest {
    @TempDir Path dir;

    /** An IPv4/UDP frame to port 7 (the echo app's) of {@code frameLen} bytes whose IP header claims {@code ipTotal}. */
    static byte[] udp(int frameLen, int ipTotal, int srcPort) {
        byte[] f = new byte[frameLen];
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipTotal).putShort((short) 0).putShort((short) 0)
            .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0x0a000001).putInt(0x0a000002);
        b.putShort((short) srcPort).putShort((short) 7).putShort((short) (ipTotal - 20)).putShort((short) 0);
        return f;
    }

    Path capture(String name, byte[]... frames) {
        Path file = dir.resolve(name);
        try (PcapWriter w = new PcapWriter(file, false)) {
            for (int i = 0; i < frames.length; i++) w.write(new UnsafeBuffer(frames[i]), 0, frames[i].length, i);
        }
        return file;
    }



    Path fiveValid() {
        byte[][] frames = new byte[5][];
        for (int i = 0; i < 5; i++) frames[i] = udp(100, 86, 1000 + i);
        return capture("five.pcap", frames);
    }

    static void assertOneLine(CliTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(expected, r.err().strip());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    /** A 1 GB claimed length after 5 good records (all in one burst): the 5 are counted, then exit 2 and one line. */
    @Test
    void aLyingLengthStopsTheRunWithOneLineAfterCountingEveryRecordBeforeIt() throws Exception {
        Path file = fiveValid();
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.write(Files.readAllBytes(file));
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(9).putInt(0).putInt(1 << 30).putInt(1 << 30);
        bad.write(h.array());
        for (int i = 0; i < 50; i++) bad.write(new byte[16]); // zeros after it: never read as (zero-length) records
        Files.write(file, bad.toByteArray());
        CliTest.Result r = CliTest.cli("run", "--pcap", file.toString(), "--duration", "10s");
        assertOneLine(r, "calisto: capture " + file + ": record 6 at byte " + (24 + 5 * 116) + ": bad captured length 1073741824 (more than 262144)");
        assertTrue(r.out().contains("received     5\n"), r.out());
        assertTrue(r.out().contains("replies      5"), r.out());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
    }

    /** Cut inside the 4th record: 3 counted, then the one line. */
    @Test
    void aTruncatedCaptureStopsTheRunWithOneLine() throws Exception {
        Path file = fiveValid();
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, 24 + 3 * 116 + 16 + 40));
        CliTest.Result r = CliTest.cli("run", "--pcap", file.toString(), "--duration", "10s");
        assertOneLine(r, "calisto: capture " + file + ": record 4 at byte " + (24 + 3 * 116) + ": truncated record (needs 100 bytes, has 40)");
        assertTrue(r.out().contains("received     3\n"), r.out());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
    }

    @Test
    void aBadGlobalHeaderIsOneLineBeforeAnythingStarts() throws Exception {
        Path file = dir.resolve("random.pcap");
        byte[] junk = new byte[4096];
        new java.util.Random(14).nextBytes(junk);
        junk[0] = 0x12;
        Files.write(file, junk);
        CliTest.Result r = CliTest.cli("run", "--pcap", file.toString(), "--duration", "10s");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("calisto: " + file + ": not a pcap file (magic 0x12"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out(), "nothing started");
    }

    @Test
    void theInputCaptureIsNeverTheOutput() throws Exception {
        Path file = fiveValid();
        byte[] before = Files.readAllBytes(file);
        for (String out : new String[] {file.toString(), dir.resolve(".").resolve("five.pcap").toString()}) {
            CliTest.Result r = CliTest.cli("run", "--pcap", file.toString(), "--pcap-out", out, "--duration", "10s");
            assertOneLine(r, "calisto: --pcap-out " + out + " is the input capture: it would be overwritten");
            assertEquals("", r.out(), "nothing started");
        }
        Path link = dir.resolve("link.pcap");
        Files.createSymbolicLink(link, file);
        assertEquals(2, CliTest.cli("run", "--pcap", file.toString(), "--pcap-out", link.toString(), "--duration", "10s").code());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    /** A 3,060-byte frame whose IP header claims 100 bytes: too-large (not cut to 2048 and echoed, nor truncated). */
    @Test
    void aFrameOverMaxFrameIsTooLargeNotCutAndEchoed() {
        Path file = capture("big.pcap", udp(3060, 100, 1000), udp(3060, 3046, 1001), udp(100, 86, 1002));
        Path out = dir.resolve("out.pcap");
        CliTest.Result r = CliTest.cli("run", "--pcap", file.toString(), "--pcap-out", out.toString(), "--duration", "10s");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("received     3\n"), r.out());
        assertTrue(r.out().contains("  too-large     2 "), r.out());
        assertFalse(r.out().contains("truncated"), r.out());
        assertTrue(r.out().contains("replies      1 "), r.out());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
    }

    /** {@code flows} agrees with {@code run}: the same frames are too-large, and make no flow. */
    @Test
    void flowsCountsTheSameFramesTooLarge() {
        Path file = capture("big.pcap", udp(3060, 100, 1000), udp(3060, 3046, 1001), udp(100, 86, 1002));
        CliTest.Result r = CliTest.cli("flows", "--pcap", file.toString(), "--format", "table");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 flows"), r.out());
        assertTrue(r.out().contains("dropped too-large: 2"), r.out());
        assertFalse(r.out().contains("truncated"), r.out());
    }
}
