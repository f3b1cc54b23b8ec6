package io.calisto.cli;

import com.typesafe.config.Config;
import io.calisto.control.ControlPlane;
import io.calisto.control.CoreEvent;
import io.calisto.control.Dataplane;
import io.calisto.control.DataplaneSettings;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.control.ShutdownWatchdog;
import io.calisto.core.demo.EchoApp;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.port.PacketPort;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code calisto run}: the embedded default (synthetic port + echo app) or a capture, with a per-second progress line. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the dataplane and print a summary.")
public final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--duration", description = "How long to feed packets (default: calisto.run.duration = 10s).")
    String duration;

    @Mixin DataplaneOptions options;

    @Option(names = "--events", description = "Print every core event: jsonl = one JSON object per line (type, app, core, reason, t_ns, signal).")
    String events;

    @Override
    public Integer call() {
        if (events != null && !events.equals("jsonl")) throw new UserError("--events must be jsonl, was '" + events + "'");
        // the pool and burstable limit follow this machine's CPUs unless configured (CoreDefaults)
        Config config = CoreDefaults.resolve(options.settings().load(), Runtime.getRuntime().availableProcessors());
        Duration runFor = duration != null ? Settings.duration("--duration", duration) : config.getDuration("calisto.run.duration");
        return run(config, runFor, events != null, spec.commandLine().getOut());
    }

    static int run(Config config, Duration runFor, boolean printEvents, PrintWriter out) {
        DataplaneSettings settings = DataplaneSettings.from(config); // every key checked before the port opens
        settings.cores().checkDemoFits();
        PacketPort port = Ports.create(config);
        ActorSystem<Void> appSystem = ActorSystem.create(Behaviors.empty(), "echo", config);
        Histogram latency = new Histogram(3), afterFirstSecond = new Histogram(3);
        // SIGINT/SIGTERM end the feeding loop as the end of --duration does: drain, summary, close (DPDK: stop + close
        // the device), the run's own exit code; serve's mechanism (decisions.md 27), not a shutdown hook (exit 130/143)
        CompletableFuture<String> stop = new CompletableFuture<>();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        ShutdownWatchdog watchdog = null;
        try (Dataplane dp = Dataplane.start(settings, config, port);
             Signals.Registration signals = Signals.onTermination(stop::complete, finished)) {
            if (printEvents) {
                var printer = dp.controlSystem().systemActorOf(Behaviors.<CoreEvent>receiveMessage(e -> {
                    out.println(e.toJson());
                    return Behaviors.same();
                }), "event-printer", org.apache.pekko.actor.typed.Props.empty());
                dp.controlSystem().tell(new ControlPlane.Subscribe(printer));
            }
            dp.register(appSystem, EchoApp.spec(config.getConfig("calisto.demo")), config.getInt("calisto.cores.guaranteed"),
                config.getInt("calisto.cores.burstable"));
            dp.aeronLost().thenAccept(stop::complete); // its streams are gone: stop at once (exit 3 below)
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
            for (int second = 1; System.nanoTime() < end && !k.rxExhausted() && !stop.isDone(); second++) {
                long next = start + second * 1_000_000_000L;
                while (System.nanoTime() < Math.min(next, end) && !k.rxExhausted() && !stop.isDone()) sleep(10);
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
            if (stop.isDone()) out.println("calisto run: stopping (" + stop.join() + ")");
            if (dp.aeronLost().isDone()) return Dataplane.EXIT_AERON_LOST; // nothing to drain; close removes the directory
            // from here the process ends within the drain's bound plus calisto.shutdown.timeout, or the watchdog ends it
            watchdog = ShutdownWatchdog.arm(settings.run().drainTimeout().plus(DataplaneSettings.shutdownTimeout(config)),
                "the drain of in-flight packets", dp.leftovers(), System.err);
            dp.drainAndStop(settings.run().drainTimeout());
            watchdog.stage("the summary");
            var last = k.latency().getIntervalHistogram();
            latency.add(last);
            afterFirstSecond.add(last);
            RunSummary s = RunSummary.of(dp);
            RunSummary.print(dp, s, latency, afterFirstSecond, out);
            out.flush();
            dp.close(watchdog::stage);
            // a corrupt capture: every record before the bad one was run and is in the summary; the run still failed
            if (port.failure() != null) throw new UserError(port.failure());
            return s.unaccounted() == 0 ? 0 : 1;
        } finally {
            finished.complete(null);
            if (watchdog != null) watchdog.stage("the echo app's actor system");
            appSystem.terminate();
            if (watchdog != null) watchdog.close(); // the JVM's own exit is bounded by Main
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
