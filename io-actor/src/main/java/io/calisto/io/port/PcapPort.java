package io.calisto.io.port;

import io.calisto.io.pcap.PcapReader;
import io.calisto.io.pcap.PcapWriter;
import java.nio.file.Path;

/**
 * Replays a capture as if a NIC received it (as fast as the IO loop takes it, {@code loops} times) and writes what
 * the apps send back into another capture, or just counts it.
 */
public final class PcapPort implements PacketPort {
    private final Path in;
    private final PcapWriter out;
    private int loopsLeft;
    private PcapReader reader;
    private boolean exhausted;
    private long received;
    private long transmitted;

    private PcapPort(Path in, Path out, int loops) {
        if (loops < 1) throw new IllegalArgumentException("pcap loops must be >= 1, was " + loops);
        this.in = in;
        this.reader = PcapReader.open(in);
        this.out = out == null ? null : new PcapWriter(out, false);
        this.loopsLeft = loops - 1;
    }

    public static PcapPort open(Path in, Path out, int loops) { return new PcapPort(in, out, loops); }

    @Override
    public String name() { return "pcap:" + in.getFileName(); }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        int n = 0;
        while (n < batch.capacity() && !exhausted) {
            int len = reader.next(batch.ownedFrame(n));
            if (len < 0) {
                reader.close();
                if (loopsLeft-- > 0) reader = PcapReader.open(in);
                else exhausted = true;
                continue;
            }
            batch.set(n++, len, nowNanos, false, 0);
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

    public long received() { return received; }

    public long transmitted() { return transmitted; }

    @Override
    public void close() {
        if (!exhausted) reader.close();
        if (out != null) out.close();
    }
}
