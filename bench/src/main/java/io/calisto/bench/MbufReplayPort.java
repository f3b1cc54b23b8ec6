package io.calisto.bench;

import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import io.calisto.io.port.TxBatch;
import java.nio.ByteBuffer;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replays pre-built frames from fake mbufs, a burst at a time, as DpdkPort hands the PMD's pointer array to the
 * batch (zero-copy, fields read where the IO core uses them): the IO path is measured, not a generator. Frames are
 * the synthetic port's UDP frames over {@code flows} flows, uniform at random; mbufs carry no NIC hash (software
 * Toeplitz, as on every vdev).
 */
final class MbufReplayPort implements PacketPort {
    static final int BURST = 32;
    private static final int MBUF = 64;
    /** 22.11 rte_mbuf: buf_addr 0, data_off 16, ol_flags 24 (RSS bit 1<<1), data_len 40, hash.rss 44. */
    static final RxBatch.NativeLayout LAYOUT = new RxBatch.NativeLayout(0, 16, 40, 24, 1L << 1, 44);
    private final ByteBuffer mbufs, data, pointers;
    private final long pointersAddress;
    private final int packets;
    private int next;

    MbufReplayPort(int flows, int packets, int frameBytes) {
        this.packets = packets;
        mbufs = ByteBuffer.allocateDirect(packets * MBUF);
        data = ByteBuffer.allocateDirect(packets * frameBytes);
        // the pointer array, its first burst repeated at the end so every burst start has BURST pointers after it
        pointers = ByteBuffer.allocateDirect((packets + BURST) * 8);
        UnsafeBuffer m = new UnsafeBuffer(mbufs), d = new UnsafeBuffer(data), p = new UnsafeBuffer(pointers);
        SyntheticPort gen = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", flows, "rate", 0, "packet-bytes", frameBytes)));
        RxBatch b = new RxBatch(BURST);
        for (int i = 0; i < packets; ) {
            int n = gen.receive(b, 0);
            for (int k = 0; k < n && i < packets; k++, i++) {
                d.putBytes(i * frameBytes, b.ownedFrame(k), 0, frameBytes);
                int at = i * MBUF;
                m.putLong(at, d.addressOffset() + (long) i * frameBytes);
                m.putShort(at + 16, (short) 0);
                m.putShort(at + 40, (short) frameBytes);
                m.putLong(at + 24, 0);
                p.putLong(i * 8, m.addressOffset() + at);
            }
        }
        for (int i = 0; i < BURST; i++) p.putLong((packets + i) * 8, p.getLong(i * 8));
        pointersAddress = p.addressOffset();
    }

    @Override
    public String name() { return "mbuf-replay"; }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        batch.nativeBurst(pointersAddress + 8L * next, BURST, LAYOUT, nowNanos);
        next += BURST;
        if (next >= packets) next -= packets;
        return BURST;
    }

    @Override
    public int transmit(TxBatch batch) { return batch.count(); }

    @Override
    public void close() {}
}
