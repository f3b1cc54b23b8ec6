package io.calisto.tests;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.AppSummary;
import io.calisto.core.remote.RemoteApp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The echo app as a separate JVM that manages itself: {@code RemoteManagedMain DATAPLANE_ADDRESS}. Registers with
 * 0..2 cores over Pekko remoting and subscribes to its events, then on "go" (stdin) sets its limits to 1..2, waits for
 * the guarantee grant, sets its policy to modulo and to an unknown one, reads the stats and unsubscribes; on "ping"
 * asks for stats once more; on "quit" unregisters and exits 0; killed otherwise. Every answer and event is one stdout
 * line starting with '@' (log lines do not).
 */
public final class RemoteManagedMain {
    public static void main(String[] args) throws Exception {
        Config c = RemoteApp.remoteConfig(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "remote-managed", c);
        RemoteApp app = RemoteApp.connect(system, args[0], EchoApp.spec(c.getConfig("calisto.demo")), 0, 2, Duration.ofSeconds(20));
        print("registered " + app.appId());
        CountDownLatch guarantee = new CountDownLatch(1);
        print("subscribe " + attempt(() -> {
            app.subscribeEvents(e -> {
                print("event " + e.type() + " " + e.core() + " " + e.reason());
                if (e.reason().equals("guarantee")) guarantee.countDown();
            });
            return "subscribed";
        }));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        await(in, "go");
        print("limits " + attempt(() -> app.setCoreLimits(1, 2)));
        print("guarantee-event " + guarantee.await(10, TimeUnit.SECONDS));
        print("policy " + attempt(() -> app.setPolicy("modulo")));
        print("bad-policy " + attempt(() -> app.setPolicy("nope")));
        printStats(app.stats());
        print("unsubscribe " + attempt(() -> {
            app.unsubscribeEvents();
            return "unsubscribed";
        }));
        print("end");
        await(in, "ping");
        print("pong " + !app.stats().isEmpty());
        await(in, "quit");
        app.close();
        print("closed");
        system.terminate();
        System.exit(0);
    }

    /** "done TEXT", or "rejected REASON" with the dataplane's reason. */
    static String attempt(Supplier<String> call) {
        try {
            return "done " + call.get();
        } catch (RemoteApp.RejectedException e) {
            return "rejected " + e.getMessage();
        }
    }

    /** One "@app" line per app and one "@core" line per pool core, as key=value pairs. */
    static void printStats(List<AppSummary> apps) {
        for (AppSummary a : apps) {
            StringJoiner held = new StringJoiner(",");
            for (int core : a.heldCores()) held.add(Integer.toString(core));
            StringJoiner drops = new StringJoiner(",");
            for (int i = 0; i < a.drops().length; i++) drops.add(a.dropReasons()[i] + ":" + a.drops()[i]);
            print("app name=" + a.app() + " policy=" + a.policy() + " guaranteed=" + a.guaranteed() + " burstable=" + a.burstable()
                + " held=" + held + " grants=" + a.grants() + " yields=" + a.yields() + " preemptions=" + a.preemptions()
                + " revokes=" + a.revokes() + " migrated=" + a.migratedFlows() + " drops=" + drops);
            for (AppSummary.CoreSummary core : a.cores()) {
                print("core app=" + a.app() + " core=" + core.core() + " dispatched=" + core.dispatched() + " delivered=" + core.delivered()
                    + " queued=" + core.queued());
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
