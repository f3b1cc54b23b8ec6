package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.control.Dataplane;
import io.calisto.control.DataplaneSettings;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.control.ShutdownWatchdog;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.ArteryTls;
import io.calisto.io.port.PacketPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code calisto serve}: a standing dataplane. Remoting on (Artery TCP on {@code --bind}; {@code tls-tcp} with mutual
 * authentication when {@code calisto.serve.tls} is on, which a non-loopback bind requires), the management actor at
 * {@code /system/management} for {@code calisto ctl} and apps in other JVMs, until SIGINT, SIGTERM or a
 * {@code Shutdown} command; then it stops rx, drains, prints the run summary, removes its Aeron directory and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run a standing dataplane that takes apps and management commands until SIGINT/SIGTERM or 'ctl shutdown'.",
        "Prints 'ready management=pekko://calisto@HOST:PORT aeron-dir=DIR' once it takes registrations."})
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataplaneOptions options;

    @Option(names = "--echo", description = "Also register the demo echo app (calisto.demo.*), as run does.")
    boolean echo;

    @Option(names = "--bind", description = "Management endpoint HOST:PORT; a non-loopback one needs calisto.serve.tls (Artery tls-tcp, mutual authentication); port 0 picks a free one (default: calisto.serve.bind = 127.0.0.1:25520).")
    String bind;

    @Option(names = "--aeron-dir", description = "Aeron directory, removed when serve stops (default: calisto.aeron.dir, else calisto.serve.aeron-dir = /dev/shm/calisto).")
    String aeronDir;

    @Option(names = "--cluster-seed", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "Join a fleet: this dataplane becomes a member of the Pekko Cluster these seed nodes (serve --bind endpoints) form; list this node first on the node that starts the fleet (see README, \"Fleet\"). Without it: a single node.")
    String clusterSeed;

    @Option(names = "--node-name", description = "This node's name in the fleet (default: the --bind HOST:PORT); ctl --node NAME routes to it.")
    String nodeName;

    @Override
    public Integer call() {
        Config base = options.settings().set("calisto.aeron.dir", aeronDir).load();
        Endpoint at = Endpoint.parse("--bind", bind != null ? bind : base.getString("calisto.serve.bind"));
        boolean tls = ArteryTls.enabled(base, Remoting.SERVE_TLS);
        if (!tls && !at.address("--bind").isLoopbackAddress()) {
            throw new UserError("--bind " + at + " is not a loopback address: a management endpoint beyond this host needs Artery tls-tcp "
                + "with mutual authentication; set calisto.serve.tls.enabled = on with its key-store, trust-store and passwords "
                + "(README 'Security'), or bind to 127.0.0.1");
        }
        if (clusterSeed != null) at = FleetConfig.fixedPort(at);
        String fleetName = clusterSeed != null ? FleetConfig.nodeName(nodeName, at) : null;
        String dir = base.getString("calisto.aeron.dir").isEmpty() ? base.getString("calisto.serve.aeron-dir") : base.getString("calisto.aeron.dir");
        boolean embedded = base.getBoolean("calisto.aeron.embedded-driver");
        // the stores are opened here, so a wrong file or password is one line (exit 2) before anything starts
        Config config = Remoting.on(at.host(), at.port(), tls ? Remoting.SERVE_TLS : null,
            ConfigFactory.parseMap(Map.of("calisto.aeron.dir", dir)).withFallback(base));
        if (clusterSeed != null) config = FleetConfig.cluster(config, clusterSeed, fleetName);
        // the echo app's own actor system stays local: only the dataplane's system listens
        Config local = ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local")).withFallback(base);
        probe(at);
        PrintWriter out = spec.commandLine().getOut();
        AeronDirClaim claim = embedded ? AeronDirClaim.claim(dir) : null;
        ActorSystem<Void> echoSystem = null;
        ShutdownWatchdog watchdog = null;
        try {
            // every key checked before the port opens (EAL init) and the media driver starts
            DataplaneSettings settings = DataplaneSettings.from(config);
            if (echo) settings.cores().checkDemoFits();
            PacketPort port = Ports.create(config);
            Dataplane dp = startDataplane(settings, config, port, at, dir, embedded);
            CompletableFuture<String> stop = new CompletableFuture<>();
            CompletableFuture<Void> finished = new CompletableFuture<>();
            dp.onShutdownRequest(() -> stop.complete("shutdown command"));
            dp.aeronLost().thenAccept(stop::complete); // its streams are gone: stop at once, exit 3
            Signals.onTermination(stop::complete, finished);
            try {
                if (echo) {
                    echoSystem = ActorSystem.create(Behaviors.empty(), "echo", local);
                    dp.register(echoSystem, EchoApp.spec(config.getConfig("calisto.demo")), config.getInt("calisto.cores.guaranteed"),
                        config.getInt("calisto.cores.burstable"));
                }
                dp.management(); // created with the dataplane: /system/management takes commands from here on
                dp.startRx();
                if (clusterSeed != null) FleetConfig.join(dp, config, fleetName, clusterSeed, stop, out);
                var address = Adapter.toClassic(dp.controlSystem()).provider().getDefaultAddress();
                out.println("management transport " + (tls ? ArteryTls.describe(base, Remoting.SERVE_TLS) : "tcp (no TLS: loopback only)"));
                out.println("ready management=" + address + " aeron-dir=" + dir);
                out.flush();
                String why = stop.join();
                out.println("calisto serve: stopping (" + why + ")");
                out.flush();
                if (dp.aeronLost().isDone()) {
                    // nothing can be drained or counted any more: close (core-actors, driver, directory) and say so
                    dp.close();
                    if (embedded && !AeronDirClaim.gone(dir)) out.println("note: the Aeron directory " + dir + " is still there");
                    return Dataplane.EXIT_AERON_LOST;
                }
                watchdog = ShutdownWatchdog.arm(settings.run().drainTimeout().plus(DataplaneSettings.shutdownTimeout(config)),
                    "the drain of in-flight packets", dp.leftovers(), System.err);
                dp.drainAndStop(settings.run().drainTimeout());
                watchdog.stage("the summary");
                Histogram latency = dp.kernel().latency().getIntervalHistogram();
                RunSummary s = RunSummary.of(dp);
                RunSummary.print(dp, s, latency, new Histogram(3), out);
                out.flush();
                dp.close(watchdog::stage);
                if (embedded && !AeronDirClaim.gone(dir)) out.println("note: the Aeron directory " + dir + " is still there");
                return s.unaccounted() == 0 ? 0 : 1;
            } finally {
                dp.close();
                finished.complete(null);
            }
        } finally {
            if (watchdog != null) watchdog.stage("the echo app's actor system");
            if (echoSystem != null) echoSystem.terminate();
            if (claim != null) claim.close();
            if (watchdog != null) watchdog.close(); // the JVM's own exit is bounded by Main
        }
    }

    /** Refuses a bind another process holds, before anything starts (Artery would fail only after the driver started). */
    private static void probe(Endpoint at) {
        if (at.port() == 0) return;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(at.address("--bind"), at.port()));
        } catch (IOException e) {
            throw new UserError("cannot bind the management endpoint " + at + ": " + e.getMessage() + " (another calisto serve? pick another with --bind)");
        }
    }

    private static Dataplane startDataplane(DataplaneSettings settings, Config config, PacketPort port, Endpoint at, String dir, boolean embedded) {
        try {
            return Dataplane.start(settings, config, port);
        } catch (RuntimeException e) {
            // a bind lost to a process that took the port after the probe: one line, and our own directory removed
            if (embedded) org.agrona.IoUtil.delete(new java.io.File(dir), true);
            String m = String.valueOf(e.getMessage());
            if (m.contains("bind") || m.contains("Bind")) throw new UserError("cannot bind the management endpoint " + at + ": " + m.strip().replaceAll("\\s*\\R\\s*", " "));
            throw e;
        }
    }
}
