package io.calisto.cli;

import io.calisto.io.dispatch.DispatchPolicy;
import java.io.File;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command that starts a dataplane shares ({@code run}, {@code serve}): where packets come from, the
 * dispatch policy, the demo app's cores and a config file. Checked here, each mistake one line naming the option.
 */
final class DataplaneOptions {
    @Option(names = "--policy", description = "Dispatch policy: modulo | affinity | affinity-held | affinity-rebind | affinity-published | affinity-prefill | affinity-hybrid | buckets (default: calisto.dispatch.policy = affinity).")
    String policy;

    @Option(names = "--flow-idle-timeout", description = "Flow-table entries of flows idle this long expire, e.g. 30s, or off to never expire (default: calisto.dispatch.flow-idle-timeout = 30s).")
    String flowIdleTimeout;

    @Option(names = "--prefill", description = "File of flows affinity-prefill binds before traffic: 'HASH CORE' or 'udp|tcp SRC-IP SRC-PORT DST-IP DST-PORT CORE' a line (default: calisto.dispatch.prefill-file = none).")
    File prefill;

    @Option(names = "--flows", description = "Synthetic flows (default: calisto.synthetic.flows = 1000).")
    Integer flows;

    @Option(names = "--rate", description = "Synthetic packets/s, 0 = as fast as possible (default: calisto.synthetic.rate = 100000).")
    Long rate;

    @Option(names = "--cores", description = "Static assignment: the app holds exactly N cores (default: scheduler between calisto.cores.guaranteed = 1 and burstable = 4).")
    Integer cores;

    @Option(names = "--port", description = "synthetic | pcap | dpdk (default: calisto.run.port = synthetic).")
    String port;

    @Option(names = "--eal", description = "DPDK EAL arguments, space-separated (default: calisto.dpdk.eal-args: no hugepages, net_null0).")
    String eal;

    @Option(names = "--dpdk-port", description = "DPDK device name or port id (default: calisto.dpdk.port = net_null0).")
    String dpdkPort;

    @Option(names = "--pcap", description = "Capture to replay (implies --port pcap).")
    File pcap;

    @Option(names = "--pcap-out", description = "Write the replies to this capture.")
    File pcapOut;

    @Option(names = "--config", description = "HOCON file layered over the defaults.")
    File configFile;

    /** Checks the options and layers them over the config file and the defaults. */
    Settings settings() {
        if (pcap != null && !pcap.isFile()) throw new UserError("capture not found: " + pcap);
        if (policy != null && !DispatchPolicy.NAMES.contains(policy)) {
            throw new UserError("--policy must be one of " + String.join(", ", DispatchPolicy.NAMES) + "; was '" + policy + "'");
        }
        // checked like --duration (a one-line error naming the option); Dataplane checks the key's range
        if (flowIdleTimeout != null && !flowIdleTimeout.strip().equalsIgnoreCase("off")) Settings.duration("--flow-idle-timeout", flowIdleTimeout);
        if (flows != null && flows < 1) throw new UserError("--flows must be >= 1, was " + flows);
        if (rate != null && rate < 0) throw new UserError("--rate must be >= 0, was " + rate);
        if (cores != null && cores < 1) throw new UserError("--cores must be >= 1, was " + cores);
        return new Settings().file(configFile)
            .set("calisto.dispatch.policy", policy)
            .set("calisto.dispatch.flow-idle-timeout", flowIdleTimeout == null ? null : flowIdleTimeout.strip())
            .set("calisto.dispatch.prefill-file", prefill == null ? null : prefill.getPath())
            .set("calisto.synthetic.flows", flows)
            .set("calisto.synthetic.rate", rate)
            .set("calisto.cores.guaranteed", cores)
            .set("calisto.cores.burstable", cores)
            .set("calisto.run.port", pcap != null ? "pcap" : port)
            .set("calisto.pcap.in", pcap == null ? null : pcap.getPath())
            .set("calisto.pcap.out", pcapOut == null ? null : pcapOut.getPath())
            .set("calisto.dpdk.eal-args", eal == null ? null : eal.isBlank() ? List.of() : List.of(eal.strip().split("\\s+")))
            .set("calisto.dpdk.port", dpdkPort);
    }
}
