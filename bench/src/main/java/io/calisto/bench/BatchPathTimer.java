package io.calisto.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * A timing harness for the IO path that a machine shared with other work can still read: rounds of
 * {@code bursts} {@link io.calisto.io.kernel.IoKernel#doWork()} calls over {@link MbufReplayPort} bursts, timed by the
 * IO thread's own CPU time (time it spent descheduled is not counted), the core streams drained inline between
 * rounds (outside the timing: no back pressure, no drops, no second thread competing for the 2 CPUs). Prints the
 * median and quartiles of ns per packet over the rounds after a warm-up, and the bytes the IO thread allocated
 * per packet. Usage: {@code java -cp benchmarks.jar io.calisto.bench.BatchPathTimer POLICY SECONDS [MIGRATIONS] [CORES] [MIGRATION_SAMPLE] [BATCHING true|false|ab]}.
 */
public final class BatchPathTimer {
    public static void main(String[] args) throws Exception {
        String policy = args.length > 0 ? args[0] : "affinity";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        int migrations = args.length > 2 ? Integer.parseInt(args[2]) : 2_000_000;
        int cores = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int sample = args.length > 4 ? Integer.parseInt(args[4]) : 16; // calisto.dispatch.migration-sample's default
        if (args.length > 5 && args[5].equals("ab")) {
            alternate(policy, seconds, migrations, cores, sample);
            return;
        }
        boolean batching = args.length <= 5 || Boolean.parseBoolean(args[5]);
        int bursts = 256;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().threadId();
        try (BatchPathRig rig = new BatchPathRig(policy, migrations, sample, cores)) {
            rig.kernel.batching(batching);
            // warm-up: JIT, and the flow table filled with all 700k flows
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until) {
                for (int b = 0; b < bursts; b++) rig.kernel.doWork();
                rig.drainAndAwaitWindow();
            }
            long rx0 = rig.kernel.received(), drops0 = rig.kernel.droppedTotal();
            double[] cpuPerPacket = new double[1 << 16];
            int rounds = 0;
            long alloc0 = threads.getThreadAllocatedBytes(me), cpuTotal = 0, drainCpu = 0;
            until = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < until && rounds < cpuPerPacket.length) {
                long rx = rig.kernel.received();
                long c0 = threads.getCurrentThreadCpuTime();
                for (int b = 0; b < bursts; b++) rig.kernel.doWork();
                long c1 = threads.getCurrentThreadCpuTime();
                cpuTotal += c1 - c0;
                cpuPerPacket[rounds++] = (double) (c1 - c0) / (rig.kernel.received() - rx);
                // the consumer's side: walking the frames as a core-actor does, per packet (handler left out)
                long d0 = threads.getCurrentThreadCpuTime();
                rig.drain();
                drainCpu += threads.getCurrentThreadCpuTime() - d0;
                rig.drainAndAwaitWindow();
            }
            long packets = rig.kernel.received() - rx0;
            // the drain ran on this thread too: its allocation (none expected) is in the figure, never hidden
            double alloc = (double) (threads.getThreadAllocatedBytes(me) - alloc0) / packets;
            double[] r = Arrays.copyOf(cpuPerPacket, rounds);
            Arrays.sort(r);
            System.out.printf("RESULT policy=%s batching=%b migrations=%d cores=%d cpu_ns_per_packet_p50=%.1f p25=%.1f p75=%.1f mean=%.1f rounds=%d packets=%d drops=%d alloc_bytes_per_packet=%.4f consumer_cpu_ns_per_packet=%.1f%n",
                policy, batching, migrations, cores, r[rounds / 2], r[rounds / 4], r[rounds * 3 / 4], (double) cpuTotal / packets, rounds, packets,
                rig.kernel.droppedTotal() - drops0, alloc, (double) drainCpu / packets);
        }
    }

    /**
     * Multi-frame claims off and on in one process, round by round (off/on, then on/off, ...), so both sides see the
     * same machine: the median over pairs of on/off ratios, with quartiles, for the IO thread and for the consumer's
     * frame walk.
     */
    static void alternate(String policy, double seconds, int migrations, int cores, int sample) throws Exception {
        int bursts = 256;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (BatchPathRig rig = new BatchPathRig(policy, migrations, sample, cores)) {
            long until = System.nanoTime() + 3_000_000_000L;
            for (boolean on = false; System.nanoTime() < until; on = !on) {
                rig.kernel.batching(on);
                for (int b = 0; b < bursts; b++) rig.kernel.doWork();
                rig.drainAndAwaitWindow();
            }
            int max = 1 << 15, pairs = 0;
            double[][] io = new double[2][max], consumer = new double[2][max];
            double[] ioRatio = new double[max], consumerRatio = new double[max];
            until = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < until && pairs < max) {
                for (int half = 0; half < 2; half++) {
                    int side = (pairs & 1) == 0 ? half : 1 - half; // 0 = off, 1 = on
                    rig.kernel.batching(side == 1);
                    long rx = rig.kernel.received();
                    long c0 = threads.getCurrentThreadCpuTime();
                    for (int b = 0; b < bursts; b++) rig.kernel.doWork();
                    long c1 = threads.getCurrentThreadCpuTime();
                    rig.drain();
                    long c2 = threads.getCurrentThreadCpuTime();
                    long n = rig.kernel.received() - rx;
                    io[side][pairs] = (double) (c1 - c0) / n;
                    consumer[side][pairs] = (double) (c2 - c1) / n;
                    rig.drainAndAwaitWindow();
                }
                ioRatio[pairs] = io[1][pairs] / io[0][pairs];
                consumerRatio[pairs] = consumer[1][pairs] / consumer[0][pairs];
                pairs++;
            }
            System.out.printf("RESULT_AB policy=%s cores=%d pairs=%d io_off_p50=%.1f io_on_p50=%.1f io_ratio_on_off_p50=%.3f p25=%.3f p75=%.3f"
                    + " consumer_off_p50=%.1f consumer_on_p50=%.1f consumer_ratio_p50=%.3f p25=%.3f p75=%.3f drops=%d%n",
                policy, cores, pairs, q(io[0], pairs, 2), q(io[1], pairs, 2), q(ioRatio, pairs, 2), q(ioRatio, pairs, 1), q(ioRatio, pairs, 3),
                q(consumer[0], pairs, 2), q(consumer[1], pairs, 2), q(consumerRatio, pairs, 2), q(consumerRatio, pairs, 1), q(consumerRatio, pairs, 3),
                rig.kernel.droppedTotal());
        }
    }

    /** The {@code quarter}/4 quantile of the first {@code n} values. */
    private static double q(double[] values, int n, int quarter) {
        double[] v = Arrays.copyOf(values, n);
        Arrays.sort(v);
        return v[Math.min(n - 1, n * quarter / 4)];
    }
}
