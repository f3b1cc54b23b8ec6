package io.calisto.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.calisto.control.AppStats;
import io.calisto.control.CoreEvent;
import io.calisto.control.Json;
import io.calisto.control.Management;
import java.io.File;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code calisto ctl}: a short-lived client of a running {@code calisto serve}'s management actor. Exit codes: 0 done,
 * 1 refused by the dataplane (its reason on stderr, one line), 2 bad usage or the dataplane cannot be reached.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
    description = "Manage a running 'calisto serve': apps, cores, stats, events, policies, limits, drains, shutdown.",
    footer = {"Exit codes: 0 done, 1 refused by the dataplane (reason on stderr), 2 bad usage or dataplane unreachable."})
public final class CtlCommand {
    static final int REFUSED = 1;

    @Spec CommandSpec spec;

    @Option(names = "--connect", description = "HOST:PORT of serve's management endpoint, as in its ready line (default: calisto.serve.bind = 127.0.0.1:25520).")
    String connect;

    @Option(names = "--config", description = "HOCON file layered over the defaults (calisto.ctl.timeout, calisto.ctl.connect-timeout).")
    File configFile;

    @Option(names = "--node", paramLabel = "NAME", scope = picocli.CommandLine.ScopeType.INHERIT,
        description = "Fleet: send the command to node NAME's management actor, found through the node of --connect (see 'members').")
    String node;

    @Option(names = "--all-nodes", scope = picocli.CommandLine.ScopeType.INHERIT,
        description = "Fleet: set-policy on every node that has the app (reported per node); events from every node, each with a \"node\" field.")
    boolean allNodes;

    enum Format { table, json }

    private Config config() { return new Settings().file(configFile).load(); }

    private ManagementClient client() {
        if (node != null && allNodes) throw new UserError("--node and --all-nodes exclude each other");
        if (allNodes) throw new UserError("--all-nodes applies to set-policy and events; use --node NAME for one node");
        Config c = config();
        if (node != null) return connected(c).routedTo(node);
        return connected(c);
    }

    private ManagementClient connected(Config c) {
        return ManagementClient.connect(Endpoint.parse("--connect", connect != null ? connect : c.getString("calisto.serve.bind")), c);
    }

