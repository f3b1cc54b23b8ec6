package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Artery discards a message larger than {@code pekko.remote.artery.advanced.maximum-frame-size} (and the receiver's
 * framing refuses one), so that size bounds what one message can cost a dataplane. The largest reply we send must fit:
 * GetEvents' whole default history with the longest names and reasons. (Pekko's 256 KiB did not: 10,000 such events
 * are 1,090,010 bytes; typical ones 220,010.)
 */
class FrameBudgetTest {
    static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = remote").withFallback(ConfigFactory.load());
    static final ActorTestKit KIT = ActorTestKit.create("frames", CONFIG);

    @AfterAll
    static void stop() { KIT.shutdownTestKit(); }

    @Test
    void theWholeDefaultEventHistoryFitsOneFrame() {
        var ser = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        int history = CONFIG.getInt("calisto.control.event-history");
        long frame = CONFIG.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
        List<CoreEvent> events = new ArrayList<>();
        String name = "a".repeat(64);
        for (int i = 0; i < history; i++) events.add(new CoreEvent.CorePreempted(name, 255, "preempted-for-guarantee", Long.MAX_VALUE - i, Long.MAX_VALUE));
        int bytes = ser.serialize(new Management.Events(events, Long.MAX_VALUE)).get().length;
        // Artery's envelope header is under 100 bytes besides the recipient's and sender's paths
        assertTrue(bytes + 1024 < frame, history + " events are " + bytes + " bytes, the frame " + frame);
    }
}
