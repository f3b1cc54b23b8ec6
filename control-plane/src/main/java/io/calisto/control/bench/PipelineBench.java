package io.calisto.control.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.RatioSpread;
import io.calisto.cli.UserError;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import io.calisto.io.pcap.PcapWriter;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The IO core's capacity against the bare DPDK receive loop on the same replayed traffic, in one run.
 *
 * <p>A capture of 64-byte UDP frames, one per flow ({@code flows} distinct 5-tuples), is replayed by DPDK's
 * {@code net_pcap} with {@code infinite_rx=1}. One dataplane runs for every policy: the IO thread pinned to CPU 0,
 * a no-op app holding {@link #APP_CORES} cores whose core-actors drain its Aeron streams on the other CPU(s). Per
 * policy, after a warm-up (one pass over the capture: the policy's fresh table holds every flow), the bench
 * alternates windows: bare (receive + free on the IO thread, touching no packet),
 * full (rx → parse → Toeplitz → classify → policy → Aeron IPC), bare, full, ... Each adjacent pair is one round's
 * ratio full/bare; the RESULT line gives the median with its spread. Allocation is the IO thread's own
 * ({@code ThreadMXBean.getThreadAllocatedBytes}) over the full windows, per packet.
 */
public final class PipelineBench {
    static final int APP_CORES = 2;
    static final int MAX_FLOWS = 2_000_000;
    /** After a switch between bare and full: core-actors wake, queues settle; not measured. */
    static final long SETTLE_MILLIS = 100;
    static final int MIN_ROUNDS = 3;
    static final Duration WARM_UP_MAX = Duration.ofSeconds(10);

    /** What one policy measured: medians over the rounds, and the packets of the whole policy (warm-up included). */
    public record Result(String policy, double mpps, double bareMpps, RatioSpread ratio, double allocPerPacket, double deliveredMpps,
                         double ioCpuShare, double ioCpuNsPerPacket, long received, long delivered, long dropped) {
        public String line() {
            return String.format("RESULT mpps=%.2f bare_rx_mpps=%.2f %s alloc_bytes_per_packet=%.3f policy=%s delivered_mpps=%.2f io_cpu_share=%.2f io_cpu_ns_per_packet=%.1f received=%d delivered=%d dropped=%d unaccounted=%d",
                mpps, bareMpps, ratio.fields("3"), allocPerPacket, policy, deliveredMpps, ioCpuShare, ioCpuNsPerPacket, received, delivered, dropped, received - delivered - dropped);
        }
    }

    private PipelineBench() {}

    public static List<Result> run(Config base, int seconds, int flows, List<String> policies, int burst, Consumer<String> out) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) throw new UserError("bench pipeline needs 2 CPUs or more (the IO core on one, the app's cores on another); this machine has " + cpus);
        if (flows < 1 || flows > MAX_FLOWS) throw new UserError("--flows must be in 1.." + MAX_FLOWS + " (one mbuf per flow is held by net_pcap), was " + flows);
        List<Integer> appCpus = new ArrayList<>();
        for (int i = 0; i < APP_CORES; i++) appCpus.add(Math.min(1 + i, cpus - 1));
        int rounds = Math.max(MIN_ROUNDS, seconds);
        long windowMillis = Math.max(200, seconds * 1000L / rounds);

        Path pcap = java.nio.file.Files.createTempFile("calisto-pipeline", ".pcap");
        try {
            writeCapture(pcap, flows);
            // net_pcap keeps every packet of the capture in an mbuf of the port's pool: the pool holds them all. An mbuf
            // takes ~2.4 kB; without hugepages the pool's creation needs about twice the pool in EAL memory (measured
            // with testpmd: 716,384 mbufs failed at -m 3000 and worked at -m 3500). Only what is touched is resident.
            int mbufs = flows + 16_384;
            long poolMb = (long) mbufs * 4_800 >> 20;
            Map<String, Object> o = new HashMap<>();
            o.put("calisto.run.port", "dpdk");
            o.put("calisto.dpdk.eal-args", List.of("-l", "0", "--no-huge", "-m", Long.toString(256 + poolMb), "--no-pci", "--no-shconf",
                "--no-telemetry", "--log-level=lib.eal:error", "--file-prefix=calisto-pipeline-" + ProcessHandle.current().pid(),
                "--vdev=net_pcap0,rx_pcap=" + pcap + ",infinite_rx=1"));
            o.put("calisto.dpdk.port", "net_pcap0");
            o.put("calisto.dpdk.mempool-size", mbufs);
            o.put("calisto.io.burst", burst);
            o.put("calisto.io.cpu", 0);
            o.put("calisto.io.idle-strategy", "busy-spin");
            o.put("calisto.cores.pool", List.of(0, 1));
            o.put("calisto.cores.cpus", appCpus);
            o.put("calisto.dispatch.policy", policies.getFirst());
            Config c = ConfigFactory.parseMap(o).withFallback(base).resolve();
            out.accept(String.format("%d CPUs: IO thread pinned to CPU 0; the no-op app holds %d cores, core-actors pinned to CPUs %s%s",
                cpus, APP_CORES, appCpus, cpus == 2 ? " (with 2 CPUs they share CPU 1 with the media driver, JIT and GC: the drain side is not on a CPU of its own)" : ""));
            out.accept(String.format("net_pcap infinite_rx over %s: %d frames of 64 B, %d distinct UDP flows; burst %d; %d rounds of %d ms bare + %d ms full per policy",
                pcap, flows, flows, burst, rounds, windowMillis, windowMillis));

            AlternatingPort port = new AlternatingPort(Ports.create(c));
            PacketHandler noop = ctx -> {};
            ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "pipeline-bench", c);
            List<Result> results = new ArrayList<>();
            try (Dataplane dp = Dataplane.start(c, port)) {
                AppHandle h = dp.register(apps, new AppSpec("bench", MatchRule.parse("dst-port=7"), core -> noop), APP_CORES, APP_CORES);
                port.bare(true);
                dp.startRx();
                while (port.ioThread() == null) Thread.sleep(1);
                Thread.sleep(300); // JIT of the bare loop
                for (String policy : policies) {
                    Result r = measure(dp, h, port, policy, flows, rounds, windowMillis, out);
                    results.add(r);
                    out.accept(r.line());
                }
                dp.drainAndStop(Duration.ofSeconds(10));
                var k = dp.kernel();
                out.accept(String.format("whole run: received %d, delivered %d, dropped %d (by reason:%s), unaccounted %d",
                    k.received(), dp.deliveredTotal(), k.droppedReceived(), drops(k), k.received() - dp.deliveredTotal() - k.droppedReceived()));
            } finally {
                apps.terminate();
                apps.getWhenTerminated().toCompletableFuture().get();
            }
            return results;
        } finally {
            java.nio.file.Files.deleteIfExists(pcap);
        }
    }

    private static Result measure(Dataplane dp, AppHandle h, AlternatingPort port, String policy, int flows, int rounds, long windowMillis,
                                  Consumer<String> out) throws InterruptedException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long io = port.ioThread().threadId();
        var k = dp.kernel();
        dp.setPolicy(h.name(), policy); // a fresh table: the warm-up fills it
        long received0 = k.received(), delivered0 = dp.deliveredTotal(), dropped0 = k.droppedReceived();
        port.bare(false);
        // warm-up: the JIT compiles the path with this policy, and every flow of the capture enters the fresh table
        // once (at least one pass over the capture, at least a second, at most WARM_UP_MAX), so no window measures inserts
        long warmStart = System.nanoTime();
        Thread.sleep(1000);
        while (k.received() - received0 < flows && System.nanoTime() - warmStart < WARM_UP_MAX.toNanos()) Thread.sleep(10);
        out.accept(String.format("  %s warm-up: %d packets in %d ms (the capture holds %d)", policy, k.received() - received0,
            (System.nanoTime() - warmStart) / 1_000_000, flows));
        double[] full = new double[rounds], bare = new double[rounds], ratios = new double[rounds], delivered = new double[rounds];
        // the IO thread's CPU time over each full window: its share of the wall clock says how much of a window the OS
        // gave to other threads on CPU 0; ns per packet of CPU is the path's own cost
        double[] cpuShare = new double[rounds], cpuPerPacket = new double[rounds];
        long fullPackets = 0, allocated = 0;
        for (int r = 0; r < rounds; r++) {
            port.bare(true);
            Thread.sleep(SETTLE_MILLIS);
            long b0 = port.barePackets(), t0 = System.nanoTime();
            Thread.sleep(windowMillis);
            bare[r] = (port.barePackets() - b0) / ((System.nanoTime() - t0) / 1e3);
            port.bare(false);
            Thread.sleep(SETTLE_MILLIS);
            long p0 = k.received(), a0 = threads.getThreadAllocatedBytes(io), d0 = dp.deliveredTotal(), c0 = threads.getThreadCpuTime(io);
            t0 = System.nanoTime();
            Thread.sleep(windowMillis);
            long p1 = k.received(), a1 = threads.getThreadAllocatedBytes(io), d1 = dp.deliveredTotal(), c1 = threads.getThreadCpuTime(io);
            long wall = System.nanoTime() - t0;
            double micros = wall / 1e3;
            cpuShare[r] = (double) (c1 - c0) / wall;
            cpuPerPacket[r] = p1 == p0 ? Double.NaN : (double) (c1 - c0) / (p1 - p0);
            full[r] = (p1 - p0) / micros;
            delivered[r] = (d1 - d0) / micros;
            fullPackets += p1 - p0;
            allocated += a1 - a0;
            ratios[r] = full[r] / bare[r];
            out.accept(String.format("  %s round %d: bare %.2f Mpps, full %.2f Mpps (delivered %.2f Mpps; IO thread on CPU %.0f%% of the window, %.1f ns CPU per packet), ",
                    policy, r + 1, bare[r], full[r], delivered[r], 100 * cpuShare[r], cpuPerPacket[r])
                + (bare[r] > 0 ? String.format("ratio %.3f", ratios[r]) : "no ratio (the bare window received nothing: the IO thread got no CPU), left out"));
        }
        // the IO core gets nothing more (once a bare call has begun, no full burst is in progress); wait until every
        // packet of this policy is delivered or counted as dropped
        port.bare(true);
        long bareAt = port.barePackets(), deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && port.barePackets() == bareAt) Thread.sleep(1);
        long received = k.received();
        while (System.nanoTime() < deadline && dp.deliveredTotal() + k.droppedReceived() < received) Thread.sleep(1);
        return new Result(policy, RatioSpread.median(full), RatioSpread.median(bare), RatioSpread.of(ratios),
            fullPackets == 0 ? 0 : (double) allocated / fullPackets, RatioSpread.median(delivered), RatioSpread.median(cpuShare), RatioSpread.median(cpuPerPacket),
            received - received0, dp.deliveredTotal() - delivered0, k.droppedReceived() - dropped0);
    }

    /** One 64-byte UDP frame per flow, flow 0 first, in the synthetic port's format (to 10.0.0.1:7, which the app matches). */
    static void writeCapture(Path pcap, int flows) {
        SyntheticPort gen = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", flows, "rate", 0, "packet-bytes", 64)));
        UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        try (PcapWriter w = new PcapWriter(pcap, false)) {
            for (int f = 0; f < flows; f++) w.write(frame, 0, gen.write(frame, f, f), f * 1000L);
        }
    }

    /** Drops by reason over a run, for the line after the RESULTs. */
    static String drops(io.calisto.io.kernel.IoKernel k) {
        StringBuilder s = new StringBuilder();
        for (DropReason r : DropReason.values()) if (k.dropped(r) > 0) s.append(' ').append(r).append('=').append(k.dropped(r));
        return s.isEmpty() ? " none" : s.toString();
    }
}
