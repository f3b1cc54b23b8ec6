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
 * Replays frames built before the benchmark starts, one 64-byte UDP frame per flow, cycled in order, handed to the
 * IO core the way {@code DpdkPort} hands them: a burst is a window of pointers to mbuf-like descriptors in native
 * memory ({@link RxBatch#nativeBurst}), nothing copied or generated in the measured loop. The descriptors carry no
 * RSS hash (as no vdev does), so the IO core computes Toeplitz in software.
 */
final class ReplayPort implements PacketPort {
    static final int FRAME = 64;
    /** Descriptor: buffer address u64 @0, data offset u16 @8, data length u16 @10, flags u64 @16, rss u32 @24. */
    static final int DESC = 32;
    static final RxBatch.NativeLayout LAYOUT = new RxBatch.NativeLayout(0, 8, 10, 16, 1L << 1, 24);

    private final UnsafeBuffer pointers;
    private final int flows;
    private int cursor;
    private long received;

    ReplayPort(int flows, int burst) {
        this.flows = flows;
        UnsafeBuffer frames = new UnsafeBuffer(ByteBuffer.allocateDirect(flows * FRAME));
        UnsafeBuffer descs = new UnsafeBuffer(ByteBuffer.allocateDirect(flows * DESC));
        // a burst is a contiguous window: the first `burst` pointers are repeated after the last
        pointers = new UnsafeBuffer(ByteBuffer.allocateDirect((flows + burst) * 8));
        SyntheticPort gen = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", flows, "rate", 0, "packet-bytes", FRAME)));
        UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        for (int f = 0; f < flows; f++) {
            int len = gen.write(frame, f, f);
            frames.putBytes(f * FRAME, frame, 0, len);
            int d = f * DESC;
            descs.putLong(d, frames.addressOffset() + (long) f * FRAME);
            descs.putShort(d + 8, (short) 0);
            descs.putShort(d + 10, (short) len);
            descs.putLong(d + 16, 0L);
            descs.putInt(d + 24, 0);
            pointers.putLong(f * 8, descs.addressOffset() + d);
        }
        for (int i = 0; i < burst; i++) pointers.putLong((flows + i) * 8, pointers.getLong((i % flows) * 8));
    }

    @Override
    public String name() { return "replay"; }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        int n = batch.capacity();
        batch.nativeBurst(pointers.addressOffset() + cursor * 8L, n, LAYOUT, nowNanos);
        cursor += n;
        if (cursor >= flows) cursor -= flows;
        received += n;
        return n;
    }

    long received() { return received; }

    @Override
    public int transmit(TxBatch batch) { return batch.count(); }

    @Override
    public void close() {}
}
