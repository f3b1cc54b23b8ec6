package io.calisto.control;

import io.calisto.core.serial.CalistoMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One dataplane's part in a fleet (a Pekko Cluster of {@code calisto serve}s), at {@code /system/fleet} of the
 * control-plane actor system. No protocol of our own: membership and reachability are Pekko Cluster's, the Split Brain
 * Resolver downs, the cluster Receptionist finds every node's management actor ({@link #MANAGEMENT}) and fleet actor
 * ({@link #FLEET}), and each node's core events go to the distributed pub-sub {@link Topic} {@link #TOPIC}, tagged
 * with the node's name.
 *
 * <p>A node's name is a cluster role, {@code calisto-node:NAME}, so every member knows every other member's name from
 * the cluster state alone, also of a member that is unreachable. A node's apps, cores and rx rate are asked of that
 * node ({@link GetNodeInfo}) when someone asks for the {@link Members}: never cached, so an unreachable or downed
 * node's apps are never reported as current ({@code current = false}, no apps).
 *
 * <p>Every message here that crosses JVMs is Kryo-serialized ({@link CalistoMessage}, ids 400-419 in control-plane's
 * reference.conf); the topic's own envelope is Pekko's (cluster-typed's serializer), wrapping our {@link NodeEvent}.
 */
public final class Fleet {
    /** Every node's management actor, for routed commands ({@code ctl --node NAME}). */
    public static final ServiceKey<Management.Command> MANAGEMENT = ServiceKey.create(Management.Command.class, "calisto-management");

    /** Every node's fleet actor (this), for node info and event following. */
    public static final ServiceKey<Command> FLEET = ServiceKey.create(Command.class, "calisto-fleet");

    /** The cluster role that carries a node's name. */
    public static final String ROLE_PREFIX = "calisto-node:";

    /** The distributed pub-sub topic of every node's core events. */
    public static final String TOPIC = "calisto-core-events";

    /** How long a {@link GetMembers} waits for each node's info before reporting it without (current = false). */
    static final Duration INFO_TIMEOUT = Duration.ofSeconds(2);

    public sealed interface Command extends CalistoMessage {}

    /** This node's name, address, port kind, apps, held cores and rx rate. */
    public record GetNodeInfo(ActorRef<NodeInfo> replyTo) implements Command {}

    /** Every member of the cluster as this node sees it, with the info of every reachable Up one. */
    public record GetMembers(ActorRef<Members> replyTo) implements Command {}

    /** The management actors of the Up, reachable nodes named {@code node}, or of all of them when node is empty. */
    public record Lookup(String node, ActorRef<Nodes> replyTo) implements Command {}

    /** Forward every node's core events, tagged with the node, to {@code subscriber} until it dies. */
    public record FollowEvents(ActorRef<NodeEvent> subscriber, ActorRef<Management.Reply> replyTo) implements Command {}

    public record NodeInfo(String node, String address, String port, List<String> apps, List<Integer> cores, long rxPackets, double rxRate)
        implements CalistoMessage {}

    /**
     * One member: {@code status} is Pekko's member status ({@code Joining}, {@code Up}, {@code Leaving}, {@code Exiting},
     * {@code Down}, ...) or {@code Unreachable} when the failure detector says so; {@code current} says whether apps,
     * cores and rx rate were just answered by that node (else they are empty and must not be read as its state).
     */
    public record Member(String node, String address, String status, boolean current, String port, List<String> apps, List<Integer> cores,
                         double rxRate) implements CalistoMessage {}

    public record Members(String self, List<Member> members) implements CalistoMessage {}

    public record Node(String node, String address, ActorRef<Management.Command> management) implements CalistoMessage {}

    /** The nodes found, or none and why ({@code error}, empty when some were found). */
    public record Nodes(List<Node> nodes, String error) implements CalistoMessage {}

    /** A core event of {@code node}. */
    public record NodeEvent(String node, CoreEvent event) implements CalistoMessage {}

    // local only: never cross JVMs, no Kryo id
    private record Local(CoreEvent event) implements Command {}

    private record Listing(Receptionist.Listing listing) implements Command {}

    private record RateTick() implements Command {}

    /** A Lookup retried: the named node is Up but its management actor is not in the Receptionist's listing yet. */
    private record LookupAgain(Lookup lookup, int attempt) implements Command {}

    /** A node's registration reaches the others' Receptionist after it is Up: wait for it this long before refusing. */
    private static final int LOOKUP_ATTEMPTS = 25;
    private static final Duration LOOKUP_RETRY = Duration.ofMillis(200);

    private final ActorContext<Command> ctx;
    private final String name;
    private final String port;
    private final ActorRef<Management.Command> management;
    private final LongSupplier rxPackets;
    private final Cluster cluster;
    private final ActorRef<Topic.Command<NodeEvent>> topic;
    private Set<ActorRef<Management.Command>> managers = Set.of();
    private Set<ActorRef<Command>> fleets = Set.of();
    private long lastRx, lastRxNanos;
    private double rxRate;

    private Fleet(ActorContext<Command> ctx, String name, String port, ActorRef<Management.Command> management, LongSupplier rxPackets) {
        this.ctx = ctx;
        this.name = name;
        this.port = port;
        this.management = management;
        this.rxPackets = rxPackets;
        this.cluster = Cluster.get(ctx.getSystem());
        this.topic = ctx.spawn(Topic.create(NodeEvent.class, TOPIC), "events-topic");
        this.lastRx = rxPackets.getAsLong();
        this.lastRxNanos = System.nanoTime();
    }

    /**
     * The fleet actor of node {@code name}: registers {@code management} and itself with the Receptionist, publishes
     * the events of {@code controlPlane} to the topic. {@code port} is the packet port kind (synthetic, pcap, dpdk).
     */
    public static Behavior<Command> create(String name, String port, ActorRef<Management.Command> management,
                                           ActorRef<ControlPlane.Command> controlPlane, LongSupplier rxPackets) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Fleet f = new Fleet(ctx, name, port, management, rxPackets);
            ActorRef<Receptionist.Command> receptionist = ctx.getSystem().receptionist();
            receptionist.tell(Receptionist.register(MANAGEMENT, management));
            receptionist.tell(Receptionist.register(FLEET, ctx.getSelf()));
            // one adapter per message class: both listings come through it, told apart by their key
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
            receptionist.tell(Receptionist.subscribe(MANAGEMENT, listings));
            receptionist.tell(Receptionist.subscribe(FLEET, listings));
            controlPlane.tell(new ControlPlane.Subscribe(ctx.messageAdapter(CoreEvent.class, Local::new)));
            timers.startTimerWithFixedDelay(new RateTick(), Duration.ofSeconds(1));
            return f.running();
        }));
    }

    /** The node name a member carries in its roles, or its address when it has none (not a calisto serve). */
    public static String nodeName(org.apache.pekko.cluster.Member m) {
        for (String r : m.getRoles()) if (r.startsWith(ROLE_PREFIX)) return r.substring(ROLE_PREFIX.length());
        return hostPort(m.address());
    }

    static String hostPort(Address a) {
        return a.host().isDefined() ? a.host().get() + ":" + a.port().get() : a.toString();
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
            .onMessage(Local.class, l -> {
                topic.tell(Topic.publish(new NodeEvent(name, l.event())));
                return Behaviors.same();
            })
            .onMessage(Listing.class, l -> {
                if (l.listing().isForKey(MANAGEMENT)) managers = l.listing().getServiceInstances(MANAGEMENT);
                else if (l.listing().isForKey(FLEET)) fleets = l.listing().getServiceInstances(FLEET);
                return Behaviors.same();
            })
            .onMessage(RateTick.class, t -> {
                long rx = rxPackets.getAsLong(), now = System.nanoTime();
                rxRate = (rx - lastRx) * 1e9 / Math.max(1, now - lastRxNanos);
                lastRx = rx;
                lastRxNanos = now;
                return Behaviors.same();
            })
            .onMessage(GetNodeInfo.class, this::nodeInfo)
            .onMessage(GetMembers.class, this::members)
            .onMessage(Lookup.class, l -> lookup(l, 0))
            .onMessage(LookupAgain.class, a -> lookup(a.lookup(), a.attempt()))
            .onMessage(FollowEvents.class, f -> {
                ctx.spawnAnonymous(follower(topic, f.subscriber()));
                f.replyTo().tell(new Management.Done("following the core events of every node"));
                return Behaviors.same();
            })
            .build();
    }

    private Behavior<Command> nodeInfo(GetNodeInfo g) {
        double rate = rxRate;
        long rx = rxPackets.getAsLong();
        // the apps come from this node's own management actor (it serializes access to the dataplane)
        CompletionStage<Management.Reply> stats = AskPattern.ask(management, Management.GetStats::new, INFO_TIMEOUT, ctx.getSystem().scheduler());
        stats.whenComplete((r, e) -> {
            List<String> apps = new ArrayList<>();
            Set<Integer> cores = new TreeSet<>();
            if (r instanceof Management.Stats s) {
                for (AppStats a : s.apps()) {
                    apps.add(a.app());
                    cores.addAll(a.heldCores());
                }
            }
            g.replyTo().tell(new NodeInfo(name, hostPort(cluster.selfMember().address()), port, List.copyOf(apps), List.copyOf(cores), rx, rate));
        });
        return Behaviors.same();
    }

    /** The fleet actor of each address, from the Receptionist's listing. */
    private Map<Address, ActorRef<Command>> fleetByAddress() {
        Map<Address, ActorRef<Command>> out = new HashMap<>();
        for (ActorRef<Command> f : fleets) out.put(address(f), f);
        return out;
    }

    /** A ref's node address; a local ref's address has no host, so it is this node's. */
    private Address address(ActorRef<?> ref) {
        Address a = ref.path().address();
        return a.hasLocalScope() ? cluster.selfMember().address() : a;
    }

    private Behavior<Command> members(GetMembers g) {
        var state = cluster.state();
        Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
        Map<Address, ActorRef<Command>> byAddress = fleetByAddress();
        List<CompletableFuture<Member>> rows = new ArrayList<>();
        for (org.apache.pekko.cluster.Member m : state.getMembers()) {
            boolean reachable = !unreachable.contains(m);
            String status = reachable ? m.status().toString() : "Unreachable";
            Member without = new Member(nodeName(m), hostPort(m.address()), status, false, "", List.of(), List.of(), 0);
            ActorRef<Command> f = byAddress.get(m.address());
            if (!reachable || f == null || !(m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())) {
                rows.add(CompletableFuture.completedFuture(without));
                continue;
            }
            CompletionStage<NodeInfo> info = AskPattern.ask(f, GetNodeInfo::new, INFO_TIMEOUT, ctx.getSystem().scheduler());
            rows.add(info.toCompletableFuture().handle((i, e) -> i == null ? without
                : new Member(without.node(), without.address(), status, true, i.port(), i.apps(), i.cores(), i.rxRate())));
        }
        CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            List<Member> out = new ArrayList<>();
            for (var r : rows) out.add(r.join());
            out.sort(Comparator.comparing(Member::node).thenComparing(Member::address));
            g.replyTo().tell(new Members(name, List.copyOf(out)));
        });
        return Behaviors.same();
    }

    private Behavior<Command> lookup(Lookup l, int attempt) {
        var state = cluster.state();
        Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
        Map<Address, org.apache.pekko.cluster.Member> live = new HashMap<>();
        Set<String> names = new TreeSet<>();
        for (org.apache.pekko.cluster.Member m : state.getMembers()) {
            if (m.status() != MemberStatus.up() || unreachable.contains(m)) continue;
            live.put(m.address(), m);
            names.add(nodeName(m));
        }
        List<Node> found = new ArrayList<>();
        for (ActorRef<Management.Command> ref : managers) {
            org.apache.pekko.cluster.Member m = live.get(address(ref));
            if (m == null) continue;
            if (l.node().isEmpty() || l.node().equals(nodeName(m))) found.add(new Node(nodeName(m), hostPort(m.address()), ref));
        }
        found.sort(Comparator.comparing(Node::node));
        // every live node (or the named one) must be listed; a just-Up node's registration may still be on its way
        boolean missing = l.node().isEmpty() ? found.size() < names.size() : found.isEmpty() && names.contains(l.node());
        if (missing && attempt < LOOKUP_ATTEMPTS) {
            ctx.scheduleOnce(LOOKUP_RETRY, ctx.getSelf(), new LookupAgain(l, attempt + 1));
            return Behaviors.same();
        }
        String error = !found.isEmpty() ? ""
            : l.node().isEmpty() ? "no node of the fleet is Up and reachable"
            : "no Up, reachable node named '" + l.node() + "' in the fleet (live: " + String.join(", ", names) + ")";
        l.replyTo().tell(new Nodes(List.copyOf(found), error));
        return Behaviors.same();
    }

    /** Subscribes to the topic and forwards to {@code subscriber} until it (a ctl in another JVM) goes away. */
    private static Behavior<NodeEvent> follower(ActorRef<Topic.Command<NodeEvent>> topic, ActorRef<NodeEvent> subscriber) {
        return Behaviors.<NodeEvent>setup(ctx -> {
            ctx.watch(subscriber);
            topic.tell(Topic.subscribe(ctx.getSelf()));
            return Behaviors.receive(NodeEvent.class)
                .onMessage(NodeEvent.class, e -> {
                    subscriber.tell(e);
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, t -> {
                    topic.tell(Topic.unsubscribe(ctx.getSelf()));
                    return Behaviors.stopped();
                })
                .build();
        });
    }
}
