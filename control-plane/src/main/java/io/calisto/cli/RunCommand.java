package io.calisto.cli;

import com.typesafe.config.Config;
import io.calisto.control.ControlPlane;
import io.calisto.control.CoreEvent;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.demo.EchoApp;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.port.PacketPort;
import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto run}: the embedded default (synthetic port + echo app) or a capture, with a per-second progress line. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the dataplane and print a summary.")
public final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--duration", description = "How long to feed packets (default: calisto.run.duration = 10s).")
    String duration;

    @Option(names = "--policy", description = "Dispatch policy: modulo | affinity | affinity-rebind | affinity-published (default: calisto.dispatch.policy = affinity).")
    String policy;

    @Option(names = "--flow-idle-timeout", description = "Flow-table entries of flows idle this long expire, e.g. 30s, or off to never expire (default: calisto.dispatch.flow-idle-timeout = 30s).")
    String flowIdleTimeout;

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

    @Option(names = "--events", description = "Print every core event: jsonl = one JSON object per line (type, app, core, reason, t_ns, signal).")
    String events;

    @Override
    public Integer call() {
        if (pcap != null && !pcap.isFile()) throw new UserError("capture not found: " + pcap);
        if (policy != null && !io.calisto.io.dispatch.DispatchPolicy.NAMES.contains(policy)) {
            throw new UserError("--policy must be one of " + String.join(", ", io.calisto.io.dispatch.DispatchPolicy.NAMES) + "; was '" + policy + "'");
        }
        // checked like --duration (a one-line error naming the option); Dataplane checks the key's range
        if (flowIdleTimeout != null && !flowIdleTimeout.strip().equalsIgnoreCase("off")) Settings.duration("--flow-idle-timeout", flowIdleTimeout);
        if (flows != null && flows < 1) throw new UserError("--flows must be >= 1, was " + flows);
        if (rate != null && rate < 0) throw new UserError("--rate must be >= 0, was " + rate);
        if (cores != null && cores < 1) throw new UserError("--cores must be >= 1, was " + cores);
        if (events != null && !events.equals("jsonl")) throw new UserError("--events must be jsonl, was '" + events + "'");
        Config config = new Settings().file(configFile)
            .set("calisto.dispatch.policy", policy)
            .set("calisto.dispatch.flow-idle-timeout", flowIdleTimeout == null ? null : flowIdleTimeout.strip())
            .set("calisto.synthetic.flows", flows)
            .set("calisto.synthetic.rate", rate)
            .set("calisto.cores.guaranteed", cores)
            .set("calisto.cores.burstable", cores)
            .set("calisto.run.port", pcap != null ? "pcap" : port)
            .set("calisto.pcap.in", pcap == null ? null : pcap.getPath())
            .set("calisto.pcap.out", pcapOut == null ? null : pcapOut.getPath())
            .set("calisto.dpdk.eal-args", eal == null ? null : java.util.List.of(eal.strip().split("\\s+")))
            .set("calisto.dpdk.port", dpdkPort)
            .load();
        Duration runFor = duration != null ? Settings.duration("--duration", duration) : config.getDuration("calisto.run.duration");
        return run(config, runFor, events != null, spec.commandLine().getOut());
    }

    static int run(Config config, Duration runFor, boolean printEvents, PrintWriter out) {
        PacketPort port = Ports.create(config);
        ActorSystem<Void> appSystem = ActorSystem.create(Behaviors.empty(), "echo", config);
        Histogram latency = new Histogram(3), afterFirstSecond = new Histogram(3);
        try (Dataplane dp = Dataplane.start(config, port)) {
            // Ctrl-C: stop the IO thread and close the port (DPDK: stop + close the device) before the JVM exits
            Thread hook = new Thread(dp::close, "calisto-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (printEvents) {
                var printer = dp.controlSystem().systemActorOf(Behaviors.<CoreEvent>receiveMessage(e -> {
                    out.println(e.toJson());
                    return Behaviors.same();
                }), "event-printer", org.apache.pekko.actor.typed.Props.empty());
                dp.controlSystem().tell(new ControlPlane.Subscribe(printer));
            }
            dp.register(appSystem, EchoApp.spec(config.getConfig("calisto.demo")), config.getInt("calisto.cores.guaranteed"),
                config.getInt("calisto.cores.burstable"));
            dp.startRx();
            IoKernel k = dp.kernel();
            out.printf("calisto run: port %s, policy %s, cores %d..%d of pool %s, for %s%n", port.name(), config.getString("calisto.dispatch.policy"),
                config.getInt("calisto.cores.guaranteed"), config.getInt("calisto.cores.burstable"), config.getIntList("calisto.cores.pool"), runFor);
            int cpus = Runtime.getRuntime().availableProcessors(), busiest = config.getInt("calisto.cores.burstable") + 1;
            if (busiest > cpus) {
                out.printf("note: up to %d core-actors and the IO thread share %d CPUs here, so latency includes the OS time-sharing them"
                    + " (calisto.cores.pool / burstable / cpus set how many cores and where)%n", busiest - 1, cpus);
            }
            long start = System.nanoTime(), end = start + runFor.toNanos(), lastRx = 0;
            for (int second = 1; System.nanoTime() < end && !k.rxExhausted(); second++) {
                long next = start + second * 1_000_000_000L;
                while (System.nanoTime() < Math.min(next, end) && !k.rxExhausted()) sleep(10);
                long delivered = dp.deliveredTotal();
                long rx = k.received();
                var interval = k.latency().getIntervalHistogram();
                latency.add(interval);
                if (second > 1) afterFirstSecond.add(interval);
                out.printf("[%3ds] rx %d (+%d/s)  delivered %d  dropped %d  replies %d  p99 %.1f us%n", second, rx, rx - lastRx,
                    delivered, k.droppedTotal(), k.replies(),
                    interval.getValueAtPercentile(99) / 1e3);
                lastRx = rx;
            }
            dp.drainAndStop(config.getDuration("calisto.run.drain-timeout"));
            var last = k.latency().getIntervalHistogram();
            latency.add(last);
            afterFirstSecond.add(last);
            RunSummary s = RunSummary.of(dp);
            RunSummary.print(dp, s, latency, afterFirstSecond, out);
            Runtime.getRuntime().removeShutdownHook(hook);
            return s.unaccounted() == 0 ? 0 : 1;
        } finally {
            appSystem.terminate();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
