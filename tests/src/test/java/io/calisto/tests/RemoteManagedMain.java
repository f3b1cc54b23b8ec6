package io.calisto.tests;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.calisto.aeron.Streams;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.AppSummary;
import io.calisto.core.remote.ControlMessage;
import io.calisto.core.remote.RemoteApp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The echo app as a separate JVM that manages itself: {@code RemoteManagedMain AERON_DIR}. Registers with 0..2
 * cores and subscribes to its events, then on "go" (stdin) sets its limits to 1..2, waits for the guarantee grant,
 * sets its policy to modulo and to an unknown one, reads the stats and unsubscribes; on "ping" asks for stats once
 * more; exits when stdin closes. Every answer and event is one stdout line starting with '@' (log lines do not).
 */
public final class RemoteManagedMain {
    public static void main(String[] args) throws Exception {
        Config c = ConfigFactory.load();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "remote-managed", c);
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[0]));
        RemoteApp app = RemoteApp.connect(system, EchoApp.spec(c.getConfig("calisto.demo")), aeron, Streams.from(c.getConfig("calisto.aeron")),
            0, 2, Duration.ofSeconds(20));
        print("registered " + app.appId());
        CountDownLatch guarantee = new CountDownLatch(1);
        print("subscribe " + describe(app.subscribeEvents(e -> {
            print("event " + e.type() + " " + e.core() + " " + e.reason());
            if (e.reason().equals("guarantee")) guarantee.countDown();
        })));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        await(in, "go");
        print("limits " + describe(app.setCoreLimits(1, 2)));
        print("guarantee-event " + guarantee.await(10, TimeUnit.SECONDS));
        print("policy " + describe(app.setPolicy("modulo")));
        print("bad-policy " + describe(app.setPolicy("nope")));
        printStats(app.stats());
        print("unsubscribe " + describe(app.unsubscribeEvents()));
        print("end");
        await(in, "ping");
        print("pong " + (app.stats() instanceof ControlMessage.Stats));
        while (in.readLine() != null) { /* until the test closes stdin */ }
        app.close();
        system.terminate();
        System.exit(0);
    }

    static String describe(ControlMessage.Reply r) {
        return switch (r) {
            case ControlMessage.Done d -> "done " + d.text();
            case ControlMessage.Rejected x -> "rejected " + x.reason();
            case ControlMessage.Stats s -> "stats " + s.apps().length + " apps";
        };
    }

    /** One "@app" line per app and one "@core" line per pool core, as key=value pairs. */
    static void printStats(ControlMessage.Reply r) {
        if (!(r instanceof ControlMessage.Stats s)) {
            print("stats " + describe(r));
            return;
        }
        for (AppSummary a : s.apps()) {
            StringJoiner held = new StringJoiner(",");
            for (int core : a.heldCores()) held.add(Integer.toString(core));
            StringJoiner drops = new StringJoiner(",");
            for (int i = 0; i < a.drops().length; i++) drops.add(a.dropReasons()[i] + ":" + a.drops()[i]);
            print("app name=" + a.app() + " policy=" + a.policy() + " guaranteed=" + a.guaranteed() + " burstable=" + a.burstable()
                + " held=" + held + " grants=" + a.grants() + " yields=" + a.yields() + " preemptions=" + a.preemptions()
                + " revokes=" + a.revokes() + " migrated=" + a.migratedFlows() + " drops=" + drops);
            for (AppSummary.CoreSummary core : a.cores()) {
                print("core app=" + a.app() + " core=" + core.core() + " dispatched=" + core.dispatched() + " delivered=" + core.delivered()
                    + " queued=" + core.queuedBytes());
            }
        }
    }

    private static void await(BufferedReader in, String word) throws Exception {
        String line;
        while ((line = in.readLine()) != null && !line.equals(word)) { /* wait for the test */ }
        if (line == null) System.exit(3);
    }

    private static synchronized void print(String line) {
        System.out.println("@" + line);
        System.out.flush();
    }
}
