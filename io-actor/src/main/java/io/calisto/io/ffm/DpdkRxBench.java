package io.calisto.io.ffm;

import io.calisto.aeron.OnThread;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.io.port.RxBatch;
import io.calisto.io.rss.Toeplitz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our FFM rx loop against DPDK's own {@code dpdk-testpmd --forward-mode=rxonly}, same vdev, same burst, same
 * duration, one after the other in one run, so the ratio is measured on the same machine state. The loop measured
 * is the IO core's receive path: PMD burst, bulk free; the per-mbuf reads happen at use, in dispatch, and are
 * measured on their own line (like testpmd's rxonly, the measured loop touches no packet).
 */
public final class DpdkRxBench {
    private static final Pattern RX_PPS = Pattern.compile("Rx-pps:\\s+(\\d+)");

    private DpdkRxBench() {}

    /** Runs both benchmarks on {@code net_null} and on {@code net_pcap,infinite_rx=1}; the last lines are RESULT lines. */
    public static void run(int seconds, int burst, Path pcap, Consumer<String> out) {
        String pid = Long.toString(ProcessHandle.current().pid());
        String pcapVdev = "net_pcap0,rx_pcap=" + pcap + ",infinite_rx=1";
        double nullTestpmd = testpmd("net_null0", seconds, burst, pid, out);
        double pcapTestpmd = testpmd(pcapVdev, seconds, burst, pid, out);
        List<String> eal = List.of("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=lib.eal:error",
            "--file-prefix=calisto-bench-" + pid, "--vdev=net_null0", "--vdev=" + pcapVdev);
        double nullFfm = ffm(eal, "net_null0", seconds, burst, out);
        double pcapFfm = ffm(eal, "net_pcap0", seconds, burst, out);
        out.accept(String.format("RESULT vdev=net_pcap,infinite_rx ffm_mpps=%.2f testpmd_mpps=%.2f ratio=%.3f", pcapFfm, pcapTestpmd, pcapFfm / pcapTestpmd));
        out.accept(String.format("RESULT ffm_mpps=%.2f testpmd_mpps=%.2f ratio=%.3f", nullFfm, nullTestpmd, nullFfm / nullTestpmd));
    }

    /** testpmd forwards on its second lcore ({@code -l 0,1}); our loop runs pinned to the same CPU. */
    static final int BENCH_CPU = 1;
    private static volatile long sinkHole;

    static double ffm(List<String> eal, String port, int seconds, int burst, Consumer<String> out) {
        return OnThread.call("calisto-bench-rx", () -> {
            CpuAffinity.pin(BENCH_CPU, "bench cpu");
            return ffmPinned(eal, port, seconds, burst, out);
        });
    }

    private static double ffmPinned(List<String> eal, String port, int seconds, int burst, Consumer<String> out) {
        DpdkPort p = new DpdkPort(new DpdkConfig(eal, port, 1024, 1024, 16383, 256, Toeplitz.MICROSOFT_KEY, ""), burst);
        RxBatch batch = new RxBatch(burst);
        // one second of warm-up so the JIT has compiled the loop before it is timed
        loop(p, batch, 1_000_000_000L, false);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        long packets = loop(p, batch, TimeUnit.SECONDS.toNanos(seconds), false);
        double mpps = packets / ((System.nanoTime() - start) / 1e3);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        out.accept(String.format("ffm rx loop on %s, burst %d: %.2f Mpps (%d packets, %d mbufs still in use; %d bytes allocated by the rx thread while timed)",
            port, burst, mpps, packets, p.mbufsInUse(), allocated));
        loop(p, batch, 1_000_000_000L, true);
        start = System.nanoTime();
        long decoded = loop(p, batch, TimeUnit.SECONDS.toNanos(1), true);
        out.accept(String.format("  plus reading what the IO core reads of every mbuf (frame view, length, rss flag and hash): %.2f Mpps",
            decoded / ((System.nanoTime() - start) / 1e3)));
        p.close();
        return mpps;
    }

    /** The IO core's receive path: burst, then release; with {@code decode}, also the per-packet reads dispatch does. */
    private static long loop(DpdkPort p, RxBatch batch, long nanos, boolean decode) {
        long packets = 0, sink = 0, end = System.nanoTime() + nanos;
        while (true) {
            for (int i = 0; i < 1024; i++) {
                int n = p.receive(batch, 0);
                if (decode) {
                    for (int k = 0; k < n; k++) {
                        sink += batch.frame(k).getByte(0) + batch.length(k) + (batch.rssValid(k) ? batch.rssHash(k) : 1);
                    }
                }
                packets += n;
                p.release(batch);
            }
            if (System.nanoTime() >= end) {
                sinkHole = sink; // keeps the reads from being optimised away
                return packets;
            }
        }
    }

    /** Runs testpmd rxonly for {@code seconds} (plus start-up) and averages its non-zero Rx-pps lines, in Mpps. */
    static double testpmd(String vdev, int seconds, int burst, String pid, Consumer<String> out) {
        List<String> cmd = List.of("dpdk-testpmd", "-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--no-telemetry",
            "--file-prefix=calisto-testpmd-" + pid, "--vdev=" + vdev, "--", "--forward-mode=rxonly", "--burst=" + burst,
            "--stats-period=1", "--nb-cores=1", "--total-num-mbufs=16384");
        try {
            Path log = Files.createTempFile("calisto-testpmd", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (p.waitFor(seconds + 4L, TimeUnit.SECONDS)) { // EAL start-up takes ~2 s here, then one sample per second
                throw new DpdkException("dpdk-testpmd exited early (" + p.exitValue() + "): " + lastLine(log));
            }
            p.destroy(); // SIGTERM: testpmd stops its ports and exits
            p.waitFor(10, TimeUnit.SECONDS);
            List<Double> rates = new ArrayList<>();
            Matcher m = RX_PPS.matcher(Files.readString(log, StandardCharsets.UTF_8));
            while (m.find()) if (Long.parseLong(m.group(1)) > 0) rates.add(Long.parseLong(m.group(1)) / 1e6);
            Files.deleteIfExists(log);
            if (rates.isEmpty()) throw new DpdkException("dpdk-testpmd printed no Rx-pps line for " + vdev);
            double mpps = rates.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            out.accept(String.format("testpmd rxonly on %s, burst %d: %.2f Mpps (mean of %d one-second samples)", vdev, burst, mpps, rates.size()));
            return mpps;
        } catch (IOException e) {
            throw new DpdkException("cannot run dpdk-testpmd (apt-get install dpdk): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpdkException("interrupted");
        }
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "(no output)" : lines.getLast();
    }
}
