package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Subscription;
import io.calisto.aeron.CounterTypes;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.core.AppSpec;
import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import io.calisto.io.port.TxBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * App ids are reused (docs/decisions.md, "App ids are reused"): a standing dataplane survives any number of
 * registrations, an id comes back FIFO only once everything keyed by it is gone, and its next holder starts clean:
 * its own packets only, counters from 0, its guaranteed cores. Real registrations through a {@link Dataplane} (the
 * real retirement path), packets from a port the test feeds.
 */
class AppIdReuseTest {
    static final int MAX_APPS = 3;
    private final FedPort port = new FedPort();
    private ActorSystem<Void> appSystem;
    private Dataplane dp;

    @BeforeEach
    void start() {
        ConfigFactory.invalidateCaches();
        Config c = ConfigFactory.parseMap(Map.of(
                "calisto.cores.pool", List.of(0, 1),
                "calisto.cores.guaranteed", 1,
                "calisto.cores.burstable", 2,
                "calisto.control.max-apps", MAX_APPS,
                "calisto.aeron.term-length", "64k",
                "calisto.io.idle-strategy", "backoff",
                "calisto.dispatch.policy", "modulo"))
            .withFallback(ConfigFactory.load()).resolve();
        appSystem = ActorSystem.create(Behaviors.empty(), "app-id-reuse", c);
        dp = Dataplane.start(c, port);
        dp.startRx();
    }

    @AfterEach
    void stop() throws Exception {
        if (dp != null) dp.close();
        appSystem.terminate();
        appSystem.getWhenTerminated().toCompletableFuture().get();
    }

    /**
     * Registered as an app in another JVM is (its core-actors left out: a local registration starts a thread per pool
     * core and costs ~4x more here), then unregistered by the same path a remote app's own Unregister takes.
     */
    private AppHandle churnOnce(String name) {
        AppHandle h = dp.prepareRemote(name, MatchRule.parse("dst-port=9"), 0, 1);
        dp.activateRemote(h);
        assertTrue(dp.appIdsHeld() <= MAX_APPS, "ids held " + dp.appIdsHeld());
        assertEquals(0, dp.unregisterRemote(name, Duration.ZERO));
        return h;
    }

