package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * Whoever can open the Aeron directory can write an app's core slots and offer frames into its RX stream (README
 * "Trust boundary"). The account stays the dataplane's own: a delivered count outside what was dispatched is shown
 * and not believed, and frames another process injected never make {@code unaccounted} negative (were
 * {@code unaccounted -1000000000000}, exit 1, and {@code unaccounted -5000}).
 */
class SharedMemoryTrustTest {
    private static final int PACKETS = 3000;

    @Test
    void aDeliveredCountWrittenIntoTheSlotFileIsBoundedByWhatWasDispatched() throws Exception {
        Config c = config();
        AtomicLong handled = new AtomicLong();
        StringWriter printed = new StringWriter();
        AtomicLong dispatched = new AtomicLong();
        RunSummary s = EndToEndTest.runToExhaustion(c, counting(handled), 1, 1, dp -> {
            AppHandle h = dp.apps().get(0);
            dispatched.set(h.dispatch().dispatched(0));
            assertEquals(handled.get(), dispatched.get(), "before: every dispatched packet was handled");
            // another process's mapping of the same memory: the slot the IO core reads
            h.dispatch().slots[0].delivered(1_000_000_000_000L);
            assertEquals(dispatched.get(), h.delivered(0));
            RunSummary.print(dp, RunSummary.of(dp), new Histogram(3), new Histogram(3), new PrintWriter(printed, true));
        });
        assertEquals(PACKETS, s.received());
        assertEquals(dispatched.get(), s.delivered());
        assertEquals(PACKETS, s.delivered() + s.dropped());
        assertEquals(0, s.unaccounted());
        assertTrue(printed.toString().contains("  core 0    dispatched " + dispatched + "  delivered " + dispatched
            + "  (its core slot says 1000000000000: outside 0.." + dispatched + ", not believed)\n"), printed.toString());
        assertTrue(printed.toString().endsWith("unaccounted  0\n"), printed.toString());
    }

