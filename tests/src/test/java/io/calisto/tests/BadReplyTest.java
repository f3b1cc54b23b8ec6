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
 * fragment is dropped and counted as bad-reply, never read past the fragment nor transmitted.
 */
class BadReplyTest {
    @Test
    void aReplyHeaderClaimingMoreBytesThanItsFragmentIsDroppedAsBadReply() throws Exception {
        Config c = EndToEndTest.config(Map.of("calisto.synthetic.max-packets", 1, "calisto.cores.pool", java.util.List.of(0)));
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "bad-reply-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            AppHandle h = dp.register(apps, new AppSpec("quiet", MatchRule.parse("dst-port=9"), core -> ctx -> { }), 1, 1);
            try (ExclusivePublication tx = dp.aeron().addExclusivePublication(dp.streams().channel(), Streams.txStreamId(h.appId()))) {
                UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), 5000, 0); // claims 5000 bytes, has 60
                offer(tx, frame, frame.capacity());
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), -1, 0); // negative length
                offer(tx, frame, frame.capacity());
                offer(tx, frame, FrameLayout.HEADER_LENGTH - 8); // shorter than a header
                FrameLayout.writeHeader(frame, 0, 1, h.appId(), System.nanoTime(), 60, 0); // a good one
                offer(tx, frame, frame.capacity());
                long deadline = System.nanoTime() + 5_000_000_000L;
                while ((dp.kernel().dropped(DropReason.BAD_REPLY) < 3 || dp.kernel().transmitted() < 1) && System.nanoTime() < deadline) Thread.sleep(5);
            }
            assertEquals(3, dp.kernel().dropped(DropReason.BAD_REPLY));
            assertEquals(1, dp.kernel().replies(), "only the good frame counts as a reply");
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
