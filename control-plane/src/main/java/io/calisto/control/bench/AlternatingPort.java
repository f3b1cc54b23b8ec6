package io.calisto.control.bench;

import io.calisto.io.port.ForwardingPort;
import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A port that the benchmark switches between the whole IO core and the bare receive loop, so both sides run on the
 * same thread (the pinned IO thread, the same EAL lcore and mempool cache), the same port and the same replayed
 * capture. In bare mode one {@link #receive} runs {@link #BARE_BURSTS} bursts of receive + release, touching no
 * packet (the receive path {@code bench dpdk-rx} measures), counts them here, and hands the IO core nothing.
 *
 * <p>Threads: the IO thread alone calls the port; {@link #bare(boolean)} is a volatile write from the bench thread,
 * read once per call; {@link #barePackets()} is an ordered write by the IO thread, read by the bench thread.
 */
final class AlternatingPort extends ForwardingPort {
    /** Bursts per bare call: long enough that the IO loop's other work is noise, short enough for a quick switch. */
    static final int BARE_BURSTS = 256;

    private volatile boolean bare;
    private final AtomicLong barePackets = new AtomicLong();
    private volatile Thread ioThread;

    AlternatingPort(PacketPort port) { super(port); }

    void bare(boolean on) { bare = on; }

    long barePackets() { return barePackets.get(); }

    /** The thread that polls the port (the IO thread), once it has polled; null before. */
    Thread ioThread() { return ioThread; }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        if (ioThread == null) ioThread = Thread.currentThread();
        if (!bare) return port.receive(batch, nowNanos);
        long n = 0;
        for (int i = 0; i < BARE_BURSTS; i++) {
            n += port.receive(batch, nowNanos);
            port.release(batch);
        }
        barePackets.lazySet(barePackets.get() + n);
        return 0;
    }
}
