package io.calisto.io.pcap;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.MutableDirectBuffer;

/**
 * Reads classic pcap (not pcapng): either byte order, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d)
 * timestamps, Ethernet link type only. One reusable scratch array: no allocation per record.
 */
public final class PcapReader implements AutoCloseable {
    private static final int MAGIC_US = 0xa1b2c3d4, MAGIC_NS = 0xa1b23c4d, LINKTYPE_ETHERNET = 1;

    private final Path path;
    private final InputStream in;
    private final boolean swapped;
    private final boolean nanos;
    private final byte[] header = new byte[16];
    private byte[] scratch = new byte[65536];
    private long offset = 24;
    private long lastTimestampNanos;
    private int lastOriginalLength;

    private PcapReader(Path path) throws IOException {
        this.path = path;
        this.in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
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
        int link = read32(g, 20);
        if (link != LINKTYPE_ETHERNET) throw fail("unsupported link type " + link + " (only Ethernet, 1)");
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
     * returns the bytes copied, or -1 at the end of the file.
     */
    public int next(MutableDirectBuffer dst) {
        try {
            int n = in.readNBytes(header, 0, 16);
            if (n == 0) return -1;
            if (n < 16) throw fail("truncated record header at byte " + offset);
            long sec = Integer.toUnsignedLong(read32(header, 0));
            long frac = Integer.toUnsignedLong(read32(header, 4));
            int caplen = read32(header, 8);
            lastOriginalLength = read32(header, 12);
            if (caplen < 0 || caplen > 262144) throw fail("bad record length " + caplen + " at byte " + offset);
            if (caplen > scratch.length) scratch = new byte[caplen];
            if (in.readNBytes(scratch, 0, caplen) < caplen) throw fail("truncated record at byte " + offset + " (needs " + caplen + " bytes)");
            offset += 16 + caplen;
            lastTimestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            int copy = Math.min(caplen, dst.capacity());
            dst.putBytes(0, scratch, 0, copy);
            return copy;
        } catch (EOFException e) {
            throw fail("truncated record at byte " + offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long lastTimestampNanos() { return lastTimestampNanos; }

    public int lastOriginalLength() { return lastOriginalLength; }

    public boolean nanosecondTimestamps() { return nanos; }

    private PcapFormatException fail(String what) { return new PcapFormatException(path + ": " + what); }

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
