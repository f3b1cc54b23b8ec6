package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.aeron.ExclusivePublication;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * The IO core reads reply frames an app wrote (possibly another process): a header whose length does not fit the
 * fragment is dropped and counted as bad-reply, never read past the fragment nor transmitted; so is a well-formed
 * frame not published under the RX session of the core it names (an earlier holder of the app id, still running).
 * The length checks under the right session are IoKernelBatchTest's (only the app's core-actor may publish with it).
 */
class BadReplyTest {
    @Test
    void framesNotFromTheAppsOwnSessionsOrThatOverrunTheirFragmentAreDroppedAsBadReply() throws Exception {
        Config c = EndToEndTest.config(Map.of("calisto.synthetic.max-packets", 1, "calisto.cores.pool", java.util.List.of(0)));
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "bad-reply-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            // the app echoes the one synthetic packet: its reply goes out under core 0's RX session (CoreActor)
            AppHandle h = dp.register(apps, new AppSpec("echo", MatchRule.parse("dst-port=7"),
                core -> ctx -> ctx.reply(ctx.buffer(), ctx.offset(), ctx.length())), 1, 1);
            // anyone else on the app's TX stream: an earlier holder of the app id still running, or a forger
            try (ExclusivePublication stranger = dp.aeron().addExclusivePublication(dp.streams().channel(), Streams.txStreamId(h.appId()))) {
                UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), 5000, 0); // claims 5000 bytes, has 60
                offer(stranger, frame, frame.capacity());
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), -1, 0); // negative length
                offer(stranger, frame, frame.capacity());
                offer(stranger, frame, FrameLayout.HEADER_LENGTH - 8); // shorter than a header
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), 60, 0); // well formed, wrong session
                offer(stranger, frame, frame.capacity());
                dp.startRx();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while ((dp.kernel().dropped(DropReason.BAD_REPLY) < 4 || dp.kernel().transmitted() < 1) && System.nanoTime() < deadline) Thread.sleep(5);
            }
            assertEquals(4, dp.kernel().dropped(DropReason.BAD_REPLY));
            assertEquals(1, dp.kernel().replies(), "only the app's own echo counts as a reply");
            assertEquals(1, dp.kernel().transmitted());
            assertEquals(0, dp.kernel().droppedReceived(), "reply-side drops are not drops of received packets");
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    private static void offer(ExclusivePublication tx, UnsafeBuffer frame, int length) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (tx.offer(frame, 0, length) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("could not offer a reply frame");
            Thread.sleep(1);
        }
    }
}