    /** The client of the --connect node itself (never routed by --node): fleet commands start there. */
    ManagementClient connectedClient() { return connected(config()); }

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }

    private static Format format(String f) {
        if (f == null) return Format.table;
        try {
            return Format.valueOf(f);
        } catch (IllegalArgumentException e) {
            throw new UserError("--format must be table or json, was '" + f + "'");
        }
    }

    // ---- reading ----

    @Command(name = "apps", description = "The registered apps: policy, core limits, held cores (from GetStats).")
    int apps(@Option(names = "--format", description = "table | json (default table)") String format) {
        Format f = format(format);
        List<AppStats> stats = stats();
        if (stats == null) return REFUSED;
        if (f == Format.json) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (AppStats s : stats) {
                ObjectNode o = a.addObject().put("name", s.app()).put("policy", s.policy()).put("guaranteed", s.guaranteed())
                    .put("burstable", s.burstable());
                s.heldCores().forEach(o.putArray("cores")::add);
                o.put("dispatched", s.cores().stream().mapToLong(AppStats.CoreStats::dispatched).sum());
                o.put("delivered", s.cores().stream().mapToLong(AppStats.CoreStats::delivered).sum());
            }
            out().println(Json.write(a));
        } else {
            Table t = new Table("APP", "POLICY", "GUARANTEED", "BURSTABLE", "CORES", "DISPATCHED", "DELIVERED");
            for (AppStats s : stats) {
                t.row(s.app(), s.policy(), s.guaranteed(), s.burstable(), s.heldCores().toString(),
                    s.cores().stream().mapToLong(AppStats.CoreStats::dispatched).sum(), s.cores().stream().mapToLong(AppStats.CoreStats::delivered).sum());
            }
            t.print(out());
        }
        return 0;
    }

    @Command(name = "cores", description = "Per pool core: the app holding it (or free) and its core slot state.")
    int cores(@Option(names = "--format", description = "table | json (default table)") String format) {
        Format f = format(format);
        List<AppStats> stats = stats();
        if (stats == null) return REFUSED;
        // every app has a slot on every pool core; the owner is the app that holds the core now
        Map<Integer, String> owner = new TreeMap<>(), state = new TreeMap<>();
        Map<Integer, Long> queued = new TreeMap<>();
        for (AppStats s : stats) {
            for (AppStats.CoreStats c : s.cores()) {
                owner.putIfAbsent(c.core(), null);
                if (s.heldCores().contains(c.core())) {
                    owner.put(c.core(), s.app());
                    state.put(c.core(), c.state());
                    queued.put(c.core(), c.queued());
                }
            }
        }
        if (f == Format.json) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (int core : owner.keySet()) {
                ObjectNode o = a.addObject().put("core", core);
                if (owner.get(core) == null) o.putNull("owner").put("state", "free");
                else o.put("owner", owner.get(core)).put("state", state.get(core)).put("queued", queued.get(core));
            }
            out().println(Json.write(a));
        } else {
            Table t = new Table("CORE", "OWNER", "STATE", "QUEUED");
            for (int core : owner.keySet()) {
                String o = owner.get(core);
                t.row(core, o == null ? "-" : o, o == null ? "free" : state.get(core), o == null ? "-" : queued.get(core));
            }
            t.print(out());
        }
        return 0;
    }

    @Command(name = "stats", description = "Every app's counters: per core dispatched/delivered/queued/state, drops by reason, scheduler events.")
    int stats(@Option(names = "--format", description = "table | json (default table)") String format) {
        Format f = format(format);
        List<AppStats> stats = stats();
        if (stats == null) return REFUSED;
        if (f == Format.json) {
            out().println(Json.write(stats));
            return 0;
        }
        for (AppStats s : stats) {
            out().printf("app %s  policy %s  guaranteed %d  burstable %d  holds %s%n", s.app(), s.policy(), s.guaranteed(), s.burstable(), s.heldCores());
            out().printf("  grants %d  yields %d  preemptions %d  revokes %d  migrated-flows %d  table-full-fallbacks %d%n",
                s.grants(), s.yields(), s.preemptions(), s.revokes(), s.migratedFlows(), s.tableFullFallbacks());
            StringBuilder drops = new StringBuilder();
            s.drops().forEach((reason, n) -> {
                if (n > 0) drops.append("  ").append(reason).append(' ').append(n);
            });
            out().println("  dropped" + (drops.isEmpty() ? " 0" : drops));
            Table t = new Table("  CORE", "DISPATCHED", "DELIVERED", "QUEUED", "STATE");
            for (AppStats.CoreStats c : s.cores()) t.row("  " + c.core(), c.dispatched(), c.delivered(), c.queued(), c.state());
            t.print(out());
        }
        return 0;
    }

    @Command(name = "events", description = {"Core events as JSON lines, as 'run --events jsonl' prints them: the retained history, "
        + "or with --follow every new one until Ctrl-C or the dataplane stops."})
    int events(@Option(names = "--follow", description = "Subscribe and print new events as they come.") boolean follow,
               @Option(names = "--format", description = "json (one object per line, the default) | table") String format) {
        Format f = format == null ? Format.json : format(format);
        Function<CoreEvent, String> line = f == Format.json ? CoreEvent::toJson
            : e -> String.format("%-14s %-10s core %-3d %-16s t_ns %d  signal %d", e.type(), e.app(), e.core(), e.reason(), e.tNanos(), e.signal());
        if (allNodes) return Fleets.events(this, follow, f == Format.json);
        try (ManagementClient c = client()) {
            if (!follow) {
                Management.Reply r = c.ask(Management.GetEvents::new);
                if (!(r instanceof Management.Events ev)) return refused(r);
                for (CoreEvent e : ev.events()) out().println(line.apply(e));
                if (ev.forgotten() > 0) err().println("calisto: " + ev.forgotten() + " older events are no longer kept (calisto.control.event-history)");
                out().flush();
                return 0;
            }
            PrintWriter out = out();
            CompletableFuture<Void> gone = new CompletableFuture<>();
            ActorRef<CoreEvent> printer = c.system().systemActorOf(follower(c.management(), CoreEvent.class, line, out, gone), "events", org.apache.pekko.actor.typed.Props.empty());
            Management.Reply r = c.ask(reply -> new Management.Subscribe(printer, reply));
            if (!(r instanceof Management.Done)) return refused(r);
            gone.join();
            err().println("calisto: the dataplane at " + c.endpoint() + " stopped");
            return 0;
        }
    }

    /** Prints each event at once; completes {@code gone} when the management actor (the dataplane) goes away. */
    /**
     * Prints a line per message of {@code type} at once; completes {@code gone} when {@code management} (the
     * connected node's management actor) goes away, so a follow ends with its dataplane.
     */
    static <T> Behavior<T> follower(ActorRef<Management.Command> management, Class<T> type, Function<T, String> line, PrintWriter out,
                                    CompletableFuture<Void> gone) {
        return Behaviors.<Object>setup(ctx -> {
            ctx.watch(management);
            return Behaviors.receive(Object.class)
                .onMessage(type, e -> {
                    out.println(line.apply(e));
                    out.flush();
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, t -> {
                    gone.complete(null);
                    return Behaviors.stopped();
                })
                .build();
        }).narrow();
    }

    @Command(name = "members", description = {"Fleet: every member of the cluster the node of --connect is in: node name, address, status "
        + "(Joining, Up, Unreachable, Leaving, Exiting, Down), port kind, apps, held cores, rx rate. Apps and cores are shown only "
        + "for members that are Up and answered now (current); never for an unreachable or downed one."})
    int members(@Option(names = "--format", description = "table | json (default table)") String format) {
        return Fleets.members(this, format(format));
    }

    // ---- changing ----

    @Command(name = "set-policy", description = "Swap APP's dispatch policy: modulo | affinity | affinity-held | affinity-rebind | affinity-published | affinity-prefill | affinity-hybrid | buckets.")
    int setPolicy(@Parameters(paramLabel = "APP") String app, @Parameters(paramLabel = "POLICY") String policy,
                  @Option(names = "--format", description = "table | json (default table)") String format) {
        if (allNodes) return Fleets.setPolicy(this, app, policy, format(format));
        return command(format, r -> new Management.SetPolicy(app, policy, r));
    }

    @Command(name = "prefill", description = "Swap APP's policy for affinity-prefill with the flows of FILE bound before its next packet "
        + "('HASH CORE' or 'udp|tcp SRC-IP SRC-PORT DST-IP DST-PORT CORE' a line; checked by the dataplane, with its RSS key and pool).")
    int prefill(@Parameters(paramLabel = "APP") String app, @Parameters(paramLabel = "FILE") java.io.File file,
                @Option(names = "--format", description = "table | json (default table)") String format) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file.toPath());
        } catch (java.io.IOException e) {
            throw new UserError("cannot read the prefill file " + file + ": " + e.getMessage());
        }
        return command(format, r -> new Management.PrefillFlows(app, file.getPath(), lines, r));
    }

    @Command(name = "limits", description = "Set APP's core limits: it always holds GUARANTEED cores and may burst to BURSTABLE.")
    int limits(@Parameters(paramLabel = "APP") String app, @Parameters(paramLabel = "GUARANTEED") int guaranteed,
               @Parameters(paramLabel = "BURSTABLE") int burstable,
               @Option(names = "--format", description = "table | json (default table)") String format) {
        return command(format, r -> new Management.SetCoreLimits(app, guaranteed, burstable, r));
    }

    @Command(name = "drain", description = "Take pool core CORE out of service (its owner's queue drains first).")
    int drain(@Parameters(paramLabel = "CORE") int core, @Option(names = "--format", description = "table | json (default table)") String format) {
        return command(format, r -> new Management.DrainCore(core, false, r));
    }

    @Command(name = "restore", description = "Put a drained core CORE back in service.")
    int restore(@Parameters(paramLabel = "CORE") int core, @Option(names = "--format", description = "table | json (default table)") String format) {
        return command(format, r -> new Management.DrainCore(core, true, r));
    }

    @Command(name = "unregister", description = "Unregister APP: stop classifying for it, drain its queues, count the rest as app-gone.")
    int unregister(@Parameters(paramLabel = "APP") String app, @Option(names = "--format", description = "table | json (default table)") String format) {
        return command(format, r -> new Management.UnregisterApp(app, r));
    }

    @Command(name = "shutdown", description = "Stop the dataplane as SIGTERM does: it drains, prints its summary and exits 0.")
    int shutdown(@Option(names = "--format", description = "table | json (default table)") String format) {
        return command(format, Management.Shutdown::new);
    }

    private int command(String format, Function<ActorRef<Management.Reply>, Management.Command> command) {
        Format f = format(format);
        try (ManagementClient c = client()) {
            Management.Reply r = c.ask(command);
            if (!(r instanceof Management.Done d)) return refused(r);
            out().println(f == Format.json ? Json.write(Json.object().put("done", d.what())) : d.what());
            return 0;
        }
    }

    /** GetStats, or null after printing the refusal. */
    private List<AppStats> stats() {
        try (ManagementClient c = client()) {
            Management.Reply r = c.ask(Management.GetStats::new);
            if (r instanceof Management.Stats s) return s.apps();
            refused(r);
            return null;
        }
    }

    private int refused(Management.Reply r) {
        String reason = r instanceof Management.Rejected rej ? rej.reason() : "unexpected answer " + r.getClass().getSimpleName();
        err().println("calisto: " + reason);
        return REFUSED;
    }

    /** Left-aligned columns, two spaces apart. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) { rows.add(header); }

        void row(Object... cells) {
            String[] r = new String[cells.length];
            for (int i = 0; i < cells.length; i++) r[i] = String.valueOf(cells[i]);
            rows.add(r);
        }

        void print(PrintWriter out) {
            int[] w = new int[rows.getFirst().length];
            for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
            for (String[] r : rows) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    b.append(r[i]);
                    if (i < r.length - 1) b.append(" ".repeat(w[i] - r[i].length() + 2));
                }
                out.println(b);
            }
            out.flush();
        }
    }
}
