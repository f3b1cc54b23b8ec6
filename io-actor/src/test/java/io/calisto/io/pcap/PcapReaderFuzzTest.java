package io.calisto.io.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link PcapReader} on arbitrary file contents. Contract: it returns exactly the records a plain reading of the format
 * finds (compared with {@link #expected}, written from the pcap format, not from the reader), then either the end of
 * the file or one {@link PcapFormatException} with a one-line message naming the capture, which every later call
 * repeats; it never reads past a bad record, never throws anything else and leaves no file open. Seeds and findings:
 * {@code PcapReaderFuzzTestInputs/}; README, "Fuzzing".
 */
class PcapReaderFuzzTest {
    private static final int SLOT = 2048; // the rx slot a pcap port copies into
    private static final Path FILE = tempFile();
    private final UnsafeBuffer dst = new UnsafeBuffer(new byte[SLOT]);

    @FuzzTest(maxDuration = "10s")
    void readsTheValidRecordsThenEndsOrFailsInOneLine(byte[] capture) throws IOException {
        Files.write(FILE, capture);
        Expected want = expected(capture);
        long fds = openFiles();
        List<byte[]> got = new ArrayList<>();
        PcapFormatException error = null;
        try (PcapReader r = PcapReader.open(FILE)) {
            try {
                for (int n; (n = r.next(dst)) >= 0; ) {
                    assertTrue(n <= SLOT && n == Math.min(r.lastCapturedLength(), SLOT), "copied " + n + " of " + r.lastCapturedLength());
                    byte[] b = new byte[n];
                    dst.getBytes(0, b);
                    got.add(b);
                    assertEquals(got.size(), r.records());
                }
            } catch (PcapFormatException e) {
                error = e;
                try {
                    r.next(dst);
                    fail("read on after " + e.getMessage());
                } catch (PcapFormatException again) {
                    assertSame(e, again, "a second call must repeat the first error");
                }
                assertTrue(e.getMessage().startsWith("capture " + FILE + ": record " + (got.size() + 1) + " at byte "), e.getMessage());
            }
        } catch (PcapFormatException e) {
            assertTrue(want.headerBad, "header refused but a reading of the format accepts it: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(FILE.toString()), e.getMessage());
            error = e;
        }
        assertEquals(fds, openFiles(), "a file was left open");
        if (error != null) assertFalse(error.getMessage().contains("\n") || error.getMessage().contains("\r"), "not one line: " + error.getMessage());
        assertEquals(want.headerBad || want.recordBad, error != null, "error: " + (error == null ? "none" : error.getMessage()));
        assertEquals(want.records.size(), got.size(), "records read");
        for (int i = 0; i < got.size(); i++) assertArrayEquals(want.records.get(i), got.get(i), "record " + (i + 1));
    }

    /** What a capture holds by the format: record bytes (cut to the slot) and whether the header or a record is bad. */
    private record Expected(boolean headerBad, boolean recordBad, List<byte[]> records) {}

    private static Expected expected(byte[] c) {
        List<byte[]> records = new ArrayList<>();
        if (c.length < 24) return new Expected(true, false, records);
        ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt(0);
        if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) b.order(ByteOrder.LITTLE_ENDIAN);
        else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) return new Expected(true, false, records);
        if (b.getInt(20) != 1) return new Expected(true, false, records);
        long snap = Integer.toUnsignedLong(b.getInt(16));
        long limit = snap == 0 ? PcapReader.MAX_RECORD : Math.min(snap, PcapReader.MAX_RECORD);
        int at = 24;
        while (at < c.length) {
            if (c.length - at < 16) return new Expected(false, true, records);
            long caplen = Integer.toUnsignedLong(b.getInt(at + 8));
            if (caplen > limit || c.length - at - 16 < caplen) return new Expected(false, true, records);
            records.add(Arrays.copyOfRange(c, at + 16, at + 16 + (int) Math.min(caplen, SLOT)));
            at += 16 + (int) caplen;
        }
        return new Expected(false, false, records);
    }

    private static long openFiles() {
        return new File("/proc/self/fd").list().length;
    }

    private static Path tempFile() {
        try {
            Path p = Files.createTempFile("pcap-fuzz", ".pcap");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
