package io.calisto.io.port;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An in-process NIC: generates valid Ethernet/IPv4|IPv6/UDP|TCP frames from {@code flows} distinct 5-tuples,
 * open loop. Each frame's rx timestamp is its <em>scheduled</em> send time, and a late loop emits the backlog
 * instead of skipping it, so latency measured from it includes the dataplane's own delays (no coordinated
 * omission). Runs on the IO thread: no allocation per packet.
 */
public final class SyntheticPort implements PacketPort {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final long SRC_MAC = 0x020000000002L;

    private final SyntheticConfig cfg;
    private final SplittableRandom random;
    private final double meanGapNanos;
    private final FlowPopularity popularity;
    // the schedule is a long plus a sub-nanosecond carry: a double alone, at nanoTime magnitudes (~1e15), would round
    // every gap the same way and bias the rate
    private long nextSendNanos;
    private double carryNanos;
    private boolean started;
    private long generated;
    private long transmitted;
    private long transmittedBytes;

    public SyntheticPort(SyntheticConfig cfg) {
        this.cfg = cfg;
        this.random = new SplittableRandom(cfg.seed());
        this.meanGapNanos = cfg.rate() == 0 ? 0 : 1e9 / cfg.rate();
        this.popularity = cfg.zipfExponent() > 0 ? FlowPopularity.zipf(cfg.flows(), cfg.zipfExponent()) : FlowPopularity.uniform(cfg.flows());
    }

    @Override
    public String name() { return "synthetic"; }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        if (!started) {
            nextSendNanos = nowNanos;
            started = true;
        }
        int n = 0;
        while (n < batch.capacity() && !exhausted()) {
            long at;
            if (meanGapNanos == 0) {
                at = nowNanos;
            } else {
                if (nextSendNanos > nowNanos) break;
                at = nextSendNanos;
                carryNanos += cfg.poisson() ? -Math.log(1.0 - random.nextDouble()) * meanGapNanos : meanGapNanos;
                long whole = (long) carryNanos;
                nextSendNanos += whole;
                carryNanos -= whole;
            }
            int flow = popularity.next(random);
            int len = write(batch.ownedFrame(n), flow, generated);
            batch.set(n++, len, at, false, 0);
            generated++;
        }
        batch.count(n);
        return n;
    }

    /**
     * Writes flow {@code flow}'s frame carrying sequence number {@code seq}; returns its length. Public for captures
     * that must hold every flow exactly once (bench pipeline, the replay benchmarks), in this port's format.
     */
    public int write(UnsafeBuffer f, int flow, long seq) {
        int len = cfg.packetBytes();
        boolean v6 = unit(flow, 0x9E3779B97F4A7C15L) < cfg.ipv6Fraction();
        boolean tcp = unit(flow, 0xC2B2AE3D27D4EB4FL) < cfg.tcpFraction();
        f.setMemory(0, len, (byte) 0);
        putMac(f, 0, cfg.dstMac());
        putMac(f, 6, SRC_MAC);
        f.putShort(12, (short) (v6 ? 0x86dd : 0x0800), BE);
        int l3 = 14, l4;
        int proto = tcp ? 6 : 17;
        if (v6) {
            f.putInt(l3, 0x60000000, BE);
            f.putShort(l3 + 4, (short) (len - l3 - 40), BE);
            f.putByte(l3 + 6, (byte) proto);
            f.putByte(l3 + 7, (byte) 64);
            f.putLong(l3 + 8, 0xfd00000000000001L, BE); // fd00:0:0:1::/64 + flow
            f.putLong(l3 + 16, flow + 1L, BE);
            f.putBytes(l3 + 24, cfg.dstIpv6());
            l4 = l3 + 40;
        } else {
            f.putByte(l3, (byte) 0x45);
            f.putShort(l3 + 2, (short) (len - l3), BE);
            f.putShort(l3 + 6, (short) 0x4000, BE); // don't fragment
            f.putByte(l3 + 8, (byte) 64);
            f.putByte(l3 + 9, (byte) proto);
            f.putInt(l3 + 12, 0x0a800000 + flow, BE); // 10.128.0.0 + flow: distinct per flow (beyond 2^23 flows it runs on into 11/8, still distinct)
            f.putBytes(l3 + 16, cfg.dstIpv4());
            f.putShort(l3 + 10, ipv4Checksum(f, l3), BE);
            l4 = l3 + 20;
        }
        f.putShort(l4, (short) (1024 + (int) (unit(flow, 0x165667B19E3779F9L) * 60000)), BE);
        f.putShort(l4 + 2, (short) dstPort(flow), BE);
        int payload;
        if (tcp) {
            f.putInt(l4 + 4, (int) seq, BE);
            f.putByte(l4 + 12, (byte) 0x50);
            f.putByte(l4 + 13, (byte) 0x18); // PSH|ACK
            f.putShort(l4 + 14, (short) 65535, BE);
            payload = l4 + 20;
        } else {
            f.putShort(l4 + 4, (short) (len - l4), BE);
            payload = l4 + 8;
        }
        if (payload + 8 <= len) f.putLong(payload, seq, BE);
        return len;
    }

    /** Flow {@code flow}'s destination port: flows spread round-robin over {@code dst-ports} consecutive ports, so several apps can each match a disjoint share. */
    public int dstPort(int flow) { return cfg.dstPort() + flow % cfg.dstPorts(); }

    /** A per-flow uniform value in [0, 1), fixed by the seed: a flow keeps its protocol and IP version. */
    private double unit(int flow, long salt) {
        long z = (flow + cfg.seed() * 0x9E3779B97F4A7C15L) ^ salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    private static void putMac(UnsafeBuffer f, int at, long mac) {
        f.putShort(at, (short) (mac >>> 32), BE);
        f.putInt(at + 2, (int) mac, BE);
    }

    private static short ipv4Checksum(UnsafeBuffer f, int l3) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += f.getShort(l3 + i, BE) & 0xffff;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (short) ~sum;
    }

    @Override
    public int transmit(TxBatch batch) {
        int n = batch.count();
        for (int i = 0; i < n; i++) transmittedBytes += batch.length(i);
        transmitted += n;
        return n;
    }

    @Override
    public boolean exhausted() { return cfg.maxPackets() > 0 && generated >= cfg.maxPackets(); }

    public long generated() { return generated; }

    public long transmitted() { return transmitted; }

    public long transmittedBytes() { return transmittedBytes; }

    @Override
    public void close() {}
}
