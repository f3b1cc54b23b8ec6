package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.control.ControlPlane;
import io.calisto.control.Dataplane;
import io.calisto.control.Management;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * The dataplane's own management actor: an unexpected exception is answered and leaves the ref working, and an
 * unregistration that waits for a busy core-actor does not hold up the control system's default dispatcher (given a
 * single thread here, so one blocked actor on it would stop the ControlPlane guardian too).
 */
class ManagementThreadingTest {
    static Config config() {
        return ConfigFactory.parseString("""
            pekko.actor.default-dispatcher {
              executor = "thread-pool-executor"
              thread-pool-executor.fixed-pool-size = 1
            }
            """).withFallback(EndToEndTest.config(Map.of(
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 200,
            "calisto.cores.pool", List.of(0, 1),
            "calisto.run.drain-timeout", "20s",
            "calisto.io.idle-strategy", "backoff"))).resolve();
    }

    @Test
    void anUnexpectedExceptionIsRejectedAndTheSameRefAnswersTheNextCommand() throws Exception {
        Config c = config();
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            TestProbe<Management.Reply> replies = TestProbe.create(dp.controlSystem());
            dp.management().tell(new Management.RegisterApp(null, null, 1, 1, replies.getRef())); // a NullPointerException inside
            Management.Reply r = replies.receiveMessage(Duration.ofSeconds(10));
            assertTrue(r instanceof Management.Rejected x && x.reason().startsWith("NullPointerException") && !x.reason().contains("\n"), r.toString());
            dp.management().tell(new Management.GetStats(replies.getRef()));
            assertEquals(new Management.Stats(List.of()), replies.receiveMessage(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aDrainingUnregistrationLeavesTheDefaultDispatcherFree() throws Exception {
        Config c = config();
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "threading-apps", c);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            dp.register(apps, new AppSpec("slow", MatchRule.parse("dst-port=7"), core -> ctx -> {
                if (held.getCount() > 0) {
                    held.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }), 1, 1);
            dp.startRx();
            assertTrue(held.await(20, TimeUnit.SECONDS), "the slow app got its first packet");
            TestProbe<Management.Reply> replies = TestProbe.create(dp.controlSystem());
            dp.management().tell(new Management.UnregisterApp("slow", replies.getRef()));
            Thread.sleep(300); // the unregistration is now waiting for the held packet to be consumed
            // the ControlPlane guardian runs on the default dispatcher: it answers while management waits
            ControlPlane.History h = AskPattern.<ControlPlane.Command, ControlPlane.History>ask(dp.controlSystem(), ControlPlane.GetEvents::new,
                Duration.ofSeconds(3), dp.controlSystem().scheduler()).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(h.events().size() >= 1, "the guarantee grant of slow: " + h.events());
            replies.expectNoMessage(Duration.ofMillis(100));
            release.countDown();
            Management.Reply r = replies.receiveMessage(Duration.ofSeconds(20));
            assertTrue(r instanceof Management.Done d && d.what().startsWith("unregistered slow, "), r.toString());
        } finally {
            release.countDown();
            apps.terminate();
        }
    }
}
