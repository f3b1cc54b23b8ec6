package io.calisto.io.ffm;

import io.calisto.aeron.RatioSpread;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.io.port.RxBatch;
import io.calisto.io.rss.Toeplitz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our FFM rx loop against DPDK's own {@code dpdk-testpmd --forward-mode=rxonly}, same vdev, same burst, same
 * duration, alternated A B A B within one run ({@link #ROUNDS} rounds of testpmd then ours), so each round's ratio
 * is measured on the same machine state and the RESULT line gives the median with its spread. The loop measured is
 * the IO core's receive path: PMD burst, bulk free; the per-mbuf reads happen at use, in dispatch, and are measured
 * on their own line (like testpmd's rxonly, the measured loop touches no packet). Our ports stay open for the whole
 * run on one pinned thread (an EAL lcore with its mempool cache), because a closed vdev cannot be opened again.
 */
public final class DpdkRxBench {
    private static final Pattern RX_PPS = Pattern.compile("Rx-pps:\\s+(\\d+)");
    static final int ROUNDS = 3;

    private DpdkRxBench() {}

    /** Runs both benchmarks on {@code net_pcap,infinite_rx=1} and on {@code net_null}; the last lines are RESULT lines. */
    public static void run(int seconds, int burst, Path pcap, Consumer<String> out) {
        String pid = Long.toString(ProcessHandle.current().pid());
        String pcapVdev = "net_pcap0,rx_pcap=" + pcap + ",infinite_rx=1";
        List<String> eal = List.of("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=lib.eal:error",
            "--file-prefix=calisto-bench-" + pid, "--vdev=net_null0", "--vdev=" + pcapVdev);
        ExecutorService rx = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("calisto-bench-rx").unstarted(() -> {
            CpuAffinity.pin(BENCH_CPU, "bench cpu");
            r.run();
        }));
        try {
            Loop pcapLoop = on(rx, () -> new Loop(eal, "net_pcap0", burst));
            Loop nullLoop = on(rx, () -> new Loop(eal, "net_null0", burst));
            String pcapLine = alternate(rx, pcapLoop, pcapVdev, seconds, burst, pid, out);
            String nullLine = alternate(rx, nullLoop, "net_null0", seconds, burst, pid, out);
            on(rx, () -> {
                pcapLoop.close();
                nullLoop.close();
                return null;
            });
            out.accept("RESULT vdev=net_pcap,infinite_rx " + pcapLine);
            out.accept("RESULT " + nullLine);
        } finally {
            rx.shutdown();
        }
    }

    /** testpmd, ours, testpmd, ours, ...: one ratio per round; returns the RESULT fields. */
    private static String alternate(ExecutorService rx, Loop loop, String vdev, int seconds, int burst, String pid, Consumer<String> out) {
        double[] ffm = new double[ROUNDS], testpmd = new double[ROUNDS], ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            testpmd[r] = testpmd(vdev, seconds, burst, pid, out);
            boolean first = r == 0;
            ffm[r] = on(rx, () -> loop.measure(seconds, first, out));
            ratios[r] = ffm[r] / testpmd[r];
            out.accept(String.format("  %s round %d: ffm %.2f Mpps, testpmd %.2f Mpps, ratio %.3f", loop.port, r + 1, ffm[r], testpmd[r], ratios[r]));
        }
        return String.format("ffm_mpps=%.2f testpmd_mpps=%.2f %s", RatioSpread.median(ffm), RatioSpread.median(testpmd), RatioSpread.of(ratios).fields("3"));
    }

    private static <T> T on(ExecutorService rx, Callable<T> task) {
        try {
            return rx.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpdkException("interrupted");
        }
    }

    /** testpmd forwards on its second lcore ({@code -l 0,1}); our loop runs pinned to the same CPU. */
    static final int BENCH_CPU = 1;
    private static volatile long sinkHole;

    /** One port and its batch, used only on the pinned bench thread. */
    private static final class Loop {
        final String port;
        final DpdkPort p;
        final RxBatch batch;

        Loop(List<String> eal, String port, int burst) {
            this.port = port;
            this.p = new DpdkPort(new DpdkConfig(eal, port, 1024, 1024, 16383, 256, Toeplitz.MICROSOFT_KEY, ""), burst);
            this.batch = new RxBatch(burst);
        }

        /** One timed window (after a second of warm-up in the first round, which also prints the decode diagnostic). */
        double measure(int seconds, boolean first, Consumer<String> out) {
            if (first) loop(p, batch, 1_000_000_000L, false); // the JIT compiles the loop before it is timed
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            long packets = loop(p, batch, TimeUnit.SECONDS.toNanos(seconds), false);
            double mpps = packets / ((System.nanoTime() - start) / 1e3);
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            out.accept(String.format("ffm rx loop on %s, burst %d: %.2f Mpps (%d packets, %d mbufs still in use; %d bytes allocated by the rx thread while timed)",
                port, batch.capacity(), mpps, packets, p.mbufsInUse(), allocated));
            if (first) {
                loop(p, batch, 1_000_000_000L, true);
                start = System.nanoTime();
                long decoded = loop(p, batch, TimeUnit.SECONDS.toNanos(1), true);
                out.accept(String.format("  plus reading what the IO core reads of every mbuf (frame view, length, rss flag and hash): %.2f Mpps",
                    decoded / ((System.nanoTime() - start) / 1e3)));
            }
            return mpps;
        }

        void close() { p.close(); }
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

    /**
     * Runs testpmd rxonly and averages its non-zero Rx-pps lines over {@code seconds}, in Mpps. The window starts at
     * its first stats line (EAL start-up takes 2 s on an idle machine here, far more on a loaded one); that first
     * line, which covers start-up, is left out.
     */
    static double testpmd(String vdev, int seconds, int burst, String pid, Consumer<String> out) {
        List<String> cmd = List.of("dpdk-testpmd", "-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--no-telemetry",
            "--file-prefix=calisto-testpmd-" + pid, "--vdev=" + vdev, "--", "--forward-mode=rxonly", "--burst=" + burst,
            "--stats-period=1", "--nb-cores=1", "--total-num-mbufs=16384");
        try {
            Path log = Files.createTempFile("calisto-testpmd", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log, StandardCharsets.UTF_8).contains("Rx-pps")) {
                if (!p.isAlive()) throw new DpdkException("dpdk-testpmd exited early (" + p.exitValue() + "): " + lastLine(log));
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new DpdkException("dpdk-testpmd printed no Rx-pps line within 60 s for " + vdev);
                }
                Thread.sleep(100);
            }
            if (p.waitFor(seconds * 1000L + 500, TimeUnit.MILLISECONDS)) {
                throw new DpdkException("dpdk-testpmd exited early (" + p.exitValue() + "): " + lastLine(log));
            }
            p.destroy(); // SIGTERM: testpmd stops its ports and exits
            p.waitFor(10, TimeUnit.SECONDS);
            List<Double> rates = new ArrayList<>();
            Matcher m = RX_PPS.matcher(Files.readString(log, StandardCharsets.UTF_8));
            boolean first = true;
            while (m.find()) {
                if (first) {
                    first = false;
                    continue;
                }
                if (Long.parseLong(m.group(1)) > 0) rates.add(Long.parseLong(m.group(1)) / 1e6);
            }
            Files.deleteIfExists(log);
            if (rates.isEmpty()) throw new DpdkException("dpdk-testpmd printed no non-zero Rx-pps line for " + vdev);
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
