package io.calisto.examples.dns;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.RemoteApp;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A small authoritative DNS server as a Calisto app in a JVM of its own: it joins a running {@code calisto serve}
 * over Pekko remoting, takes every UDP packet to port 53 from the dataplane's IO core, answers from a zone file
 * ({@link Zone}, rules in {@link DnsResponder}) and sends the replies back out of the dataplane's port. It watches its
 * own core events and sets its own core limits, through the public app API only ({@link RemoteApp}).
 *
 * <pre>
 * java ... -cp examples/target/classes:examples/target/lib/* io.calisto.examples.dns.DnsServer \
 *     --dataplane pekko://calisto@127.0.0.1:25520 --zone zone.txt      (examples/run-dns does this)
 * </pre>
 * Runs until SIGINT or SIGTERM, then unregisters (the dataplane drains what is queued for it), prints its counts and
 * exits 0; also 0 when the dataplane evicts it. Exit code 2 for a bad zone file or a dataplane it cannot reach, 1 if
 * the dataplane refuses it, 3 if the dataplane is gone while it serves (killed, crashed, unreachable: see
 * {@link RemoteApp#terminated()}).
 */
@Command(name = "dns-server", mixinStandardHelpOptions = true,
    description = "Authoritative DNS (A, AAAA) for one zone, as a Calisto app next to a running 'calisto serve'.")
public final class DnsServer implements Callable<Integer> {
    static {
        // our log configuration unless the user names one (set before the first logger exists)
        if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "dns-logback.xml");
    }

    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);

    /** The dataplane went away while this app served (as {@code calisto serve}'s own exit 3 when its Aeron is lost). */
    static final int EXIT_DATAPLANE_LOST = 3;

    @Option(names = "--dataplane", required = true, description = "Address from serve's ready line, e.g. pekko://calisto@127.0.0.1:25520.")
    String dataplane;

    @Option(names = "--zone", required = true, description = "Zone file (a subset of RFC 1035 master-file syntax: $ORIGIN, $TTL, A, AAAA).")
    Path zoneFile;

    @Option(names = "--name", defaultValue = "dns", description = "App name at the dataplane (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--port", defaultValue = "53", description = "UDP port to serve (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--guaranteed", defaultValue = "1", description = "Cores always held, set after registering (default: ${DEFAULT-VALUE}).")
    int guaranteed;

    @Option(names = "--burstable", defaultValue = "2", description = "Most cores held under load (default: ${DEFAULT-VALUE}).")
    int burstable;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new DnsServer());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("dns: " + e.getMessage());
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Zone zone;
        try {
            zone = Zone.load(zoneFile);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("dns: cannot read the zone: " + e.getMessage());
            return 2;
        }
        // 1. what the app is: a name, the packets it wants, a handler per core (its state is per core: no locks)
        AtomicLongArray counters = new AtomicLongArray(DnsHandler.COUNTERS);
        MatchRule match = MatchRule.parse("proto=udp,dst-port=" + port);
        AppSpec spec = new AppSpec(name, match, core -> new DnsHandler(zone, counters));

        // 2. an actor system with remoting on; logs through SLF4J; we unregister ourselves on SIGTERM (below)
        Config config = RemoteApp.remoteConfig(ConfigFactory.parseString("""
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = "WARNING"
            pekko.stdout-loglevel = "OFF"
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """).withFallback(ConfigFactory.load()));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dns", config);

        // 3. register with the dataplane's management actor: no core guaranteed yet, one at most
        RemoteApp app;
        try {
            app = RemoteApp.connect(system, dataplane, spec, 0, 1, Duration.ofSeconds(15));
        } catch (RemoteApp.RejectedException e) {
            System.err.println("dns: the dataplane refused the registration: " + e.getMessage());
            system.terminate();
            return 1;
        } catch (RuntimeException e) {
            System.err.println("dns: cannot register at " + dataplane + ": " + e.getMessage());
            system.terminate();
            return 2;
        }
        System.out.println("dns: registered as app '" + name + "' (id " + app.appId() + ") at " + dataplane + ", match " + match.format()
            + ", pool cores " + Arrays.toString(app.pool()));

        // 4. watch our own core events (grants, yields, preemptions, revokes)
        app.subscribeEvents(e -> LOG.info("core event: {} core {} ({}, signal {})", e.type(), e.core(), e.reason(), e.signal()));
        System.out.println("dns: subscribed to its core events (logged on stderr)");

        // 5. steer ourselves through the management actor: from 0..1 cores to guaranteed..burstable
        try {
            System.out.println("dns: set its core limits through the management actor: " + app.setCoreLimits(guaranteed, burstable));
        } catch (RemoteApp.RejectedException e) {
            System.out.println("dns: the dataplane refused the core limits " + guaranteed + ".." + burstable + ": " + e.getMessage());
        }
        System.out.println("dns ready: zone " + zone.origin() + " (" + zone.names() + " names, " + zone.records() + " records) on UDP port " + port);
        System.out.flush();

        // 6. serve until SIGINT/SIGTERM; then unregister (the dataplane drains our queue first) and report
        CountDownLatch stop = new CountDownLatch(1), stopped = new CountDownLatch(1);
        onTermination(stop, stopped);
        // ... or until the dataplane evicts us (an operator's unregister, the dataplane stopping) or is gone (killed):
        // nothing is served any more; RemoteApp has stopped our core-actors by the time this runs
        AtomicInteger code = new AtomicInteger(0);
        app.terminated().whenComplete((v, e) -> {
            Throwable why = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (why instanceof RemoteApp.DataplaneLostException) {
                System.out.println("dns: the dataplane is gone: " + why.getMessage());
                code.set(EXIT_DATAPLANE_LOST);
            } else if (why != null) {
                System.out.println("dns: evicted by the dataplane: " + why.getMessage());
            }
            stop.countDown();
        });
        stop.await();
        try {
            app.close(); // unregister: the dataplane drains what is queued for us, then frees our cores
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("stopping: {}", e.toString());
        }
        System.out.println("dns: stopped; " + counts(counters));
        System.out.flush();
        stopped.countDown();
        return code.get();
    }

    /**
     * SIGINT and SIGTERM count {@code stop} down. Taken with {@code sun.misc.Signal} (as {@code calisto serve} does)
     * rather than a shutdown hook: the unregistration then runs on the main thread and the exit code is ours (0), not
     * the JVM's 130/143. A hook that waits for {@code stopped} is the fallback where the JVM keeps the signals
     * ({@code -Xrs}).
     */
    private static void onTermination(CountDownLatch stop, CountDownLatch stopped) {
        boolean hooked = false;
        for (String signal : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                    System.out.println("dns: stopping (SIG" + s.getName() + "): unregistering");
                    System.out.flush();
                    stop.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                if (hooked) continue;
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.out.println("dns: stopping (JVM shutdown): unregistering");
                    stop.countDown();
                    try {
                        stopped.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                }, "dns-shutdown"));
            }
        }
    }

    static String counts(AtomicLongArray c) {
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < DnsHandler.COUNTERS; i++) j.add(DnsHandler.NAMES[i] + "=" + c.get(i));
        return j.toString();
    }
}
