package io.calisto.control.soak;

import io.calisto.io.port.ForwardingPort;
import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The soak's port: the synthetic port, counting what it hands the IO core per destination port. Each soak app matches
 * one destination port, so this is what each app was sent, counted outside the dataplane: an app's delivered and
 * dropped counts must add up to it exactly (or, once the app has left, the rest went to {@code no-app}).
 * IO thread writes (one ordered write per port per burst), any thread reads.
 */
final class PortTally extends ForwardingPort {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private final int firstPort;
    private final AtomicLongArray sent;
    private final long[] burst;

    PortTally(PacketPort port, int firstPort, int ports) {
        super(port);
        this.firstPort = firstPort;
        this.sent = new AtomicLongArray(ports + 1); // the last slot: any other destination port (none in a soak)
        this.burst = new long[ports + 1];
    }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        int n = port.receive(batch, nowNanos);
        for (int i = 0; i < n; i++) burst[index(batch.frame(i), batch.length(i))]++;
        for (int p = 0; p < burst.length; p++) {
            if (burst[p] == 0) continue;
            sent.setRelease(p, sent.getPlain(p) + burst[p]);
            burst[p] = 0;
        }
        return n;
    }

    /** The frame's destination port as an index from {@code firstPort}, or the last slot (IPv4/IPv6, UDP/TCP frames as SyntheticPort writes them). */
    private int index(UnsafeBuffer f, int len) {
        if (len < 14) return burst.length - 1;
        boolean v6 = (f.getShort(12, BE) & 0xffff) == 0x86dd;
        int l4 = v6 ? 54 : 14 + (f.getByte(14) & 0x0f) * 4;
        if (l4 + 4 > len) return burst.length - 1;
        int p = (f.getShort(l4 + 2, BE) & 0xffff) - firstPort;
        return p >= 0 && p < burst.length - 1 ? p : burst.length - 1;
    }

    /** Packets handed to the IO core with destination port {@code firstPort + index}. */
    long sent(int index) { return sent.get(index); }
}
