package io.calisto.io.port;

import io.calisto.io.pcap.PcapFormatException;
import io.calisto.io.pcap.PcapReader;
import io.calisto.io.pcap.PcapWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replays a capture as if a NIC received it (as fast as the IO loop takes it, {@code loops} times) and writes what
 * the apps send back into another capture, or just counts it. A bad record ends the replay: the records before it
 * (in the same burst too) are received, the port reports itself exhausted and {@link #failure()} says why.
 */
public final class PcapPort implements PacketPort {
    private final Path in;
    private final PcapWriter out;
    private int loopsLeft;
    private PcapReader reader;
    private boolean exhausted;
    private volatile String failure;
    private long received;
    private long transmitted;

    private PcapPort(Path in, Path out, int loops) {
        if (loops < 1) throw new IllegalArgumentException("pcap loops must be >= 1, was " + loops);
        if (out != null && sameFile(in, out)) {
            throw new IllegalArgumentException("--pcap-out " + out + " is the input capture: it would be overwritten");
        }
        this.in = in;
        this.reader = PcapReader.open(in);
        this.out = out == null ? null : new PcapWriter(out, false);
        this.loopsLeft = loops - 1;
    }

    public static PcapPort open(Path in, Path out, int loops) { return new PcapPort(in, out, loops); }

    private static boolean sameFile(Path a, Path b) {
        if (!Files.exists(a) || !Files.exists(b)) return false;
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot compare " + a + " and " + b + ": " + e.getMessage());
        }
    }

    @Override
    public String name() { return "pcap:" + in.getFileName(); }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        int n = 0;
        while (n < batch.capacity() && !exhausted) {
            try {
                if (reader.next(batch.ownedFrame(n)) < 0) {
                    reader.close();
                    if (loopsLeft-- > 0) reader = PcapReader.open(in);
                    else exhausted = true;
                    continue;
                }
            } catch (PcapFormatException e) {
                failure = e.getMessage();
                exhausted = true;
                break;
            }
            // the whole length, even past what the slot holds: the IO core counts such a frame too-large
            batch.set(n++, reader.lastCapturedLength(), nowNanos, false, 0);
        }
        batch.count(n);
        received += n;
        return n;
    }

    @Override
    public int transmit(TxBatch batch) {
        int n = batch.count();
        if (out != null) {
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) out.write(batch.frame(i), 0, batch.length(i), now);
        }
        transmitted += n;
        return n;
    }

    @Override
    public boolean exhausted() { return exhausted; }

    @Override
    public String failure() { return failure; }

    public long received() { return received; }

    public long transmitted() { return transmitted; }

    @Override
    public void close() {
        reader.close(); // closing twice is harmless
        if (out != null) out.close();
    }
}
