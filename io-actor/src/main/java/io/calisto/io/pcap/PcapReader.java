package io.calisto.io.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.MutableDirectBuffer;

/**
 * Reads classic pcap (not pcapng): either byte order, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d)
 * timestamps, Ethernet link type only. One reusable scratch array: no allocation per record.
 *
 * <p>A record's captured length is bounded before anything is read or allocated: by the file's snaplen and by
 * {@link #MAX_RECORD} (what libpcap allows). The first bad record ends the file for good: the reader never goes on to
 * read the bytes after it as records, and every later {@link #next} throws the same error.
 */
public final class PcapReader implements AutoCloseable {
    private static final int MAGIC_US = 0xa1b2c3d4, MAGIC_NS = 0xa1b23c4d, LINKTYPE_ETHERNET = 1;
    /** Largest captured length of a record (libpcap's maximum snaplen). */
    public static final int MAX_RECORD = 262144;

    private final Path path;
    private final InputStream in;
    private final boolean swapped;
    private final boolean nanos;
    private final byte[] header = new byte[16];
    private final int snaplen;
    private byte[] scratch = new byte[65536];
    private long offset = 24;
    private long records;
    private int lastCapturedLength;
    private PcapFormatException failed;
    private long lastTimestampNanos;
    private int lastOriginalLength;

    private PcapReader(Path path) throws IOException {
        this.path = path;
        this.in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        try {
            byte[] g = new byte[24];
            int n = in.readNBytes(g, 0, 24);
            if (n < 24) throw fail("not a pcap file (" + n + " bytes, shorter than a pcap header)");
            int magicBe = be(g, 0);
            int magicLe = Integer.reverseBytes(magicBe);
            if (magicBe == MAGIC_US || magicBe == MAGIC_NS) {
                swapped = false;
                nanos = magicBe == MAGIC_NS;
            } else if (magicLe == MAGIC_US || magicLe == MAGIC_NS) {
                swapped = true;
                nanos = magicLe == MAGIC_NS;
            } else if (magicBe == 0x0a0d0d0a) {
                throw fail("pcapng is not supported; convert it with: editcap -F pcap in.pcapng out.pcap");
            } else {
                throw fail(String.format("not a pcap file (magic 0x%08x)", magicBe));
            }
            int snap = read32(g, 16);
            this.snaplen = snap > 0 && snap < MAX_RECORD ? snap : MAX_RECORD; // 0 or huge: only the hard bound applies
            int link = read32(g, 20);
            if (link != LINKTYPE_ETHERNET) throw fail("unsupported link type " + link + " (only Ethernet, 1)");
        } catch (IOException | RuntimeException e) {
            in.close(); // a refused header must not leave the file open (the fuzzer found the leak: PcapReaderFuzzTest)
            throw e;
        }
    }

    /** Opens {@code path}; a missing or unreadable file or a bad header is a {@link PcapFormatException}. */
    public static PcapReader open(Path path) {
        if (!Files.isRegularFile(path)) throw new PcapFormatException("capture not found: " + path);
        try {
            return new PcapReader(path);
        } catch (IOException e) {
            throw new PcapFormatException("cannot read " + path + ": " + e.getMessage());
        }
    }

    /**
     * Copies the next record into {@code dst} (at most its capacity; the rest of a larger record is skipped) and
     * returns the bytes copied, or -1 at the end of the file. A truncated or implausible record is a
     * {@link PcapFormatException} naming the record and its byte offset; after one, every call throws it again.
     */
    public int next(MutableDirectBuffer dst) {
        if (failed != null) throw failed;
        try {
            int n = in.readNBytes(header, 0, 16);
            if (n == 0) return -1;
            if (n < 16) throw recordFail("truncated record header (" + n + " of 16 bytes)");
            long sec = Integer.toUnsignedLong(read32(header, 0));
            long frac = Integer.toUnsignedLong(read32(header, 4));
            int caplen = read32(header, 8);
            int origlen = read32(header, 12);
            if (caplen < 0 || caplen > MAX_RECORD) {
                throw recordFail("bad captured length " + Integer.toUnsignedString(caplen) + " (more than " + MAX_RECORD + ")");
            }
            if (caplen > snaplen) throw recordFail("bad captured length " + caplen + " (more than the snaplen " + snaplen + ")");
            if (caplen > scratch.length) scratch = new byte[caplen];
            int got = in.readNBytes(scratch, 0, caplen);
            if (got < caplen) throw recordFail("truncated record (needs " + caplen + " bytes, has " + got + ")");
            offset += 16 + caplen;
            records++;
            lastOriginalLength = origlen;
            lastCapturedLength = caplen;
            lastTimestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            int copy = Math.min(caplen, dst.capacity());
            dst.putBytes(0, scratch, 0, copy);
            return copy;
        } catch (IOException e) {
            throw recordFail("read failed: " + e.getMessage());
        }
    }

    /** The whole captured length of the last record, which may be more than {@link #next} copied. */
    public int lastCapturedLength() { return lastCapturedLength; }

    /** Records read so far. */
    public long records() { return records; }

    public long lastTimestampNanos() { return lastTimestampNanos; }

    public int lastOriginalLength() { return lastOriginalLength; }

    public boolean nanosecondTimestamps() { return nanos; }

    private PcapFormatException fail(String what) { return new PcapFormatException(path + ": " + what); }

    private PcapFormatException recordFail(String what) {
        failed = new PcapFormatException("capture " + path + ": record " + (records + 1) + " at byte " + offset + ": " + what);
        return failed;
    }

    private int read32(byte[] b, int at) { return swapped ? Integer.reverseBytes(be(b, at)) : be(b, at); }

    private static int be(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
