package io.calisto.cli;

import io.calisto.control.bench.PipelineBench;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.ffm.DpdkRxBench;
import io.calisto.io.pcap.PcapWriter;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto bench NAME}: benchmarks that print a ratio against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {"Benchmarks, each against a baseline measured in the same run, the two sides alternated (A B A B) and the median ratio printed with its spread:",
    "dpdk-rx (FFM rx loop vs dpdk-testpmd rxonly), grant (scheduler grant -> first packet on the new core, vs a bare thread wake-up),",
    "pipeline (the whole IO core vs the bare DPDK rx loop on net_pcap, per policy)."})
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "dpdk-rx | grant | pipeline")
    String name;

    @Option(names = "--seconds", defaultValue = "5", description = {"Measured seconds (default: ${DEFAULT-VALUE}): dpdk-rx, per side per round;",
        "grant, of grants in all (split over the rounds, at least 1 s each); pipeline, per side per policy (split over max(3, seconds) rounds)."})
    int seconds;

    @Option(names = "--burst", defaultValue = "32", description = "Rx burst size, the same for both sides (default: ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--flows", defaultValue = "700000", description = "pipeline: distinct flows (5-tuples) in the replayed capture, one frame each (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--policy", defaultValue = "all", description = "pipeline: modulo | affinity | affinity-held | affinity-rebind | affinity-published | affinity-prefill | affinity-hybrid | buckets | all, each swapped in with a fresh table (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--realtime-priority", defaultValue = "10", description = {"grant: SCHED_FIFO priority of the app's core-actor threads",
        "(calisto.core.realtime-priority) and of the floor's woken thread; 0: ordinary threads for both (default: ${DEFAULT-VALUE})."})
    int realtimePriority;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 600) throw new UserError("--seconds must be in 1..600, was " + seconds);
        if (burst < 1 || burst > 512) throw new UserError("--burst must be in 1..512, was " + burst);
        var out = spec.commandLine().getOut();
        switch (name) {
            case "dpdk-rx" -> {
                Path pcap = Files.createTempFile("calisto-bench", ".pcap");
                writeCapture(pcap);
                DpdkRxBench.run(seconds, burst, pcap, Main.lines(out));
                Files.deleteIfExists(pcap);
            }
            case "grant" -> {
                int max = io.calisto.aeron.ffm.RealtimePriority.MAX;
                if (realtimePriority < 0 || realtimePriority > max) throw new UserError("--realtime-priority must be in 0.." + max + " (0: off), was " + realtimePriority);
                if (realtimePriority > 0 && !io.calisto.aeron.ffm.RealtimePriority.permitted(realtimePriority)) {
                    throw new UserError("bench grant runs the core-actors and the floor's thread SCHED_FIFO at --realtime-priority " + realtimePriority
                        + ", which this process may not (it needs root, CAP_SYS_NICE or ulimit -r " + realtimePriority
                        + "); run it so, or with --realtime-priority 0 to measure both as ordinary threads");
                }
                io.calisto.control.GrantBench.run(new Settings().load(), seconds, realtimePriority, Main.lines(out));
            }
            case "pipeline" -> {
                if (!policy.equals("all") && !DispatchPolicy.NAMES.contains(policy)) {
                    throw new UserError("--policy must be one of " + String.join(", ", DispatchPolicy.NAMES) + ", all; was '" + policy + "'");
                }
                PipelineBench.run(new Settings().load(), seconds, flows, policy.equals("all") ? DispatchPolicy.NAMES : List.of(policy), burst, Main.lines(out));
            }
            default -> throw new UserError("unknown benchmark '" + name + "' (dpdk-rx, grant, pipeline)");
        }
        return 0;
    }

    /** 1024 synthetic UDP frames of 64 bytes over 256 flows: what net_pcap replays with infinite_rx. */
    private static void writeCapture(Path pcap) {
        SyntheticConfig cfg = SyntheticConfig.withOverrides(java.util.Map.of("flows", 256, "rate", 0, "packet-bytes", 64));
        SyntheticPort gen = new SyntheticPort(cfg);
        RxBatch batch = new RxBatch(1024);
        gen.receive(batch, 0);
        try (PcapWriter w = new PcapWriter(pcap, false)) {
            for (int i = 0; i < batch.count(); i++) w.write(batch.frame(i), 0, batch.length(i), i);
        }
    }
}