    @Test
    void aDeliveredCountWrittenThroughAnotherMappingOfARemoteAppsSlotFileIsNotBelieved() throws Exception {
        Config c = RemoteManagementTest.config(Map.of("calisto.synthetic.max-packets", PACKETS, "calisto.synthetic.rate", 20_000,
            "calisto.cores.pool", List.of(0, 1), "calisto.io.idle-strategy", "backoff"));
        Process remote = null;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            remote = RemoteManagementTest.java(RemoteEchoMain.class, dp.controlSystem().address().toString());
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(remote.getInputStream()));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("registered")) seen.append(line).append('\n');
            assertTrue(line != null, "the remote app did not register:\n" + seen);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dp.apps().isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            AppHandle h = dp.apps().getFirst();
            dp.startRx();
            while (!dp.kernel().rxExhausted() && System.nanoTime() < deadline + Duration.ofSeconds(60).toNanos()) Thread.sleep(10);
            dp.drainAndStop(Duration.ofSeconds(10));
            long dispatched = h.dispatch().dispatched(0) + h.dispatch().dispatched(1);
            assertEquals(dispatched, RunSummary.of(dp).delivered(), "before: the remote app got every dispatched packet");
            // what any process that can open the directory may do: map the app's slot file and write its count
            Path slots = Path.of(dp.aeron().context().aeronDirectoryName(), "calisto-app-" + h.appId() + ".slots");
            CoreSlot[] mine = CoreSlot.mapped(slots, 2, false);
            mine[0].delivered(1_000_000_000_000L);
            mine[1].delivered(1_000_000_000_000L);
            RunSummary s = RunSummary.of(dp);
            assertEquals(1_000_000_000_000L, h.deliveredAsWritten(0), "the dataplane's own mapping sees the write");
            assertEquals(PACKETS, s.received());
            assertEquals(dispatched, s.delivered());
            assertEquals(0, s.unaccounted());
        } finally {
            if (remote != null) remote.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aNegativeDeliveredCountIsZeroNeverMoreThanWasDispatchedUnaccounted() throws Exception {
        AtomicLong handled = new AtomicLong();
        RunSummary s = EndToEndTest.runToExhaustion(config(), counting(handled), 1, 1,
            dp -> dp.apps().get(0).dispatch().slots[0].delivered(-1_000_000_000_000L));
        // the dataplane cannot tell a lie from loss here: it says what it cannot confirm, and no more than that
        assertEquals(0, s.delivered());
        assertEquals(handled.get(), s.unaccounted());
        assertEquals(PACKETS, s.dropped() + s.unaccounted());
    }

    @Test
    void framesInjectedIntoAnAppsRxStreamNeverMakeUnaccountedNegative() throws Exception {
        Config c = config();
        AtomicLong handled = new AtomicLong();
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "inject-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            AppHandle h = dp.register(apps, counting(handled), 1, 1);
            int injected = 5000;
            // a second Aeron client's publication is never read (the core-actor takes the IO core's session only): the
            // frames go in through the IO core's own publication before RX starts, as a process writing the stream's
            // log buffer file directly would leave them (startRx's command queue hands the publication back to the IO thread)
            assertNeverRead(dp, h, 0);
            {
                Publication rx = h.dispatch().rxByCore(0);
                UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
                FrameLayout.writeHeader(frame, 0, 7, h.appId(), System.nanoTime(), 60, 0);
                for (int i = 0; i < injected; i++) offer(rx, frame);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (handled.get() < injected && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(injected, handled.get(), "the app's handler got the injected frames");
            }
            dp.startRx();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!dp.kernel().rxExhausted() && System.nanoTime() < deadline) Thread.sleep(10);
            dp.drainAndStop(Duration.ofSeconds(10));
            RunSummary s = RunSummary.of(dp);
            long dispatched = h.dispatch().dispatched(0);
            assertEquals(dispatched + injected, handled.get(), "handled: every dispatched packet and the injected ones");
            assertEquals(handled.get(), h.deliveredAsWritten(0));
            assertEquals(PACKETS, s.received());
            assertEquals(dispatched, s.delivered());
            assertEquals(PACKETS, s.delivered() + s.dropped());
            assertEquals(0, s.unaccounted());
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    @Test
    void aSubscriberThatNeverPollsStallsTheAppAndEveryStalledPacketIsCountedAsItsBackpressure() throws Exception {
        // Aeron IPC flow control follows the slowest subscriber: a stranger's subscription that never polls holds the
        // stream's publication limit (half a term, 32 KiB here), and what does not fit is dropped and counted
        Config c = EndToEndTest.config(Map.of("calisto.synthetic.max-packets", PACKETS, "calisto.synthetic.rate", 50_000,
            "calisto.cores.pool", List.of(0), "calisto.aeron.term-length", "64k"));
        AtomicLong handled = new AtomicLong();
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "stall-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            AppHandle h = dp.register(apps, counting(handled), 1, 1);
            try (Aeron other = Aeron.connect(new Aeron.Context().aeronDirectoryName(dp.aeron().context().aeronDirectoryName()));
                 io.aeron.Subscription stalled = other.addSubscription(dp.streams().channel(), Streams.rxStreamId(h.appId(), 0))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (stalled.imageCount() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
                dp.startRx();
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!dp.kernel().rxExhausted() && System.nanoTime() < deadline) Thread.sleep(10);
                dp.drainAndStop(Duration.ofSeconds(10));
            }
            RunSummary s = RunSummary.of(dp);
            long backpressure = h.dispatch().dropped(io.calisto.aeron.DropReason.BACKPRESSURE);
            System.out.println("stalled by a stranger's subscription: backpressure " + backpressure + " of " + s.received() + ", delivered "
                + s.delivered() + ", unaccounted " + s.unaccounted());
            assertTrue(backpressure > PACKETS / 2, "most packets found the stream held by the stranger: " + backpressure);
            assertEquals(handled.get(), s.delivered(), "what got through was handled");
            assertEquals(PACKETS, s.delivered() + s.dropped());
            assertEquals(0, s.unaccounted());
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    private static Config config() {
        return EndToEndTest.config(Map.of("calisto.synthetic.max-packets", PACKETS, "calisto.synthetic.rate", 50_000,
            "calisto.cores.pool", List.of(0)));
    }

    private static AppSpec counting(AtomicLong handled) {
        return new AppSpec("counted", MatchRule.parse("dst-port=7"), core -> ctx -> handled.incrementAndGet());
    }

    /**
     * A second Aeron client on the dataplane's directory, as a process of the same user would open one, cannot reach
     * {@code h}'s core-actor on {@code core}: a publication on its RX stream never connects (the core-actor subscribes
     * to the IO core's session only), and one with the IO core's session id is refused by the media driver.
     */
    static void assertNeverRead(Dataplane dp, AppHandle h, int core) throws InterruptedException {
        int stream = Streams.rxStreamId(h.appId(), core);
        try (Aeron other = Aeron.connect(new Aeron.Context().aeronDirectoryName(dp.aeron().context().aeronDirectoryName()))) {
            try (Publication rx = other.addPublication(dp.streams().channel(), stream)) {
                UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
                for (int i = 0; i < 100; i++) {
                    assertEquals(Publication.NOT_CONNECTED, rx.offer(frame), "a stranger's publication on the app's RX stream");
                    Thread.sleep(10);
                }
            }
            String clash = org.junit.jupiter.api.Assertions.assertThrows(io.aeron.exceptions.RegistrationException.class,
                () -> other.addPublication(dp.streams().channel() + "|session-id=" + h.dispatch().slots[core].rxSession(), stream)).getMessage();
            assertTrue(clash.contains("existing publication has clashing sessionId"), clash);
        }
    }

    private static void offer(Publication pub, UnsafeBuffer frame) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pub.offer(frame) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("could not offer an injected frame");
            Thread.sleep(1);
        }
    }
}
