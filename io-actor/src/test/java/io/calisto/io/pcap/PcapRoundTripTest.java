package io.calisto.io.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PcapRoundTripTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeThenReadGivesTheSameFramesAndTimestamps(boolean nanos) {
        Path file = dir.resolve("rt.pcap");
        byte[][] frames = {new byte[60], new byte[1514], new byte[100]};
        for (int i = 0; i < frames.length; i++) for (int j = 0; j < frames[i].length; j++) frames[i][j] = (byte) (i * 31 + j);
        long[] ts = {1_700_000_000_123_456_789L, 1_700_000_001_000_000_001L, 5_000L};
        try (PcapWriter w = new PcapWriter(file, nanos)) {
            for (int i = 0; i < frames.length; i++) w.write(new UnsafeBuffer(frames[i]), 0, frames[i].length, ts[i]);
        }
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(nanos, r.nanosecondTimestamps());
            for (int i = 0; i < frames.length; i++) {
                int len = r.next(dst);
                assertEquals(frames[i].length, len);
                byte[] got = new byte[len];
                dst.getBytes(0, got);
                assertArrayEquals(frames[i], got);
                assertEquals(nanos ? ts[i] : ts[i] / 1000 * 1000, r.lastTimestampNanos());
            }
            assertEquals(-1, r.next(dst));
        }
    }

    /** Captures written on a big-endian machine (or by a tool that keeps the host order), micro- and nanosecond. */
    @ParameterizedTest
    @ValueSource(ints = {0xa1b2c3d4, 0xa1b23c4d})
    void readsBigEndianCaptures(int magic) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24 + 2 * (16 + 4)).order(ByteOrder.BIG_ENDIAN);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(10).putInt(20).putInt(4).putInt(60).putInt(0xdeadbeef);
        b.putInt(0xfffffff0).putInt(999_999).putInt(4).putInt(4).putInt(0x01020304); // seconds past 2^31: unsigned
        Path file = dir.resolve("be.pcap");
        Files.write(file, b.array());
        UnsafeBuffer dst = new UnsafeBuffer(new byte[64]);
        boolean nanos = magic == 0xa1b23c4d;
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(nanos, r.nanosecondTimestamps());
            assertEquals(4, r.next(dst));
            assertEquals(0xdeadbeef, dst.getInt(0, ByteOrder.BIG_ENDIAN));
            assertEquals(nanos ? 10_000_000_020L : 10_000_020_000L, r.lastTimestampNanos());
            assertEquals(60, r.lastOriginalLength());
            assertEquals(4, r.next(dst));
            assertEquals(0x01020304, dst.getInt(0, ByteOrder.BIG_ENDIAN));
            assertEquals(0xfffffff0L * 1_000_000_000L + (nanos ? 999_999L : 999_999_000L), r.lastTimestampNanos());
            assertEquals(-1, r.next(dst));
        }
    }

    @Test
    void aRecordLargerThanTheBufferIsCutToItAndTheNextRecordStillLines() {
        Path file = dir.resolve("big.pcap");
        byte[] big = new byte[3000];
        java.util.Arrays.fill(big, (byte) 7);
        try (PcapWriter w = new PcapWriter(file, true)) {
            w.write(new UnsafeBuffer(big), 0, big.length, 1);
            w.write(new UnsafeBuffer(new byte[] {1, 2, 3, 4, 5, 6}), 0, 6, 2);
            assertEquals(2, w.records());
        }
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(2048, r.next(dst));
            assertEquals(3000, r.lastOriginalLength());
            assertEquals(6, r.next(dst));
            assertEquals(5, dst.getByte(4));
            assertEquals(2, r.lastTimestampNanos());
        }
    }

    @Test
    void badFilesGiveOneLineReasons() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "this is not a capture, just some text....");
        assertEquals(text + ": not a pcap file (magic 0x74686973)", assertThrows(PcapFormatException.class, () -> PcapReader.open(text)).getMessage());
        Path tiny = dir.resolve("tiny.pcap");
        Files.write(tiny, new byte[3]);
        assertTrue(assertThrows(PcapFormatException.class, () -> PcapReader.open(tiny)).getMessage().endsWith("shorter than a pcap header)"));
        assertEquals("capture not found: " + dir.resolve("missing.pcap"),
            assertThrows(PcapFormatException.class, () -> PcapReader.open(dir.resolve("missing.pcap"))).getMessage());
        Path cut = dir.resolve("cut.pcap");
        try (PcapWriter w = new PcapWriter(cut, false)) {
            w.write(new UnsafeBuffer(new byte[100]), 0, 100, 0);
        }
        byte[] all = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        try (PcapReader r = PcapReader.open(cut)) {
            assertEquals("capture " + cut + ": record 1 at byte 24: truncated record (needs 100 bytes, has 90)",
                assertThrows(PcapFormatException.class, () -> r.next(new UnsafeBuffer(new byte[2048]))).getMessage());
        }
        Files.write(cut, java.util.Arrays.copyOf(all, 24 + 16 + 100 + 9)); // one whole record, then 9 bytes of the next header
        try (PcapReader r = PcapReader.open(cut)) {
            UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
            assertEquals(100, r.next(dst));
            assertEquals("capture " + cut + ": record 2 at byte 140: truncated record header (9 of 16 bytes)",
                assertThrows(PcapFormatException.class, () -> r.next(dst)).getMessage());
        }
        Path ng = dir.resolve("x.pcapng");
        Files.write(ng, new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, 28, 0, 0, 0});
        assertEquals(ng + ": pcapng is not supported; convert it with: editcap -F pcap in.pcapng out.pcap",
            assertThrows(PcapFormatException.class, () -> PcapReader.open(ng)).getMessage());
        Path linux = dir.resolve("sll.pcap");
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        g.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(113);
        Files.write(linux, g.array());
        assertEquals(linux + ": unsupported link type 113 (only Ethernet, 1)", assertThrows(PcapFormatException.class, () -> PcapReader.open(linux)).getMessage());
    }

    /** Found by PcapReaderFuzzTest: a refused header left the file open, one descriptor per bad capture. */
    @Test
    void aRefusedHeaderClosesTheFile() throws Exception {
        Path empty = dir.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        Path text = dir.resolve("text.pcap");
        Files.writeString(text, "this is not a capture, just some text....");
        long before = openFiles();
        for (int i = 0; i < 50; i++) {
            assertThrows(PcapFormatException.class, () -> PcapReader.open(empty));
            assertThrows(PcapFormatException.class, () -> PcapReader.open(text));
        }
        // a leak holds 100 descriptors; the JVM itself may open or close one or two meanwhile (a jar, a class file)
        long after = openFiles();
        assertTrue(after - before < 10, "descriptors before " + before + ", after 100 refused opens " + after);
    }

    private static long openFiles() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Three 100-byte records (the file is 24 + 3 * 116 bytes). */
    byte[] threeRecords() throws Exception {
        Path file = dir.resolve("three.pcap");
        try (PcapWriter w = new PcapWriter(file, false)) {
            for (int i = 0; i < 3; i++) w.write(new UnsafeBuffer(new byte[100]), 0, 100, i);
        }
        return Files.readAllBytes(file);
    }

    /** Cut at every offset past the header: the whole records before the cut, then the end or one error, never more. */
    @Test
    void aCaptureCutAtAnyOffsetGivesTheWholeRecordsBeforeTheCutThenStops() throws Exception {
        byte[] all = threeRecords();
        Path cut = dir.resolve("cut.pcap");
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        for (int length = 24; length <= all.length; length++) {
            Files.write(cut, java.util.Arrays.copyOf(all, length));
            int whole = (length - 24) / 116;
            try (PcapReader r = PcapReader.open(cut)) {
                for (int i = 0; i < whole; i++) assertEquals(100, r.next(dst), "cut at " + length);
                if ((length - 24) % 116 == 0) {
                    assertEquals(-1, r.next(dst), "cut at " + length);
                } else {
                    String m = assertThrows(PcapFormatException.class, () -> r.next(dst), "cut at " + length).getMessage();
                    assertTrue(m.startsWith("capture " + cut + ": record " + (whole + 1) + " at byte " + (24 + whole * 116) + ": truncated record"), m);
                    assertEquals(m, assertThrows(PcapFormatException.class, () -> r.next(dst)).getMessage(), "it stops: no re-synchronising");
                }
            }
        }
    }

    /** A claimed length over the snaplen or over libpcap's maximum is an error before anything is read or allocated. */
    @ParameterizedTest
    @ValueSource(ints = {65536, 262145, 1 << 30, -1})
    void aLyingLengthIsAnErrorAndTheReaderStopsThere(int claimed) throws Exception {
        byte[] all = threeRecords();
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 116 + 8, claimed); // the 2nd record's incl_len
        Path file = dir.resolve("lying.pcap");
        Files.write(file, all);
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(100, r.next(dst));
            String m = assertThrows(PcapFormatException.class, () -> r.next(dst)).getMessage();
            String more = claimed == 65536 ? "more than the snaplen 65535" : "more than 262144";
            assertEquals("capture " + file + ": record 2 at byte 140: bad captured length " + Integer.toUnsignedString(claimed) + " (" + more + ")", m);
            assertEquals(m, assertThrows(PcapFormatException.class, () -> r.next(dst)).getMessage(), "the 3rd record is never read");
            assertEquals(1, r.records());
        }
    }

    /** Random bytes after a valid header: records or one error, bounded, never another exception. */
    @Test
    void randomBytesAfterAHeaderEndInOneErrorOrTheEnd() throws Exception {
        java.util.Random random = new java.util.Random(14);
        Path file = dir.resolve("random.pcap");
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        for (int round = 0; round < 200; round++) {
            byte[] all = threeRecords();
            byte[] junk = new byte[random.nextInt(600)];
            random.nextBytes(junk);
            System.arraycopy(junk, 0, all, 24, Math.min(junk.length, all.length - 24));
            Files.write(file, all);
            try (PcapReader r = PcapReader.open(file)) {
                for (int n = 0; n < 100; n++) {
                    try {
                        if (r.next(dst) < 0) break;
                    } catch (PcapFormatException e) {
                        assertTrue(e.getMessage().startsWith("capture " + file + ": record "), e.getMessage());
                        break;
                    }
                }
            }
        }
    }
}
