package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * Frames with forged headers in an app's RX stream. A second Aeron client's publication on the stream is never read
 * (the core-actor subscribes to the IO core's session only, and Aeron refuses a second publication with that session),
 * so they are written here through the IO core's own publication before RX starts, as a process that writes the
 * stream's log buffer file directly (any process that can open the directory can) would leave them: a barrier core
 * outside the app's slots, on the core itself or on a core without a slot, a
 * barrier position a parked core can never reach, a length beyond the fragment or below 0, a fragment shorter than
 * the header. Each is dropped unhandled and counted by reason; the core-actor lives on and handles the good frames
 * and then the real traffic, with nothing unaccounted. (Before the check, barrier core 1000 threw
 * ArrayIndexOutOfBounds out of the poll and killed the core-actor, barrier core = itself stalled it for good, and
 * the handler read the forged length past the fragment.)
 */
class ForgedFrameTest {
    private static final int PACKETS = 2000, EACH = 5, GOOD = 7;

    @Test
    void forgedHeadersAreDroppedByReasonAndTheCoreActorGoesOn() throws Exception {
        Config c = EndToEndTest.config(Map.of("calisto.synthetic.max-packets", PACKETS, "calisto.synthetic.rate", 50_000,
            "calisto.cores.pool", List.of(0, 1)));
        AtomicLong handled = new AtomicLong(), longest = new AtomicLong();
        AppSpec spec = new AppSpec("forged", MatchRule.parse("dst-port=7"), core -> ctx -> {
            handled.incrementAndGet();
            longest.accumulateAndGet(ctx.length(), Math::max);
            ctx.buffer().getByte(ctx.offset() + ctx.length() - 1); // the handler trusts length: it must be inside the fragment
        });
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "forged-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            AppHandle h = dp.register(apps, spec, 1, 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int granted = -1;
            while (granted < 0 && System.nanoTime() < deadline) {
                for (int core = 0; core < 2; core++) {
                    int state = h.dispatch().slots[core].state();
                    if (state == CoreSlot.GRANTED || state == CoreSlot.YIELD_REQUESTED) granted = core; // idle: asks to yield, keeps its guarantee
                }
                Thread.sleep(5);
            }
            int parked = 1 - granted;
            assertEquals(CoreSlot.PARKED, h.dispatch().slots[parked].state(), "one core granted, the other parked");
            SharedMemoryTrustTest.assertNeverRead(dp, h, granted);
            // the IO thread does not publish before startRx, whose command queue hands the publication back to it
            {
                Publication rx = h.dispatch().rxByCore(granted);
                UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
                for (int i = 0; i < EACH; i++) {
                    offer(rx, frame, 60, 1000, 0);            // barrier core beyond every slot
                    offer(rx, frame, 60, -7, 0);              // negative, not -1
                    offer(rx, frame, 60, granted, 0);         // itself: would wait for its own completion
                    offer(rx, frame, 60, 2, 0);               // inside the array, but no such core in the pool
                    offer(rx, frame, 60, parked, 1L << 40);   // parked core: completed everything it was sent
                    offer(rx, frame, 1_000_000, -1, 0);       // length beyond the fragment
                    offer(rx, frame, -1, -1, 0);              // negative length
                    offerShort(rx);                           // shorter than the header
                }
                for (int i = 0; i < GOOD; i++) offer(rx, frame, 60, -1, 0);
                while (handled.get() < GOOD && System.nanoTime() < deadline + Duration.ofSeconds(20).toNanos()) Thread.sleep(5);
            }
            assertEquals(GOOD, handled.get(), "only the good injected frames were handled");
            assertEquals(60, longest.get());
            assertEquals(Map.of("bad-length", 3L * EACH, "bad-barrier-core", 4L * EACH, "bad-barrier-position", 1L * EACH),
                h.runtime().rejectedFrames());
            dp.startRx();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!dp.kernel().rxExhausted() && System.nanoTime() < deadline) Thread.sleep(10);
            dp.drainAndStop(Duration.ofSeconds(10));
            RunSummary s = RunSummary.of(dp);
            assertEquals(PACKETS, s.received());
            assertEquals(s.delivered() + GOOD, handled.get(), "the core-actor handled the real traffic after the forged frames");
            assertEquals(PACKETS, s.delivered() + s.dropped());
            assertEquals(0, s.unaccounted());
            assertEquals(0, h.runtime().failedCoreActors());
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    private static void offer(Publication pub, UnsafeBuffer frame, int length, int barrierCore, long barrierPosition) throws InterruptedException {
        FrameLayout.writeHeader(frame, 0, 7, 0, System.nanoTime(), length, 0, barrierCore, barrierPosition);
        offer(pub, frame, frame.capacity());
    }

    private static void offerShort(Publication pub) throws InterruptedException {
        offer(pub, new UnsafeBuffer(new byte[10]), 10);
    }

    private static void offer(Publication pub, UnsafeBuffer frame, int length) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pub.offer(frame, 0, length) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("could not offer an injected frame");
            Thread.sleep(1);
        }
    }
}
