package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppStats;
import io.calisto.control.ControlPlane;
import io.calisto.control.CoreEvent;
import io.calisto.control.Dataplane;
import io.calisto.control.Management;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import io.calisto.control.RunSummary;
import io.calisto.core.remote.AppProtocol;
import io.calisto.core.remote.RemoteApp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * An application in a second JVM manages itself over Pekko remoting: its limits and policy really change, an invalid
 * policy comes back with the dataplane's reason, its stats match the dataplane's, and the core events it receives are
 * exactly the dataplane's events for it (not another app's), in order, until it unsubscribes. Another JVM cannot act
 * for it, and its clean unregistration loses nothing.
 */
class RemoteManagementTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int PACKETS = 2000;

    @Test
    void appInAnotherJvmManagesItselfAndReceivesItsEventsInOrder() throws Exception {
        Config c = config(Map.of(
            // arrival grants are the scheduler's; the paper's rule (affinity) would grant flows' bound cores instead
            "calisto.dispatch.policy", "affinity-held",
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 200,
            "calisto.synthetic.max-packets", PACKETS,
            "calisto.cores.pool", List.of(0, 1, 2),
            "calisto.io.idle-strategy", "backoff"));
        ActorSystem<Void> localApps = ActorSystem.create(Behaviors.empty(), "local-apps", c);
        Process remote = null;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            dp.register(localApps, new AppSpec("local", MatchRule.parse("dst-port=9"), core -> ctx -> {}), 0, 1);
            String address = dp.controlSystem().address().toString();
            remote = java(RemoteManagedMain.class, address);
            Lines out = new Lines(remote);
            Writer in = new OutputStreamWriter(remote.getOutputStream(), StandardCharsets.UTF_8);
            String registered = out.next();
            assertTrue(registered.startsWith("registered "), out.toString());
            assertEquals("subscribe done subscribed", out.next());
            // another app's core event while echo is subscribed: echo must not get it
            assertEquals(new Management.Done("local limits guaranteed=1 burstable=1"), ask(dp, r -> new Management.SetCoreLimits("local", 1, 1, r)));
            waitFor(() -> eventsOf(dp, "local").stream().anyMatch(e -> e.endsWith(" guarantee")), "local's guarantee grant", dp);

            // traffic before the first command: arrival grants, maybe congestion grants, then yields once it stops
            dp.startRx();
            waitFor(() -> echo(dp).heldCores().isEmpty()
                && echo(dp).cores().stream().mapToLong(AppStats.CoreStats::delivered).sum() == PACKETS, "echo served every packet and went idle", dp);
            tell(in, "go");

            assertEquals("limits done echo limits guaranteed=1 burstable=2", out.next());
            assertEquals("guarantee-event true", out.next(), "the remote app saw its guarantee grant");
            assertEquals("policy done echo now dispatches with modulo", out.next());
            String reason = ((Management.Rejected) ask(dp, r -> new Management.SetPolicy("echo", "nope", r))).reason();
            assertEquals("bad-policy rejected " + reason, out.next(), "the dataplane's own message");
            AppStats echo = echo(dp);
            assertEquals("modulo", echo.policy());
            assertEquals(1, echo.guaranteed());
            assertEquals(2, echo.burstable());
            assertEquals(1, echo.heldCores().size());

            // stats: the state is at rest (no traffic, guarantees met), so the remote copy equals the dataplane's
            List<AppStats> now = dp.stats();
            for (AppStats a : now) {
                Map<String, String> line = keyValues(out.next(), "app");
                assertEquals(a.app(), line.get("name"));
                assertEquals(a.policy(), line.get("policy"));
                assertEquals(a.guaranteed() + "/" + a.burstable(), line.get("guaranteed") + "/" + line.get("burstable"));
                assertEquals(a.heldCores().stream().map(String::valueOf).collect(Collectors.joining(",")), line.get("held"));
                assertEquals(List.of(a.grants(), a.yields(), a.preemptions(), a.revokes(), a.migratedFlows()),
                    List.of(Long.parseLong(line.get("grants")), Long.parseLong(line.get("yields")), Long.parseLong(line.get("preemptions")),
                        Long.parseLong(line.get("revokes")), Long.parseLong(line.get("migrated"))), a.app());
                assertEquals(a.drops().entrySet().stream().map(d -> d.getKey() + ":" + d.getValue()).collect(Collectors.joining(",")), line.get("drops"));
                for (AppStats.CoreStats core : a.cores()) {
                    Map<String, String> cl = keyValues(out.next(), "core");
                    assertEquals(a.app() + " " + core.core() + " " + core.dispatched() + " " + core.delivered() + " " + core.queued(),
                        cl.get("app") + " " + cl.get("core") + " " + cl.get("dispatched") + " " + cl.get("delivered") + " " + cl.get("queued"));
                }
            }
            assertEquals(PACKETS, echo.cores().stream().mapToLong(AppStats.CoreStats::dispatched).sum());
            assertEquals("unsubscribe done unsubscribed", out.next());
            assertEquals("end", out.next());

            // the events the remote JVM got are the dataplane's events for echo, same order, nothing more (none of local's)
            List<String> published = eventsOf(dp, "echo");
            assertEquals(published, out.events, "remote events vs the control plane's record for echo");
            assertTrue(published.getFirst().endsWith(" arrival") && published.getLast().endsWith(" guarantee")
                && published.stream().anyMatch(e -> e.startsWith("CoreYielded ")), "expected arrival grant .. yield .. guarantee: " + published);

            // after unsubscribing: an event for echo is published, and the next answer arrives with no event before it
            int before = published.size();
            assertEquals(new Management.Done("echo limits guaranteed=0 burstable=2"), ask(dp, r -> new Management.SetCoreLimits("echo", 0, 2, r)));
            waitFor(() -> eventsOf(dp, "echo").size() > before, "echo's idle core yields once it is no longer guaranteed", dp);
            tell(in, "ping");
            assertEquals("pong true", out.next());
            assertEquals(before, out.events.size(), "events after unsubscribing: " + out.events);

            // another JVM cannot act for echo: the management actor takes only registrations, an app's commands go to its session
            ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), "forger", RemoteApp.remoteConfig(c));
            try {
                ActorRef<AppProtocol.Command> mgmt = ActorRefResolver.get(other).resolveActorRef(address + RemoteApp.MANAGEMENT_PATH);
                AppProtocol.Reply r = AskPattern.<AppProtocol.Command, AppProtocol.Reply>ask(mgmt, to -> new AppProtocol.SetPolicy("affinity", to),
                    WAIT, other.scheduler()).toCompletableFuture().get();
                assertEquals(new AppProtocol.Rejected("send SetPolicy to the session the registration returned, not to the management actor"), r);
                ActorRef<AppProtocol.Notice> nobody = other.systemActorOf(Behaviors.empty(), "nobody", org.apache.pekko.actor.typed.Props.empty());
                r = AskPattern.<AppProtocol.Command, AppProtocol.Reply>ask(mgmt, to -> new AppProtocol.Register("echo", "dst-port=7", 0, 1, nobody, to),
                    WAIT, other.scheduler()).toCompletableFuture().get();
                assertEquals(new AppProtocol.Rejected("an app named echo is already registered"), r);
            } finally {
                other.terminate();
            }
            assertEquals("modulo", echo(dp).policy());

            // a clean unregistration: the app's cores are free at once and nothing it was sent is lost
            tell(in, "quit");
            assertEquals("closed", out.next());
            assertTrue(remote.waitFor(20, TimeUnit.SECONDS), "the remote app exits after closing");
            assertEquals(0, remote.exitValue(), out.toString());
            assertTrue(dp.stats().stream().noneMatch(a -> a.app().equals("echo")), "echo unregistered: " + dp.stats());
            dp.drainAndStop(Duration.ofSeconds(5));
            RunSummary s = RunSummary.of(dp);
            assertEquals(0, s.unaccounted(), s.toString());
            assertEquals(PACKETS, s.delivered(), s.toString());
        } finally {
            if (remote != null) remote.destroyForcibly();
            localApps.terminate();
        }
    }

    /** {@link EndToEndTest#config} with the dataplane's remoting on: Artery TCP on 127.0.0.1, a free port. */
    static Config config(Map<String, Object> overrides) {
        Map<String, Object> all = new HashMap<>(overrides);
        all.put("pekko.actor.provider", "remote");
        all.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
        all.put("pekko.remote.artery.canonical.port", 0);
        return EndToEndTest.config(all);
    }

    /** Starts {@code main} in a second JVM with this JVM's classpath and flags. */
    static Process java(Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The other JVM's '@' lines: events apart (as "TYPE CORE REASON"), everything else in order. Log lines are kept for failure messages. */
    static final class Lines {
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final StringBuffer all = new StringBuffer();

        Lines(Process p) {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line; (line = r.readLine()) != null; ) {
                        all.append(line).append('\n');
                        if (line.startsWith("@event ")) events.add(line.substring(7));
                        else if (line.startsWith("@")) answers.add(line.substring(1));
                    }
                } catch (java.io.IOException e) {
                    all.append(e).append('\n');
                }
            });
        }

        String next() throws InterruptedException {
            String line = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) throw new AssertionError("no line from the remote app within " + WAIT.toSeconds() + " s; it printed:\n" + all);
            return line;
        }

        @Override
        public String toString() { return all.toString(); }
    }

    static Map<String, String> keyValues(String line, String kind) {
        assertTrue(line.startsWith(kind + " "), "expected a " + kind + " line, got: " + line);
        Map<String, String> m = new HashMap<>();
        for (String kv : line.substring(kind.length() + 1).split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    static List<String> eventsOf(Dataplane dp, String app) throws Exception {
        ControlPlane.History history = AskPattern.<ControlPlane.Command, ControlPlane.History>ask(dp.controlSystem(), ControlPlane.GetEvents::new, WAIT,
            dp.controlSystem().scheduler()).toCompletableFuture().get();
        assertEquals(0, history.forgotten(), "the test compares whole histories: none may have been dropped");
        return history.events().stream().filter(e -> e.app().equals(app)).map(e -> e.getClass().getSimpleName() + " " + e.core() + " " + e.reason()).toList();
    }

    static Management.Reply ask(Dataplane dp, java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<Management.Reply>, Management.Command> c)
        throws Exception {
        return AskPattern.<Management.Command, Management.Reply>ask(dp.management(), c::apply, WAIT, dp.controlSystem().scheduler())
            .toCompletableFuture().get();
    }

    static AppStats echo(Dataplane dp) {
        return dp.stats().stream().filter(a -> a.app().equals("echo")).findFirst().orElseThrow(() -> new AssertionError("echo is not registered"));
    }

    static void tell(Writer in, String line) throws Exception {
        in.write(line + "\n");
        in.flush();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check ok, String what, Dataplane dp) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ok.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what + "; stats " + dp.stats());
            Thread.sleep(10);
        }
    }
}
