package io.calisto.io.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.pcap.PcapFormatException;
import io.calisto.io.pcap.PcapReader;
import io.calisto.io.pcap.PcapWriter;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapPortTest {
    @TempDir Path dir;

    /** Frames 60, 61, 62 bytes long, frame i filled with byte i + 1. */
    Path capture(int frames) {
        Path file = dir.resolve("in.pcap");
        try (PcapWriter w = new PcapWriter(file, false)) {
            for (int i = 0; i < frames; i++) w.write(new UnsafeBuffer(frame(i)), 0, 60 + i, 1_000_000L * i);
        }
        return file;
    }

    static byte[] frame(int i) {
        byte[] f = new byte[60 + i];
        java.util.Arrays.fill(f, (byte) (i + 1));
        return f;
    }

    static byte[] bytes(RxBatch b, int i) {
        byte[] a = new byte[b.length(i)];
        b.frame(i).getBytes(0, a);
        return a;
    }

    @Test
    void replaysTheCaptureLoopsTimesStampedWithTheLoopClock() {
        try (PcapPort port = PcapPort.open(capture(3), null, 2)) {
            assertEquals("pcap:in.pcap", port.name());
            RxBatch batch = new RxBatch(4);
            assertEquals(4, port.receive(batch, 123));
            assertEquals(4, batch.count());
            int[] expected = {0, 1, 2, 0};
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(frame(expected[i]), bytes(batch, i));
                assertEquals(123, batch.rxNanos(i), "the capture's own timestamps are not the rx time");
                assertFalse(batch.rssValid(i));
            }
            assertFalse(port.exhausted());
            assertEquals(2, port.receive(batch, 456));
            assertArrayEquals(frame(1), bytes(batch, 0));
            assertArrayEquals(frame(2), bytes(batch, 1));
            assertEquals(456, batch.rxNanos(1));
            assertTrue(port.exhausted());
            assertEquals(0, port.receive(batch, 789));
            assertEquals(0, batch.count());
            assertEquals(6, port.received());
        }
    }

    @Test
    void exhaustionIsSeenOnTheCallThatFindsTheEnd() {
        try (PcapPort port = PcapPort.open(capture(3), null, 1)) {
            RxBatch batch = new RxBatch(3);
            assertEquals(3, port.receive(batch, 0));
            assertFalse(port.exhausted(), "the reader has not looked past the last record yet");
            assertEquals(0, port.receive(batch, 0));
            assertTrue(port.exhausted());
        }
    }

    @Test
    void anEmptyCaptureIsExhaustedAtOnceWhateverTheLoops() {
        try (PcapPort port = PcapPort.open(capture(0), null, 1000)) {
            assertEquals(0, port.receive(new RxBatch(8), 0));
            assertTrue(port.exhausted());
        }
    }

    @Test
    void transmittedFramesGoToTheOutputCaptureOrAreCounted() {
        Path out = dir.resolve("out.pcap");
        TxBatch tx = new TxBatch(4);
        tx.add(new UnsafeBuffer(frame(5)), 0, 65);
        tx.add(new UnsafeBuffer(frame(9)), 0, 69);
        try (PcapPort port = PcapPort.open(capture(1), out, 1)) {
            assertEquals(2, port.transmit(tx));
            assertEquals(2, port.transmitted());
        }
        UnsafeBuffer dst = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(out)) {
            assertEquals(65, r.next(dst));
            byte[] got = new byte[65];
            dst.getBytes(0, got);
            assertArrayEquals(frame(5), got);
            assertEquals(69, r.next(dst));
            assertEquals(10, dst.getByte(68));
            assertEquals(-1, r.next(dst));
        }
        try (PcapPort discard = PcapPort.open(capture(1), null, 1)) {
            assertEquals(2, discard.transmit(tx));
            assertEquals(2, discard.transmit(tx));
            assertEquals(4, discard.transmitted());
        }
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Path in = capture(1);
        assertEquals("pcap loops must be >= 1, was 0", assertThrows(IllegalArgumentException.class, () -> PcapPort.open(in, null, 0)).getMessage());
        assertEquals("capture not found: " + dir.resolve("nope.pcap"),
            assertThrows(PcapFormatException.class, () -> PcapPort.open(dir.resolve("nope.pcap"), null, 1)).getMessage());
    }

    /** A bad record in the middle of a burst: the good records of that burst are received, then the port stops. */
    @Test
    void aBadRecordEndsTheReplayAfterTheGoodRecordsOfItsBurst() throws Exception {
        Path in = capture(3);
        byte[] all = java.nio.file.Files.readAllBytes(in);
        java.nio.file.Files.write(in, java.util.Arrays.copyOf(all, all.length - 5)); // the 3rd record is cut short
        try (PcapPort port = PcapPort.open(in, null, 5)) {
            RxBatch batch = new RxBatch(8);
            assertEquals(2, port.receive(batch, 0));
            assertArrayEquals(frame(1), bytes(batch, 1));
            assertTrue(port.exhausted());
            assertEquals("capture " + in + ": record 3 at byte " + (24 + 16 + 60 + 16 + 61) + ": truncated record (needs 62 bytes, has 57)",
                port.failure());
            assertEquals(0, port.receive(batch, 0), "no looping over, nor reading past, a bad record");
            assertEquals(2, port.received());
        }
    }

    @Test
    void aWholeCaptureIsNoFailure() {
        try (PcapPort port = PcapPort.open(capture(3), null, 2)) {
            RxBatch batch = new RxBatch(8);
            assertEquals(6, port.receive(batch, 0));
            assertEquals(0, port.receive(batch, 0));
            assertTrue(port.exhausted());
            assertEquals(null, port.failure());
        }
    }

    /** A frame longer than a slot: the slot holds its first bytes, its length is the whole (the IO core calls it too-large). */
    @Test
    void aFrameLongerThanASlotKeepsItsWholeLength() {
        Path file = dir.resolve("big.pcap");
        try (PcapWriter w = new PcapWriter(file, false)) {
            w.write(new UnsafeBuffer(new byte[3060]), 0, 3060, 0);
            w.write(new UnsafeBuffer(frame(0)), 0, 60, 0);
        }
        try (PcapPort port = PcapPort.open(file, null, 1)) {
            RxBatch batch = new RxBatch(4);
            assertEquals(2, port.receive(batch, 0));
            assertEquals(3060, batch.length(0));
            assertArrayEquals(frame(0), bytes(batch, 1));
        }
    }

    @Test
    void theOutputCaptureMustNotBeTheInput() throws Exception {
        Path in = capture(1);
        byte[] before = java.nio.file.Files.readAllBytes(in);
        assertEquals("--pcap-out " + in + " is the input capture: it would be overwritten",
            assertThrows(IllegalArgumentException.class, () -> PcapPort.open(in, in, 1)).getMessage());
        Path other = dir.resolve("sub").resolve("..").resolve("in.pcap");
        java.nio.file.Files.createDirectories(dir.resolve("sub"));
        assertThrows(IllegalArgumentException.class, () -> PcapPort.open(in, other, 1));
        assertArrayEquals(before, java.nio.file.Files.readAllBytes(in));
    }
}
