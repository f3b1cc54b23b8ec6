package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.control.Management;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code calisto ctl}'s side of the wire: a short-lived actor system (remoting on, Artery TCP, or {@code tls-tcp} with
 * {@code calisto.ctl.tls} / {@code calisto.serve.tls}; the local address that reaches serve, port 0)
 * that resolves {@code pekko://calisto@HOST:PORT/system/management} and asks it {@link Management.Command}s.
 * Failing to reach it is a {@link UserError} (exit 2) naming the endpoint, within a few seconds.
 */
final class ManagementClient implements AutoCloseable {
    private final Endpoint at;
    private final ActorSystem<Void> system;
    private final ActorRef<Management.Command> management;
    private final Duration timeout;

    private ManagementClient(Endpoint at, ActorSystem<Void> system, ActorRef<Management.Command> management, Duration timeout) {
        this.at = at;
        this.system = system;
        this.management = management;
        this.timeout = timeout;
    }

    static ManagementClient connect(Endpoint at, Config base) {
        Duration connectTimeout = base.getDuration("calisto.ctl.connect-timeout");
        String tls = Remoting.ctlTls(base);
        // the stores are checked before any connection: a wrong file or password is one line naming the key
        if (tls != null) Remoting.tls(base, tls);
        // a closed port answers at once: say so without starting Pekko
        String local;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(at.address("--connect"), at.port()), (int) Math.max(1, connectTimeout.toMillis()));
            // serve answers on a connection of its own to our canonical address: the one of the interface that reaches it
            local = s.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            throw new UserError("cannot reach the dataplane at " + at + " (" + e.getMessage() + "); is calisto serve running there?");
        }
        Config config = Remoting.on(local, 0, tls, ConfigFactory.parseMap(Map.of(
            // the CLI prints its own one-line errors; Artery's connection warnings would only repeat them
            "pekko.loglevel", "OFF",
            // ctl watches serve's management actor (follow): its own tolerance, not the dataplane's 1 s for apps
            "pekko.remote.watch-failure-detector.acceptable-heartbeat-pause", base.getString("calisto.ctl.watch-pause"),
            "pekko.remote.artery.advanced.shutdown-flush-timeout", "500ms",
            // after a refused TLS handshake Artery's outbound streams hold termination to this phase's timeout (10 s)
            "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout", "3s")).withFallback(base));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "calisto-ctl", config);
        try {
            String path = "pekko://calisto@" + at + "/system/management";
            var classic = Adapter.toClassic(system).actorSelection(path).resolveOne(connectTimeout).toCompletableFuture().join();
            ActorRef<Management.Command> ref = Adapter.toTyped(classic);
            return new ManagementClient(at, system, ref, base.getDuration("calisto.ctl.timeout"));
        } catch (CompletionException e) {
            system.terminate();
            throw new UserError("cannot reach the dataplane at " + at + " (no management actor answered within " + connectTimeout.toSeconds()
                + " s; a calisto serve bound to another host name than '" + at.host() + "'"
                + (tls == null ? ", or one that takes TLS only (calisto.serve.tls), which needs calisto.ctl.tls?)"
                    : "? or the TLS handshake failed: is our certificate (" + tls + ".key-store) signed by a CA in serve's trust store, and serve's by one in ours?)"));
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    /** Asks the management actor; no answer within the timeout is a UserError (exit 2). */
    Management.Reply ask(Function<ActorRef<Management.Reply>, Management.Command> command) {
        try {
            return AskPattern.<Management.Command, Management.Reply>ask(management, command::apply, timeout, system.scheduler())
                .toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new UserError("the dataplane at " + at + " did not answer within " + timeout.toSeconds() + " s");
            }
            throw new UserError("asking the dataplane at " + at + " failed: " + e.getCause());
        }
    }

    /**
     * The fleet actor ({@code /system/fleet}) of the node this client is connected to; a UserError (exit 2) when that
     * serve is not in a fleet (started without --cluster-seed).
     */
    ActorRef<io.calisto.control.Fleet.Command> fleet() {
        String path = "pekko://calisto@" + at + "/system/fleet";
        try {
            var classic = Adapter.toClassic(system).actorSelection(path).resolveOne(timeout).toCompletableFuture().join();
            return Adapter.toTyped(classic);
        } catch (CompletionException e) {
            throw new UserError("the dataplane at " + at + " is not in a fleet (serve was started without --cluster-seed)");
        }
    }

    /** Asks {@code to} (a fleet actor, or another node's management actor) with this client's timeout; UserError if none. */
    <C, R> R ask(ActorRef<C> to, Function<ActorRef<R>, C> command, String who) {
        try {
            return AskPattern.<C, R>ask(to, command::apply, timeout, system.scheduler()).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TimeoutException) throw new UserError(who + " did not answer within " + timeout.toSeconds() + " s");
            throw new UserError("asking " + who + " failed: " + e.getCause());
        }
    }

    /**
     * This client routed to fleet node {@code node}: the same actor system, asking that node's management actor (found
     * by the connected node's fleet actor, from the cluster Receptionist). Close either one, not both.
     */
    ManagementClient routedTo(String node) {
        io.calisto.control.Fleet.Nodes found = ask(fleet(), r -> new io.calisto.control.Fleet.Lookup(node, r), "the fleet at " + at);
        if (found.nodes().isEmpty()) throw new UserError(found.error());
        return new ManagementClient(at, system, found.nodes().getFirst().management(), timeout);
    }

    /** The same client asking {@code management}, another node's management actor. Close either one, not both. */
    ManagementClient with(ActorRef<Management.Command> management) { return new ManagementClient(at, system, management, timeout); }

    ActorSystem<Void> system() { return system; }

    ActorRef<Management.Command> management() { return management; }

    Endpoint endpoint() { return at; }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the process is about to exit anyway
        }
    }
}
