package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.demo.EchoApp;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Synthetic port → IO thread → Aeron → core-actors → echo app → TX, with every packet accounted for. */
class EndToEndTest {

    static Config config(Map<String, Object> overrides) {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).resolve();
    }

    static RunSummary runToExhaustion(Config config, java.util.function.Consumer<Dataplane> check) throws Exception {
        return runToExhaustion(config, EchoApp.spec(config.getConfig("calisto.demo")), config.getInt("calisto.cores.guaranteed"),
            config.getInt("calisto.cores.burstable"), check);
    }

    /** Registers {@code spec}, feeds the synthetic port until it is exhausted, drains, checks, and returns the account. */
    static RunSummary runToExhaustion(Config config, io.calisto.core.AppSpec spec, int guaranteed, int burstable,
                                      java.util.function.Consumer<Dataplane> check) throws Exception {
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "e2e-apps", config);
        try (Dataplane dp = Dataplane.start(config, Ports.create(config))) {
            dp.register(apps, spec, guaranteed, burstable);
            dp.startRx();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!dp.kernel().rxExhausted() && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(dp.kernel().rxExhausted(), "synthetic port did not finish within 60 s");
            dp.drainAndStop(Duration.ofSeconds(10));
            check.accept(dp);
            return RunSummary.of(dp);
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"modulo", "affinity"})
    void everyGeneratedPacketIsDeliveredAndEchoed(String policy) throws Exception {
        int packets = 20_000;
        Config c = config(Map.of(
            "calisto.dispatch.policy", policy,
            "calisto.synthetic.max-packets", packets,
            "calisto.synthetic.rate", 100_000,
            "calisto.synthetic.flows", 500,
            // a cold JVM on 2 shared CPUs can stall a core-actor for tens of ms (JIT, GC): give each core's stream
            // ~50 ms of room so this test is about accounting, not about back pressure (which is counted elsewhere)
            "calisto.aeron.term-length", "4m",
            "calisto.synthetic.ipv6-fraction", 0.3,
            "calisto.synthetic.tcp-fraction", 0.3,
            "calisto.cores.guaranteed", 2,
            "calisto.cores.burstable", 2,
            "calisto.io.idle-strategy", "backoff"))
            // every flow followed: flowsSeen and migratedFlows below are exact counts, not a sample's estimate
            .withValue("calisto.dispatch.migration-sample", com.typesafe.config.ConfigValueFactory.fromAnyRef(1));
        RunSummary s = runToExhaustion(c, dp -> {
            AppHandle echo = dp.apps().getFirst();
            int[] cores = echo.dispatch().heldCores();
            assertEquals(2, cores.length);
            long perCoreDelivered = 0;
            for (int core : cores) {
                assertEquals(echo.dispatch().dispatched(core), echo.runtime().delivered(core), "core " + core);
                assertTrue(echo.runtime().delivered(core) > 0, "core " + core + " got no packet");
                perCoreDelivered += echo.runtime().delivered(core);
            }
            StringBuilder all = new StringBuilder();
            for (int core = 0; core < 8; core++) all.append(core).append(':').append(echo.dispatch().dispatched(core)).append('/').append(echo.runtime().delivered(core)).append(' ');
            assertEquals(packets, perCoreDelivered, "held " + java.util.Arrays.toString(cores) + " all " + all + " events " + echo.dispatch().schedEvents
                + " received " + dp.kernel().received() + " dropped " + dp.kernel().droppedTotal() + " exhausted " + dp.kernel().rxExhausted()
                + " generated " + ((io.calisto.io.port.SyntheticPort) dp.kernel().port()).generated()
                + " reasons " + java.util.Arrays.stream(DropReason.values()).map(r -> r.label() + "=" + dp.kernel().dropped(r)).toList());
            assertEquals(500, echo.dispatch().flowsSeen());
            // static cores: no policy moves a flow
            assertEquals(0, echo.dispatch().migratedFlows());
            for (DropReason r : DropReason.values()) assertEquals(0, dp.kernel().dropped(r), r.label());
            // the same counts reach other processes through the Aeron counters file (mirrored every millisecond)
            java.util.Map<String, Long> counters = new java.util.HashMap<>();
            var reader = dp.aeron().countersReader();
            long until = System.nanoTime() + 2_000_000_000L;
            do {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                reader.forEach((id, type, key, label) -> counters.put(label, reader.getCounterValue(id)));
            } while (counters.getOrDefault("calisto tx packets", 0L) != packets && System.nanoTime() < until);
            assertEquals(packets, counters.get("calisto rx packets"));
            assertEquals(packets, counters.get("calisto tx packets"));
            assertEquals(0, counters.get("calisto drops no-app"));
        });
        assertEquals(packets, s.received());
        assertEquals(packets, s.delivered());
        assertEquals(0, s.dropped());
        assertEquals(packets, s.replies());
        assertEquals(packets, s.transmitted());
        assertEquals(0, s.unaccounted());
    }

    @org.junit.jupiter.api.Test
    void packetsNoAppClaimsAreCountedAsNoApp() throws Exception {
        int packets = 3_000;
        Config c = config(Map.of(
            "calisto.synthetic.max-packets", packets,
            "calisto.synthetic.rate", 0,
            "calisto.synthetic.dst-port", 9999,
            "calisto.io.idle-strategy", "backoff"));
        RunSummary s = runToExhaustion(c, dp -> assertEquals(packets, dp.kernel().dropped(DropReason.NO_APP)));
        assertEquals(packets, s.received());
        assertEquals(0, s.delivered());
        assertEquals(packets, s.dropped());
        assertEquals(0, s.unaccounted());
    }

    @org.junit.jupiter.api.Test
    void aThrowingHandlerIsCountedAndTheCoreKeepsServing() throws Exception {
        int packets = 5_000;
        Config c = config(Map.of(
            "calisto.synthetic.max-packets", packets,
            "calisto.synthetic.rate", 100_000,
            "calisto.io.idle-strategy", "backoff"));
        java.util.concurrent.atomic.AtomicLong thrown = new java.util.concurrent.atomic.AtomicLong();
        var flaky = new io.calisto.core.AppSpec("flaky", io.calisto.aeron.MatchRule.parse("dst-port=7"), core -> ctx -> {
            if ((ctx.rssHash() & 1) == 0) {
                thrown.incrementAndGet();
                throw new IllegalStateException("boom");
            }
        });
        RunSummary s = runToExhaustion(c, flaky, 1, 1, dp -> assertEquals(thrown.get(), dp.apps().getFirst().runtime().handlerErrors()));
        assertTrue(thrown.get() > 0 && thrown.get() < packets, "some but not all flows throw: " + thrown.get());
        assertEquals(packets, s.delivered());
        assertEquals(0, s.unaccounted());
    }
}
