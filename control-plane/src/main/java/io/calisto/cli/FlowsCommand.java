package io.calisto.cli;

import com.typesafe.config.Config;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.io.dispatch.ActiveCores;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import io.calisto.io.pcap.PcapReader;
import io.calisto.io.port.RxBatch;
import io.calisto.io.rss.Toeplitz;
import java.io.File;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code calisto flows}: what the dataplane would do with a capture, flow by flow, using the same parser, Toeplitz
 * hash, classifier and dispatch policy as the IO core (offline, no threads).
 */
@Command(name = "flows", mixinStandardHelpOptions = true, description = "Show each flow of a capture with its RSS hash, app and core.")
public final class FlowsCommand implements Callable<Integer> {
    static final String HEADER = "proto,src_ip,dst_ip,src_port,dst_port,rss_hash,app,core,packets";

    @Spec CommandSpec spec;

    @Option(names = "--pcap", required = true, description = "Capture to read (classic pcap, Ethernet).")
    File pcap;

    @Option(names = "--policy", description = "modulo | affinity | affinity-held | affinity-rebind | affinity-published | affinity-prefill | affinity-hybrid | buckets (default: calisto.dispatch.policy = affinity).")
    String policy;

    @Option(names = "--cores", description = "Cores the app holds (default: calisto.cores.burstable = 4).")
    Integer cores;

    @Option(names = "--format", defaultValue = "csv", description = "csv | table (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--config", description = "HOCON file layered over the defaults.")
    File configFile;

    private static final class Flow {
        final String[] cols;
        long packets;

        Flow(String[] cols) { this.cols = cols; }
    }

    @Override
    public Integer call() throws Exception {
        if (!format.equals("csv") && !format.equals("table")) throw new UserError("--format must be csv or table, was '" + format + "'");
        if (!pcap.isFile()) throw new UserError("capture not found: " + pcap);
        if (policy != null && !io.calisto.io.dispatch.DispatchPolicy.NAMES.contains(policy)) {
            throw new UserError("--policy must be one of " + String.join(", ", io.calisto.io.dispatch.DispatchPolicy.NAMES) + "; was '" + policy + "'");
        }
        if (cores != null && cores < 1) throw new UserError("--cores must be >= 1, was " + cores);
        Config config = new Settings().file(configFile).set("calisto.dispatch.policy", policy).set("calisto.cores.burstable", cores).load();
        ActiveCores active = new ActiveCores();
        for (int c = 0; c < config.getInt("calisto.cores.burstable"); c++) active.add(c);
        DispatchPolicy dispatch = DispatchPolicy.create(config.getString("calisto.dispatch.policy"), active,
            io.calisto.control.DataplaneSettings.dispatchOf(config).options());
        MatchRule echo = MatchRule.parse(config.getString("calisto.demo.match"));
        Toeplitz toeplitz = new Toeplitz(Toeplitz.parseKey(config.getString("calisto.io.rss-key")));

        Map<String, Flow> flows = new LinkedHashMap<>();
        long[] drops = new long[DropReason.count()];
        UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(RxBatch.SLOT_BYTES));
        int maxFrame = config.getInt("calisto.io.max-frame");
        ParsedPacket p = new ParsedPacket();
        try (PcapReader reader = PcapReader.open(pcap.toPath())) {
            for (int len; (len = reader.next(frame)) >= 0; ) {
                if (reader.lastCapturedLength() > maxFrame) { // as the IO core does: never parse a frame cut to fit
                    drops[DropReason.TOO_LARGE.ordinal()]++;
                    continue;
                }
                DropReason bad = PacketParser.parse(frame, len, p);
                if (bad != null) {
                    drops[bad.ordinal()]++;
                    continue;
                }
                int hash = toeplitz.hash(p);
                boolean mine = echo.matches(p.dstMac, p.ipVersion, p.dstIpHi, p.dstIpLo, p.protocol, p.hasPorts, p.dstPort);
                String key = p.protocol + "|" + ip(p, true) + "|" + ip(p, false) + "|" + p.srcPort + "|" + p.dstPort;
                Flow f = flows.get(key);
                if (f == null) {
                    String core = mine ? Integer.toString(dispatch.coreFor(hash, 0)) : "-";
                    f = new Flow(new String[] {proto(p.protocol), ip(p, true), ip(p, false), p.hasPorts ? "" + p.srcPort : "",
                        p.hasPorts ? "" + p.dstPort : "", String.format("0x%08x", hash), mine ? "echo" : "-", core, ""});
                    flows.put(key, f);
                } else if (mine) {
                    dispatch.coreFor(hash, 0); // keep the policy's state as the IO core would
                }
                f.packets++;
            }
        }
        print(spec.commandLine().getOut(), flows, drops);
        return 0;
    }

    private void print(PrintWriter out, Map<String, Flow> flows, long[] drops) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER.split(","));
        for (Flow f : flows.values()) {
            f.cols[8] = Long.toString(f.packets);
            rows.add(f.cols);
        }
        if (format.equals("csv")) {
            for (String[] r : rows) out.println(String.join(",", r));
            return;
        }
        int[] width = new int[9];
        for (String[] r : rows) for (int i = 0; i < 9; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 9; i++) sb.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
            out.println(sb.toString().stripTrailing());
        }
        out.println(flows.size() + " flows");
        for (DropReason r : DropReason.values()) if (drops[r.ordinal()] > 0) out.println("dropped " + r.label() + ": " + drops[r.ordinal()]);
    }

    private static String proto(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> Integer.toString(p);
        };
    }

    private static String ip(ParsedPacket p, boolean src) {
        byte[] a;
        if (p.ipVersion == 4) {
            int v = (int) (src ? p.srcIpLo : p.dstIpLo);
            a = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        } else {
            a = ByteBuffer.allocate(16).putLong(src ? p.srcIpHi : p.dstIpHi).putLong(src ? p.srcIpLo : p.dstIpLo).array();
        }
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
