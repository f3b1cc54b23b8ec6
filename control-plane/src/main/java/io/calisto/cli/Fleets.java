package io.calisto.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calisto.control.AppStats;
import io.calisto.control.CoreEvent;
import io.calisto.control.Fleet;
import io.calisto.control.Json;
import io.calisto.control.Management;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;

/** {@code ctl}'s fleet commands: {@code members}, {@code set-policy --all-nodes}, {@code events --all-nodes}. */
final class Fleets {
    private Fleets() {}

    static int members(CtlCommand ctl, CtlCommand.Format f) {
        try (ManagementClient c = ctl.connectedClient()) {
            Fleet.Members m = c.ask(c.fleet(), Fleet.GetMembers::new, "the fleet at " + c.endpoint());
            PrintWriter out = ctl.out();
            if (f == CtlCommand.Format.json) {
                ArrayNode a = Json.MAPPER.createArrayNode();
                for (Fleet.Member x : m.members()) {
                    ObjectNode o = a.addObject().put("node", x.node()).put("address", x.address()).put("status", x.status())
                        .put("current", x.current());
                    if (x.current()) {
                        o.put("port", x.port());
                        x.apps().forEach(o.putArray("apps")::add);
                        x.cores().forEach(o.putArray("cores")::add);
                        o.put("rx_rate", Math.round(x.rxRate()));
                    } else {
                        // not answered now: nothing of its state is reported as current
                        o.putNull("apps");
                        o.putNull("cores");
                    }
                }
                out.println(Json.write(a));
                out.flush();
            } else {
                CtlCommand.Table t = new CtlCommand.Table("NODE", "ADDRESS", "STATUS", "PORT", "APPS", "CORES", "RX/S");
                for (Fleet.Member x : m.members()) {
                    if (x.current()) t.row(x.node(), x.address(), x.status(), x.port(), String.join(",", x.apps()), x.cores(), Math.round(x.rxRate()));
                    else t.row(x.node(), x.address(), x.status(), "-", "?", "?", "-");
                }
                t.print(out);
            }
            return 0;
        }
    }

    /** set-policy on every live node that has {@code app}; a line (or object) per node; 1 if any refused or none has it. */
    static int setPolicy(CtlCommand ctl, String app, String policy, CtlCommand.Format f) {
        try (ManagementClient c = ctl.connectedClient()) {
            Fleet.Nodes nodes = c.ask(c.fleet(), r -> new Fleet.Lookup("", r), "the fleet at " + c.endpoint());
            if (nodes.nodes().isEmpty()) throw new UserError(nodes.error());
            ArrayNode a = Json.MAPPER.createArrayNode();
            CtlCommand.Table t = new CtlCommand.Table("NODE", "RESULT");
            int applied = 0, refused = 0;
            for (Fleet.Node n : nodes.nodes()) {
                String who = "node " + n.node();
                ObjectNode o = a.addObject().put("node", n.node());
                Management.Reply stats = c.ask(n.management(), Management.GetStats::new, who);
                boolean has = stats instanceof Management.Stats s && s.apps().stream().map(AppStats::app).anyMatch(app::equals);
                if (!has) {
                    o.put("skipped", "no app " + app);
                    t.row(n.node(), "skipped: no app " + app);
                    continue;
                }
                Management.Reply r = c.ask(n.management(), (ActorRef<Management.Reply> to) -> new Management.SetPolicy(app, policy, to), who);
                if (r instanceof Management.Done d) {
                    applied++;
                    o.put("done", d.what());
                    t.row(n.node(), d.what());
                } else {
                    refused++;
                    String why = r instanceof Management.Rejected rej ? rej.reason() : "unexpected answer " + r.getClass().getSimpleName();
                    o.put("rejected", why);
                    t.row(n.node(), "refused: " + why);
                }
            }
            if (f == CtlCommand.Format.json) ctl.out().println(Json.write(a));
            else t.print(ctl.out());
            ctl.out().flush();
            if (applied == 0 && refused == 0) ctl.err().println("calisto: no node of the fleet has an app named '" + app + "'");
            return refused > 0 || applied == 0 ? CtlCommand.REFUSED : 0;
        }
    }

    /** Every node's retained events, or with {@code follow} every new one from the topic, each with its node. */
    static int events(CtlCommand ctl, boolean follow, boolean json) {
        PrintWriter out = ctl.out();
        try (ManagementClient c = ctl.connectedClient()) {
            if (!follow) {
                Fleet.Nodes nodes = c.ask(c.fleet(), r -> new Fleet.Lookup("", r), "the fleet at " + c.endpoint());
                if (nodes.nodes().isEmpty()) throw new UserError(nodes.error());
                for (Fleet.Node n : nodes.nodes()) {
                    Management.Reply r = c.ask(n.management(), Management.GetEvents::new, "node " + n.node());
                    if (!(r instanceof Management.Events ev)) {
                        ctl.err().println("calisto: node " + n.node() + ": " + (r instanceof Management.Rejected rej ? rej.reason() : r));
                        continue;
                    }
                    for (CoreEvent e : ev.events()) out.println(line(n.node(), e, json));
                }
                out.flush();
                return 0;
            }
            ActorRef<Fleet.Command> fleet = c.fleet();
            CompletableFuture<Void> gone = new CompletableFuture<>();
            ActorRef<Fleet.NodeEvent> printer = c.system().systemActorOf(CtlCommand.follower(c.management(), Fleet.NodeEvent.class, e -> line(e.node(), e.event(), json), out, gone), "fleet-events", Props.empty());
            Management.Reply r = c.ask(fleet, (ActorRef<Management.Reply> to) -> new Fleet.FollowEvents(printer, to), "the fleet at " + c.endpoint());
            if (!(r instanceof Management.Done)) throw new UserError("the fleet at " + c.endpoint() + " refused: " + r);
            gone.join();
            ctl.err().println("calisto: the dataplane at " + c.endpoint() + " stopped");
            return 0;
        }
    }

    static String line(String node, CoreEvent e, boolean json) {
        if (!json) return String.format("%-12s %-14s %-10s core %-3d %-16s t_ns %d  signal %d", node, e.type(), e.app(), e.core(), e.reason(), e.tNanos(), e.signal());
        ObjectNode o = Json.object().put("node", node);
        o.setAll(e.toJsonNode());
        return Json.write(o);
    }

}
