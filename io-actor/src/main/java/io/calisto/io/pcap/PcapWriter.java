package io.calisto.io.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.DirectBuffer;

/** Writes classic little-endian pcap, Ethernet, microsecond or nanosecond timestamps. Reuses its buffers. */
public final class PcapWriter implements AutoCloseable {
    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] scratch = new byte[2048];
    private long records;

    public PcapWriter(Path path, boolean nanos) {
        this.nanos = nanos;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
            ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            g.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(g.array());
        } catch (IOException e) {
            throw new PcapFormatException("cannot write " + path + ": " + e.getMessage());
        }
    }

    public void write(DirectBuffer src, int offset, int length, long timestampNanos) {
        if (length > scratch.length) scratch = new byte[length];
        src.getBytes(offset, scratch, 0, length);
        long sec = timestampNanos / 1_000_000_000L, frac = timestampNanos % 1_000_000_000L;
        header.clear();
        header.putInt((int) sec).putInt((int) (nanos ? frac : frac / 1000)).putInt(length).putInt(length);
        try {
            out.write(header.array(), 0, 16);
            out.write(scratch, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        records++;
    }

    public long records() { return records; }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
