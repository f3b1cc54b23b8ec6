package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.calisto.control.Dataplane;
import io.calisto.control.Fleet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;

/**
 * {@code serve --cluster-seed}: the dataplane's control-plane actor system ("calisto") as a member of a Pekko Cluster.
 * Only {@code pekko.actor.provider} and the seed nodes and roles change: the transport (Artery, and whatever TLS
 * settings the management endpoint has) is the one {@link Remoting#on} set. The cluster's failure detector, the Split
 * Brain Resolver (keep-majority) and their timings are in control-plane's reference.conf.
 */
final class FleetConfig {
    private FleetConfig() {}

    /** A fleet member needs a port others can name: port 0 becomes a free port picked now. */
    static Endpoint fixedPort(Endpoint at) {
        if (at.port() != 0) return at;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(at.address("--bind"), 0));
            return new Endpoint(at.host(), s.getLocalPort());
        } catch (IOException e) {
            throw new UserError("cannot find a free port on " + at.host() + ": " + e.getMessage());
        }
    }

    /** The node name ({@code --node-name}, else HOST:PORT of the bind). */
    static String nodeName(String nodeName, Endpoint at) {
        String n = nodeName != null ? nodeName.strip() : at.toString();
        if (n.isEmpty() || n.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new UserError("--node-name must be a non-empty name without spaces, was '" + nodeName + "'");
        }
        return n;
    }

    /** {@code remoting} (Remoting.on's config) turned into a cluster member's: provider cluster, the seeds, the name as a role. */
    static Config cluster(Config remoting, String seeds, String name) {
        List<String> seedNodes = new ArrayList<>();
        for (String s : seeds.split(",")) {
            if (s.isBlank()) continue;
            Endpoint e = Endpoint.parse("--cluster-seed", s);
            if (e.port() == 0) throw new UserError("--cluster-seed " + s.strip() + ": a seed needs its port");
            seedNodes.add("pekko://calisto@" + e);
        }
        if (seedNodes.isEmpty()) throw new UserError("--cluster-seed needs at least one HOST:PORT");
        return ConfigFactory.empty()
            .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(Fleet.ROLE_PREFIX + name)))
            .withFallback(remoting);
    }

    /**
     * Starts the fleet actor ({@code /system/fleet}) of a started dataplane and has {@code stop} completed when this
     * node is removed from the cluster (downed by the Split Brain Resolver on the minority side of a partition, or by
     * an operator): its actor system cannot rejoin, so serve stops (drains, summary) and is to be restarted.
     */
    static void join(Dataplane dp, Config config, String name, String seeds, CompletableFuture<String> stop, PrintWriter out) {
        var system = dp.controlSystem();
        system.systemActorOf(Fleet.create(name, config.getString("calisto.run.port"), dp.management(), system, () -> dp.kernel().received()),
            "fleet", Props.empty());
        Cluster.get(Adapter.toClassic(system)).registerOnMemberRemoved(() -> stop.complete("removed from the fleet: left, or downed by the split brain resolver"));
        out.println("fleet node=" + name + " seeds=" + seeds.strip());
        out.flush();
    }
}
