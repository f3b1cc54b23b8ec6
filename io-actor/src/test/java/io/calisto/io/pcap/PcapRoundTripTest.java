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

    @Test
    void readsBigEndianCaptures() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 4).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(10).putInt(20).putInt(4).putInt(4).putInt(0xdeadbeef);
        Path file = dir.resolve("be.pcap");
        Files.write(file, b.array());
        UnsafeBuffer dst = new UnsafeBuffer(new byte[64]);
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(4, r.next(dst));
            assertEquals(0xdeadbeef, dst.getInt(0, ByteOrder.BIG_ENDIAN));
            assertEquals(10_000_020_000L, r.lastTimestampNanos());
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
            assertEquals(cut + ": truncated record at byte 24 (needs 100 bytes)",
                assertThrows(PcapFormatException.class, () -> r.next(new UnsafeBuffer(new byte[2048]))).getMessage());
        }
        Path linux = dir.resolve("sll.pcap");
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        g.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(113);
        Files.write(linux, g.array());
        assertEquals(linux + ": unsupported link type 113 (only Ethernet, 1)", assertThrows(PcapFormatException.class, () -> PcapReader.open(linux)).getMessage());
    }
}
