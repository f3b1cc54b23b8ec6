package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppStats;
import io.calisto.control.CoreEvent;
import io.calisto.control.Dataplane;
import io.calisto.control.Management;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import io.calisto.core.demo.EchoApp;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management actor: every command answered, invalid ones rejected with the reason. */
class ManagementTest {
    Config config;
    Dataplane dp;
    ActorSystem<Void> apps;
    TestProbe<Management.Reply> replies;

    @BeforeEach
    void start() {
        config = EndToEndTest.config(Map.of(
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 200,
            "calisto.cores.pool", java.util.List.of(0, 1, 2),
            "calisto.io.idle-strategy", "backoff"));
        dp = Dataplane.start(config, Ports.create(config));
        apps = ActorSystem.create(Behaviors.empty(), "mgmt-apps", config);
        replies = TestProbe.create(dp.controlSystem());
        dp.startRx();
    }

    @AfterEach
    void stop() throws Exception {
        dp.close();
        apps.terminate();
        apps.getWhenTerminated().toCompletableFuture().get();
    }

    Management.Reply ask(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<Management.Reply>, Management.Command> c) {
        dp.management().tell(c.apply(replies.getRef()));
        return replies.receiveMessage(Duration.ofSeconds(15));
    }

    AppSpec echo() { return EchoApp.spec(config.getConfig("calisto.demo")); }

    @Test
    void registrationIsAnsweredAndEventsArriveInOrder() {
        TestProbe<CoreEvent> events = TestProbe.create(dp.controlSystem());
        assertEquals(new Management.Done("subscribed"), ask(r -> new Management.Subscribe(events.getRef(), r)));
        assertEquals(new Management.Registered("echo", 0), ask(r -> new Management.RegisterApp(apps, echo(), 2, 3, r)));
        CoreEvent first = events.receiveMessage(Duration.ofSeconds(5));
        CoreEvent second = events.receiveMessage(Duration.ofSeconds(5));
        assertEquals(new CoreEvent.CoreGranted("echo", 0, "guarantee", first.tNanos(), 0), first);
        assertEquals(new CoreEvent.CoreGranted("echo", 1, "guarantee", second.tNanos(), 0), second);
        assertTrue(second.tNanos() >= first.tNanos());
    }

    @Test
    void invalidCommandsAreRejectedWithTheReason() {
        ask(r -> new Management.RegisterApp(apps, echo(), 1, 2, r));
        assertEquals(new Management.Rejected("an app named echo is already registered"),
            ask(r -> new Management.RegisterApp(apps, echo(), 1, 2, r)));
        assertEquals(new Management.Rejected("core limits of app other must satisfy 0 <= guaranteed <= burstable <= 3 (pool size) and burstable >= 1, were guaranteed=3 burstable=2"),
            ask(r -> new Management.RegisterApp(apps, new AppSpec("other", MatchRule.parse("dst-port=9"), c -> ctx -> {}), 3, 2, r)));
        assertEquals(new Management.Rejected("unknown dispatch policy 'random' (modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets)"),
            ask(r -> new Management.SetPolicy("echo", "random", r)));
        assertEquals(new Management.Rejected("no app named 'nope'"), ask(r -> new Management.SetPolicy("nope", "modulo", r)));
        assertEquals(new Management.Rejected("core 7 is not in calisto.cores.pool"), ask(r -> new Management.DrainCore(7, false, r)));
        assertEquals(new Management.Rejected("guarantees would total 4 cores, the pool has 3"),
            ask(r -> {
                dp.register(apps, new AppSpec("b", MatchRule.parse("dst-port=9"), c -> ctx -> {}), 1, 1);
                return new Management.SetCoreLimits("echo", 3, 3, r);
            }));
        assertEquals(new Management.Rejected("no app named 'ghost'"), ask(r -> new Management.UnregisterApp("ghost", r)));
    }

    @Test
    void prefillSwapsInAffinityPrefillWithTheFlowsOrRejectsTheBadLine() {
        ask(r -> new Management.RegisterApp(apps, echo(), 1, 3, r));
        assertEquals(new Management.Rejected("flows.txt:2: core 9 is not in calisto.cores.pool [0, 1, 2]"),
            ask(r -> new Management.PrefillFlows("echo", "flows.txt", java.util.List.of("0x10 2", "0x11 9"), r)));
        assertEquals("affinity", ((Management.Stats) ask(r -> new Management.GetStats(r))).apps().getFirst().policy());
        assertEquals(new Management.Done("echo now dispatches with affinity-prefill, 2 flows bound"),
            ask(r -> new Management.PrefillFlows("echo", "flows.txt", java.util.List.of("# two flows", "0x10 2", "udp 10.0.0.2 5000 10.0.0.1 7 1"), r)));
        assertEquals("affinity-prefill", ((Management.Stats) ask(r -> new Management.GetStats(r))).apps().getFirst().policy());
        assertEquals(new Management.Rejected("no app named 'nope'"), ask(r -> new Management.PrefillFlows("nope", "f", java.util.List.of(), r)));
    }

    @Test
    void policySwapLimitsDrainAndStatsTakeEffect() {
        ask(r -> new Management.RegisterApp(apps, echo(), 1, 3, r));
        assertEquals(new Management.Done("echo now dispatches with modulo"), ask(r -> new Management.SetPolicy("echo", "modulo", r)));
        assertEquals(new Management.Done("echo limits guaranteed=2 burstable=2"), ask(r -> new Management.SetCoreLimits("echo", 2, 2, r)));
        // the new guarantee is met by the next scheduler checks
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        AppStats polled;
        do {
            polled = ((Management.Stats) ask(r -> new Management.GetStats(r))).apps().getFirst();
        } while (polled.heldCores().size() < 2 && System.nanoTime() < deadline);
        AppStats s = polled;
        assertEquals("modulo", s.policy());
        assertEquals(2, s.guaranteed());
        assertEquals(2, s.heldCores().size());
        assertEquals(3, s.cores().size());
        // the one pool core echo does not hold can go out of service; one of its guaranteed cores cannot
        int spare = java.util.stream.IntStream.of(0, 1, 2).filter(c -> !s.heldCores().contains(c)).findFirst().getAsInt();
        int held = s.heldCores().getFirst();
        assertEquals(new Management.Done("drained core " + spare), ask(r -> new Management.DrainCore(spare, false, r)));
        assertEquals(new Management.Rejected("core " + spare + " is already out of service"), ask(r -> new Management.DrainCore(spare, false, r)));
        assertEquals(new Management.Rejected("core " + held + " holds part of app echo's guarantee of 2"), ask(r -> new Management.DrainCore(held, false, r)));
        assertEquals(new Management.Done("restored core " + spare), ask(r -> new Management.DrainCore(spare, true, r)));
    }

    @Test
    void unregisterDrainsThenCountsTheRestAsAppGone() throws Exception {
        ask(r -> new Management.RegisterApp(apps, echo(), 1, 2, r));
        Thread.sleep(500);
        Management.Reply reply = ask(r -> new Management.UnregisterApp("echo", r));
        assertTrue(reply instanceof Management.Done d && d.what().startsWith("unregistered echo, "), reply.toString());
        assertTrue(((Management.Stats) ask(r -> new Management.GetStats(r))).apps().isEmpty());
        dp.drainAndStop(Duration.ofSeconds(5));
        RunSummary s = RunSummary.of(dp);
        assertTrue(s.received() > 0);
        // packets after unregistration match no app; the account still closes
        assertTrue(dp.kernel().dropped(DropReason.NO_APP) > 0);
        assertEquals(0, s.unaccounted(), s.toString());
    }
}
