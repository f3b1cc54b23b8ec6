package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppHandle;
import io.calisto.control.CoreEvent;
import io.calisto.control.Dataplane;
import io.calisto.control.Management;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * A handler that throws an Error kills its core-actor: the app's supervisor marks the core failed, the IO core takes
 * it back (event reason app-error) and counts what was queued there as app-error, and the app goes on being served
 * on its other cores, with every packet accounted for.
 */
class SupervisionTest {
    @Test
    void aCoreActorKilledByAnErrorLosesItsCoreOnlyAndTheAccountStaysExact() throws Exception {
        Config c = EndToEndTest.config(Map.of(
            "calisto.dispatch.policy", "modulo",
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 300,
            "calisto.cores.pool", List.of(0, 1, 2),
            "calisto.io.idle-strategy", "backoff"));
        AtomicLong handled = new AtomicLong(), afterDeath = new AtomicLong();
        long[] deathAt = {Long.MAX_VALUE};
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "supervision-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            TestProbe<CoreEvent> events = TestProbe.create(dp.controlSystem());
            TestProbe<Management.Reply> replies = TestProbe.create(dp.controlSystem());
            dp.management().tell(new Management.Subscribe(events.getRef(), replies.getRef()));
            replies.expectMessage(new Management.Done("subscribed"));
            AppSpec spec = new AppSpec("fragile", MatchRule.parse("dst-port=7"), core -> ctx -> {
                handled.incrementAndGet();
                if (System.nanoTime() > deathAt[0]) afterDeath.incrementAndGet();
                // core 1 dies on its 2000th packet, with packets still queued behind it
                if (core == 1 && handled.get() > 2000 && deathAt[0] == Long.MAX_VALUE) {
                    deathAt[0] = System.nanoTime();
                    throw new AssertionError("handler bug on core 1");
                }
            });
            AppHandle h = dp.register(apps, spec, 3, 3);
            dp.startRx();
            Thread.sleep(1500);
            dp.drainAndStop(Duration.ofSeconds(10));
            List<CoreEvent> seen = new ArrayList<>();
            for (CoreEvent e; (e = DynamicCoresTest.pollEvent(events)) != null; ) seen.add(e);
            assertTrue(seen.stream().anyMatch(e -> e instanceof CoreEvent.CoreRevoked r && r.core() == 1 && r.reason().equals("app-error")),
                "core 1 taken back for app-error: " + seen);
            assertEquals(1, h.runtime().failedCoreActors());
            assertEquals(List.of(0, 2), dp.stats().getFirst().heldCores(), "the app keeps its two live cores");
            assertTrue(afterDeath.get() > 1000, "served on its other cores after the death: " + afterDeath.get());
            RunSummary s = RunSummary.of(dp);
            long appErrors = dp.kernel().dropped(DropReason.APP_ERROR);
            assertEquals(h.dispatch().dispatched(1) - h.delivered(1), appErrors, "queued on the dead core = app-error");
            assertEquals(appErrors, s.dropped(), "nothing else dropped: " + s);
            assertEquals(0, s.unaccounted(), s.toString());
            assertEquals(s.delivered(), handled.get(), "every delivered packet reached the handler (the fatal one included)");
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }
}