    @Test
    void aThousandRegistrationsInARowAllSucceedAndIdsComeBackFifo() {
        AppHandle steady = dp.register(appSystem, spec("steady", new AtomicLongArray(4)), 1, 1);
        assertEquals(0, steady.appId());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            AppHandle h = churnOnce("churn");
            ids.add(h.appId());
            assertEquals(1, dp.appIdsHeld(), "only steady's id is held after unregistration " + i);
            // its streams are closed: a TX subscription left open would join the next holder's replies
            assertTrue(h.dispatch().tx().isClosed(), "TX subscription of registration " + i);
            for (int core : dp.pool()) assertTrue(h.dispatch().rxByCore(core).isClosed(), "RX publication of registration " + i);
        }
        // the id free the longest comes first: 1..255 (0 is steady's), then 1..255 again
        for (int i = 0; i < ids.size(); i++) assertEquals(1 + i % 255, ids.get(i), "registration " + i);
        assertEquals(List.of(steady), dp.apps());
        // a local app's registration and unregistration take the same ids
        AppHandle local = dp.register(appSystem, spec("local", new AtomicLongArray(4)), 0, 1);
        assertEquals(1 + 1000 % 255, local.appId());
        dp.unregister("local");
        assertEquals(1, dp.appIdsHeld());
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dp.aeron().context().aeronDirectoryName()))) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".slots")).toList(),
                "every retired app's slot file is removed");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aReusedIdServesOnlyItsNewHolderWithCountersFromZeroAndItsGuaranteedCores() throws Exception {
        AtomicLongArray gotA = new AtomicLongArray(4), gotB = new AtomicLongArray(4);
        AppHandle a = dp.register(appSystem, spec("a", gotA), 1, 2);
        int id = a.appId();
        // a subscriber of a's stream on core 0 that never polls: what an app's JVM that died leaves until the media
        // driver times its client out. Aeron keeps a's closed publication, with every frame this subscriber has not
        // read, and links a new subscription on the same stream to it
        try (Subscription stale = dp.aeron().addSubscription(dp.streams().channel(), Streams.rxStreamId(id, 0))) {
            awaitTrue(() -> stale.imageCount() == 1, "the stale subscriber joined a's stream");
            port.send(1, 50);
            awaitTrue(() -> a.deliveredTotal() == 50, "a got its 50 packets");
            assertEquals(0, dp.unregister("a"));
            assertEquals(50, gotA.get(1));
            assertEquals(List.of(), appCounters(id), "a's counters are gone before its id is free");

            // every other id is handed out once before id comes back (FIFO)
            for (int i = 0; i < Streams.MAX_APPS - 1; i++) {
                assertTrue(churnOnce("filler").appId() != id, "id " + id + " came back after " + i + " registrations");
            }
            AppHandle b = dp.register(appSystem, spec("b", gotB), 1, 2);
            assertEquals(id, b.appId(), "the id a held");
            assertArrayEquals(new int[] {0}, b.dispatch().heldCoresPublished(), "b starts at its guaranteed core");
            assertEquals(1, b.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.GRANTED));

            port.send(2, 30);
            awaitTrue(() -> b.deliveredTotal() == 30, "b got its 30 packets");
            Thread.sleep(200); // anything of a's would arrive with b's
            assertEquals(0, gotB.get(1), "packets of a, the id's previous holder, reached b");
            assertEquals(30, gotB.get(2));
            assertEquals(30, b.deliveredTotal());
            long dispatched = 0;
            for (int core : dp.pool()) dispatched += b.dispatch().dispatched(core);
            assertEquals(30, dispatched);
            for (DropReason r : DropReason.values()) assertEquals(0, b.dispatch().dropped(r), r.label());
            awaitTrue(() -> appCounters(id).equals(List.of("b core 0 delivered 30", "b core 1 delivered 0"))
                    || appCounters(id).equals(List.of("b core 1 delivered 0", "b core 0 delivered 30")),
                "b's own counters in the counters file, from 0: " + appCounters(id));
            assertTrue(stale.imageCount() >= 1, "a's closed publication was still there, with 50 frames unread by the stale subscriber");
        }
    }

    @Test
    void maxAppsLiveAppsPlusOneIsRefusedBeforeAndAfterChurn() {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < MAX_APPS; i++) dp.register(appSystem, spec("live" + i, new AtomicLongArray(4)), 0, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dp.register(appSystem, spec("one-more", new AtomicLongArray(4)), 0, 1));
            assertEquals("no room for app one-more: 3 apps are registered or registering (calisto.control.max-apps)", e.getMessage());
            assertEquals(MAX_APPS, dp.appIdsHeld());
            for (int i = 0; i < MAX_APPS; i++) dp.unregister("live" + i);
            // more registrations than there are ids in between: the bound is on apps, not on registrations made
            if (round == 0) for (int i = 0; i < Streams.MAX_APPS + 4; i++) churnOnce("churn");
            assertEquals(0, dp.appIdsHeld());
        }
    }

    /** An app matching the fed port's packets; its handler counts them by the tag the port put in their RSS hash. */
    private static AppSpec spec(String name, AtomicLongArray byTag) {
        return new AppSpec(name, MatchRule.parse("dst-port=7"), core -> ctx -> byTag.incrementAndGet(ctx.rssHash()));
    }

    /** The delivered counters app id {@code id} has in the Aeron counters file, as "name core N delivered V". */
    private List<String> appCounters(int id) {
        List<String> out = new ArrayList<>();
        var reader = dp.aeron().countersReader();
        reader.forEach((counterId, type, key, label) -> {
            if (type != CounterTypes.APP_CORE_DELIVERED || key.getInt(CounterTypes.APP_OFFSET) != id) return;
            String name = key.getStringWithoutLengthAscii(CounterTypes.NAME_OFFSET, key.getInt(CounterTypes.NAME_LENGTH_OFFSET));
            out.add(name + " core " + key.getInt(CounterTypes.CORE_OFFSET) + " delivered " + reader.getCounterValue(counterId));
        });
        return out;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(2);
        }
    }

    /** One UDP flow to port 7; the test says how many packets go out next and with which tag (their RSS hash). */
    static final class FedPort implements PacketPort {
        private final RxBatch template = new RxBatch(1);
        private final AtomicLong asked = new AtomicLong();
        private volatile int tag;
        private long sent;

        FedPort() {
            new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", 1, "rate", 0, "packet-bytes", 100))).receive(template, 0);
        }

        /** {@code n} more packets, tagged {@code tag}; call it again only once those were received. */
        void send(int tag, int n) {
            this.tag = tag;
            asked.addAndGet(n);
        }

        @Override public String name() { return "fed"; }

        @Override
        public int receive(RxBatch batch, long nowNanos) {
            int n = (int) Math.min(batch.capacity(), asked.get() - sent);
            if (n <= 0) {
                batch.count(0);
                return 0;
            }
            int len = template.length(0);
            for (int i = 0; i < n; i++) {
                batch.ownedFrame(i).putBytes(0, template.frame(0), 0, len);
                batch.set(i, len, nowNanos, true, tag);
            }
            batch.count(n);
            sent += n;
            return n;
        }

        @Override public int transmit(TxBatch batch) { return batch.count(); }

        @Override public void close() {}
    }
}
